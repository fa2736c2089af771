/**
 * Documents other people wrote often break the AsyncAPI schema in places the
 * generator does not depend on: bindings (2.x-era versions, a plain-string
 * groupId, another protocol's binding) and keywords a tool leaks into message
 * schemas (swagger-core's `exampleSetFlag`). Strict mode refuses them; lenient
 * mode reports each as a warning at the written file and pointer and reads on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { loadDocuments } from '../../generator/parse/load-documents.ts';
import { RawFiles } from '../../generator/parse/raw-files.ts';

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Json = Record<string, unknown>;

const doc = (operation: Json, message: Json): Json => ({
  asyncapi: '3.0.0',
  info: { title: 'Theirs', version: '1.0.0' },
  channels: { orders: { address: 'orders', messages: { OrderPlaced: message } } },
  operations: {
    onOrder: {
      action: 'receive',
      channel: { $ref: '#/channels/orders' },
      messages: [{ $ref: '#/channels/orders/messages/OrderPlaced' }],
      ...operation,
    },
  },
});

const plain = { payload: { type: 'object', properties: { id: { type: 'string' } } } };

const cases: [string, { document: Json; pointer: string }][] = [
  [
    'a groupId written as a plain string',
    {
      document: doc({ bindings: { kafka: { groupId: 'orders-service' } } }, plain),
      pointer: '#/operations/onOrder/bindings/kafka/groupId',
    },
  ],
  [
    "another protocol's binding that breaks its schema",
    {
      document: doc({ bindings: { amqp: { bindingVersion: '0.1.0' } } }, plain),
      pointer: '#/operations/onOrder/bindings/amqp/bindingVersion',
    },
  ],
  [
    'a keyword an OpenAPI schema does not define',
    {
      document: doc(
        {},
        {
          payload: {
            schemaFormat: 'application/vnd.oai.openapi+json;version=3.0.0',
            schema: { type: 'object', exampleSetFlag: true, properties: { id: { type: 'string' } } },
          },
        },
      ),
      pointer: '#/channels/orders/messages/OrderPlaced/payload/schema/exampleSetFlag',
    },
  ],
];

async function load(document: Json, mode: 'strict' | 'lenient') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parse-lenient-'));
  scratch.push(dir);
  await writeFile(path.join(dir, 'theirs.yaml'), stringify(document));
  return loadDocuments([path.join(dir, 'theirs.yaml')], new RawFiles(), {
    display: (p) => path.relative(dir, p),
    mode,
  });
}

describe('schema errors lenient mode reads past', () => {
  it.each(cases)(
    '%s: strict refuses, lenient warns and reads the document',
    { timeout: 30_000 },
    async (_name, { document, pointer }) => {
      const strict = await load(document, 'strict');
      const strictShown = strict.diagnostics.map(formatDiagnostic).join('\n');
      expect(strict.documents, strictShown).toEqual([]);
      expect(strict.diagnostics, strictShown).toContainEqual(
        expect.objectContaining({ severity: 'error', file: 'theirs.yaml', pointer }),
      );

      const lenient = await load(document, 'lenient');
      const shown = lenient.diagnostics.map(formatDiagnostic).join('\n');
      expect(lenient.documents, shown).toHaveLength(1);
      expect(
        lenient.diagnostics.filter((d) => d.severity === 'error'),
        shown,
      ).toEqual([]);
      expect(lenient.diagnostics, shown).toContainEqual(
        expect.objectContaining({
          severity: 'warning',
          file: 'theirs.yaml',
          pointer,
          message: expect.stringContaining('lenient'),
        }),
      );
    },
  );

  it('a structural error still refuses the document in lenient mode', { timeout: 30_000 }, async () => {
    const broken = doc({ action: 'listen' }, plain);
    const lenient = await load(broken, 'lenient');
    expect(lenient.documents).toEqual([]);
    expect(lenient.diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', pointer: '#/operations/onOrder/action' }),
    );
  });
});
