/**
 * Schema formats other than JSON Schema: OpenAPI 3.0 schemas get a parser,
 * Avro named types resolve across the document's schemas (and the .avsc files
 * they reference), a name defined nowhere is a warning naming the type and
 * the file, and a format nothing can read is an error naming message and
 * format instead of a schema silently read as JSON Schema.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { loadDocuments } from '../../generator/parse/load-documents.ts';
import { RawFiles } from '../../generator/parse/raw-files.ts';
import { registerSchemaParsers } from '../../generator/parse/schema-formats.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'parse', 'formats');

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Json = Record<string, unknown>;

/** Loads formats.yaml, after replacing `from` with `to` in its text when given. */
async function load(from?: string, to?: string) {
  let dir = fixture;
  if (from !== undefined) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'parse-formats-'));
    scratch.push(dir);
    await cp(fixture, dir, { recursive: true });
    const text = await readFile(path.join(dir, 'formats.yaml'), 'utf8');
    expect(text).toContain(from);
    await writeFile(path.join(dir, 'formats.yaml'), text.replace(from, to ?? ''));
  }
  const { documents, diagnostics } = await loadDocuments([path.join(dir, 'formats.yaml')], new RawFiles(), {
    display: (p) => path.relative(dir, p),
  });
  const payload = (name: string) => {
    const json = documents[0]?.document.json() as unknown as {
      components: { messages: Record<string, Json> };
    };
    return (json.components.messages[name]!.payload as { schema: Json }).schema;
  };
  return { documents, diagnostics, payload, shown: diagnostics.map(formatDiagnostic).join('\n') };
}

describe('schema formats', () => {
  it('registers every format the OpenAPI schema parser reads (it is loaded lazily)', async () => {
    const { OpenAPISchemaParser } = await import('@asyncapi/openapi-schema-parser');
    const parser = new Parser();
    registerSchemaParsers(parser, []);
    for (const format of OpenAPISchemaParser().getMimeTypes())
      expect(parser.parserRegistry.has(format), format).toBe(true);
  });

  it('reads OpenAPI 3.0 schemas and resolves Avro named types across the document', {
    timeout: 30_000,
  }, async () => {
    const { documents, diagnostics, payload, shown } = await load();
    expect(documents, shown).toHaveLength(1);
    expect(
      diagnostics.filter((d) => d.code === 'unresolved-ref' || d.severity === 'error'),
      shown,
    ).toEqual([]);
    // OpenAPI's `nullable` became JSON Schema.
    expect((payload('ItemPriced').properties as Record<string, Json>).discount).toMatchObject({
      type: ['number', 'null'],
    });
    // Address is defined in OrderPlaced's schema; OrderShipped uses it by short and by full name.
    const shipped = payload('OrderShipped').properties as Record<string, Json>;
    expect(shipped.to).toMatchObject({ type: 'object', properties: { city: { type: 'string' } } });
    expect(JSON.stringify(shipped.from)).toContain('"city"');
    // Customer (and the Tier enum inside it) come from customer.avsc, reached through a $ref.
    const invoice = payload('InvoiceSent').properties as Record<string, Json>;
    expect(invoice.customer).toMatchObject({ properties: { id: { type: 'string' } } });
    expect(invoice.payer).toMatchObject({ properties: { id: { type: 'string' } } });
    expect(invoice.tier).toMatchObject({ enum: ['GOLD', 'SILVER'] });
  });

  it.each([
    ['its simple name', './customer.avsc#/Customer'],
    ['its full name', './customer.avsc#/com.shop.Customer'],
  ])(
    'resolves a $ref to an .avsc file by the named type (%s), as Microcks writes it',
    { timeout: 30_000 },
    async (_name, ref) => {
      const { documents, payload, shown } = await load('$ref: "./customer.avsc"', `$ref: "${ref}"`);
      expect(documents, shown).toHaveLength(1);
      const invoice = payload('InvoiceSent').properties as Record<string, Json>;
      expect(invoice.customer).toMatchObject({ properties: { id: { type: 'string' } } });
    },
  );

  it('resolves a nested named type of an .avsc file by name', { timeout: 30_000 }, async () => {
    const { documents, payload, shown } = await load(
      '$ref: "./customer.avsc"',
      '$ref: "./customer.avsc#/com.shop.Tier"',
    );
    expect(documents, shown).toHaveLength(1);
    const invoice = payload('InvoiceSent').properties as Record<string, Json>;
    expect(invoice.customer).toMatchObject({ enum: ['GOLD', 'SILVER'] });
  });

  it('warns about an Avro type defined nowhere, naming the type and the file', {
    timeout: 30_000,
  }, async () => {
    const { diagnostics, shown } = await load('type: Address', 'type: com.shop.Missing');
    expect(diagnostics, shown).toContainEqual(
      expect.objectContaining({
        code: 'unresolved-ref',
        severity: 'warning',
        file: 'formats.yaml',
        pointer: '#/components/messages/OrderShipped/payload/schema',
        message: expect.stringContaining('"com.shop.Missing"'),
      }),
    );
  });

  it.each([
    ['a format no parser reads', 'application/x-protobuf;version=3'],
    ['an OpenAPI version without a parser', 'application/vnd.oai.openapi;version=2.0'],
  ])('refuses %s, naming the message and the format', { timeout: 30_000 }, async (_name, format) => {
    const { documents, diagnostics, shown } = await load('application/vnd.oai.openapi;version=3.0.0', format);
    expect(documents).toEqual([]);
    expect(diagnostics, shown).toContainEqual(
      expect.objectContaining({
        code: 'unsupported',
        severity: 'error',
        file: 'formats.yaml',
        pointer: '#/components/messages/ItemPriced/payload/schemaFormat',
        message: expect.stringMatching(new RegExp(`"ItemPriced".*"${format.replace(/[.;+]/g, '\\$&')}"`)),
      }),
    );
  });
});
