/**
 * A contract file that is not valid YAML/JSON is never silently left out of a
 * run: it is an error at that file with line and column, reported once even
 * when several documents reference it. And problems of different documents and
 * stages come out together: a broken `$ref` in one document does not hide a
 * syntax error in a second or an invalid example in a third.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { NO_CONFIG } from '../../generator/config.ts';
import { ContractError, type Diagnostic, formatDiagnostic } from '../../generator/diagnostics.ts';
import { generate } from '../../generator/generate.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');
const base = path.join(repoRoot, 'test', 'fixtures', 'bad', 'base');
const PRODUCER = readFileSync(path.join(base, 'producer.yaml'), 'utf8');
const CONSUMER = readFileSync(path.join(base, 'consumer.yaml'), 'utf8');

/** The base producer with its payload moved to schemas.yaml#/Item. */
function producerWithSchemaFile(): string {
  const doc = parse(PRODUCER) as { components: { messages: { ItemCreated: Record<string, unknown> } } };
  doc.components.messages.ItemCreated.payload = { $ref: './schemas.yaml#/Item' };
  return stringify(doc);
}

/** The base consumer, also referring to schemas.yaml (a second referrer of the same broken file). */
function consumerWithSchemaFile(): string {
  const doc = parse(CONSUMER) as Record<string, unknown>;
  doc.components = { schemas: { Item: { $ref: './schemas.yaml#/Item' } } };
  return stringify(doc);
}

const BROKEN_YAML = 'Item:\n  type: object\n properties: {}\n';
const BROKEN_JSON = '{\n  "Item": { "type": "object",, }\n}\n';

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(files: Record<string, string>, input = 'shop'): Promise<readonly Diagnostic[]> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-syntax-'));
  scratch.push(cwd);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
    await writeFile(path.join(cwd, name), text);
  }
  const error = await generate({
    input,
    outDir: 'out',
    runtimeEntry,
    cwd,
    mode: 'strict',
    config: NO_CONFIG,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the run fails').toBeInstanceOf(ContractError);
  return (error as ContractError).diagnostics.filter((d) => d.severity === 'error');
}

describe('files that are not valid YAML or JSON', () => {
  const cases: [string, { files: Record<string, string>; input?: string; file: string; at: string }][] = [
    [
      'a document with a YAML error in a folder run',
      {
        files: {
          'shop/producer.yaml': PRODUCER,
          'shop/broken.yaml': `asyncapi: 3.0.0\ninfo:\n  title: [x\n`,
        },
        file: 'shop/broken.yaml',
        at: 'line 4, column 1',
      },
    ],
    [
      'a JSON document with a syntax error in a folder run',
      {
        files: { 'shop/producer.yaml': PRODUCER, 'shop/broken.json': '{ "asyncapi": "3.0.0",, }' },
        file: 'shop/broken.json',
        at: 'line 1, column',
      },
    ],
    [
      'the one document given as input',
      {
        files: { 'shop/broken.yaml': `asyncapi: 3.0.0\ninfo:\n  title: [x\n` },
        input: 'shop/broken.yaml',
        file: 'shop/broken.yaml',
        at: 'line 4, column 1',
      },
    ],
    [
      'a YAML fragment referenced by two documents',
      {
        files: {
          'shop/producer.yaml': producerWithSchemaFile(),
          'shop/consumer.yaml': consumerWithSchemaFile(),
          'shop/schemas.yaml': BROKEN_YAML,
        },
        file: 'shop/schemas.yaml',
        at: 'line 3, column 1',
      },
    ],
    [
      'a JSON fragment referenced by two documents',
      {
        files: {
          'shop/producer.yaml': producerWithSchemaFile().replace('schemas.yaml', 'schemas.json'),
          'shop/consumer.yaml': consumerWithSchemaFile().replace('schemas.yaml', 'schemas.json'),
          'shop/schemas.json': BROKEN_JSON,
        },
        file: 'shop/schemas.json',
        at: 'line 2',
      },
    ],
    [
      'a YAML fragment outside the input folder, referenced by the one document given',
      {
        files: {
          'shop/producer.yaml': producerWithSchemaFile().replace('./schemas', '../common/schemas'),
          'common/schemas.yaml': BROKEN_YAML,
        },
        input: 'shop/producer.yaml',
        file: 'common/schemas.yaml',
        at: 'line 3, column 1',
      },
    ],
  ];

  it.each(cases)(
    '%s: one error at that file, with line and column',
    { timeout: 30_000 },
    async (_name, want) => {
      const errors = await run(want.files, want.input);
      const shown = errors.map(formatDiagnostic).join('\n');
      const about = errors.filter(
        (d) => d.file === want.file || d.message.includes(path.basename(want.file)),
      );
      expect(about, shown).toHaveLength(1);
      expect(about[0], shown).toMatchObject({ code: 'io', file: want.file, pointer: '' });
      expect(about[0]!.message, shown).toContain(want.at);
      expect(about[0]!.message, shown).toMatch(/syntax error/i);
    },
  );
});

describe('problems from different documents and stages are reported together', () => {
  it('a broken $ref, a YAML error and a partition-key error in three documents', {
    timeout: 30_000,
  }, async () => {
    const producer = parse(PRODUCER) as {
      components: { messages: { ItemCreated: Record<string, unknown> } };
    };
    producer.components.messages.ItemCreated['x-partition-key'] = '$message.payload#/nope';
    const consumer = parse(CONSUMER) as { channels: { items: { $ref: string } } };
    consumer.channels.items.$ref = './nope.yaml#/channels/items';
    const errors = await run({
      'shop/producer.yaml': stringify(producer),
      'shop/consumer.yaml': stringify(consumer),
      'shop/broken.yaml': `asyncapi: 3.0.0\ninfo:\n  title: [x\n`,
    });
    const shown = errors.map(formatDiagnostic).join('\n');
    expect(errors, shown).toContainEqual(
      expect.objectContaining({ code: 'unresolved-ref', file: 'shop/consumer.yaml' }),
    );
    expect(errors, shown).toContainEqual(expect.objectContaining({ code: 'io', file: 'shop/broken.yaml' }));
    expect(errors, shown).toContainEqual(
      expect.objectContaining({ code: 'partition-key', file: 'shop/producer.yaml' }),
    );
  });
});
