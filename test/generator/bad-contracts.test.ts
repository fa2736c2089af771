/**
 * Every contract mistake the generator knows about, one small contract set per
 * case: `generate` must throw a ContractError whose diagnostics name the code,
 * the file (relative to the working directory) and the JSON pointer the author
 * has to edit. Each set is the valid base (test/fixtures/bad/base) with one or
 * two edits, written to a temporary folder.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  ContractError,
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
} from '../../generator/diagnostics.ts';
import { generate } from '../../generator/generate.ts';
import { applyEdits } from '../support/json-edits.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');

type Doc = Record<string, unknown>;

/** The valid base every case edits: a producer owning items.events (with its .dlq) and consumer group g. */
const base = path.join(repoRoot, 'test', 'fixtures', 'bad', 'base');
const PRODUCER = readFileSync(path.join(base, 'producer.yaml'), 'utf8');
const CONSUMER = readFileSync(path.join(base, 'consumer.yaml'), 'utf8');

/** A document with JSON-pointer edits applied (`undefined` deletes); a fresh copy every call. */
function doc(yamlText: string, ...edits: [pointer: string, value: unknown][]): Doc {
  return applyEdits(parse(yamlText) as Doc, edits);
}

const producer = (...edits: [string, unknown][]) => doc(PRODUCER, ...edits);
const consumer = (...edits: [string, unknown][]) => doc(CONSUMER, ...edits);
const KEY = '/components/messages/ItemCreated/x-partition-key';

/**
 * ItemCreated in an earlier major version: `name: ItemCreated`, the given `x-schema-version`, a
 * payload of its own (`title` where the current version has `label`).
 */
function itemCreatedVersion(version: number): Doc {
  return {
    name: 'ItemCreated',
    contentType: 'application/json',
    'x-schema-version': version,
    'x-partition-key': '$message.payload#/id',
    deprecated: true,
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title'],
      properties: { id: { type: 'string' }, title: { type: 'string' } },
    },
    examples: [{ name: 'old', payload: { id: 'a1', title: 'first' } }],
  };
}

/** The base producer with ItemCreated at version 2 and `message` (undefined members dropped) beside it as ItemCreatedV1. */
function withVersion1(message: Doc): Doc {
  const defined = Object.fromEntries(Object.entries(message).filter(([, v]) => v !== undefined));
  return producer(
    ['/components/messages/ItemCreated/x-schema-version', 2],
    ['/components/messages/ItemCreatedV1', defined],
    ['/channels/items/messages/ItemCreatedV1', { $ref: '#/components/messages/ItemCreatedV1' }],
  );
}

interface Want {
  readonly code: DiagnosticCode;
  /** As shown in the diagnostic: relative to the working directory the generator ran in. */
  readonly file: string;
  readonly pointer: string | RegExp;
  readonly messageIncludes: string;
}

interface Case {
  /** Path (relative to the temporary working directory) → YAML text or a document to serialize. */
  readonly files: Record<string, Doc | string>;
  readonly want: Want | Want[];
}

const cases: [string, Case][] = [
  [
    'x-compatibility that is no Schema Registry mode',
    {
      files: {
        'shop/producer.yaml': producer(['/components/messages/ItemCreated/x-compatibility', 'SIDEWAYS']),
      },
      want: {
        code: 'invalid-value',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreated/x-compatibility',
        messageIncludes: 'BACKWARD_TRANSITIVE',
      },
    },
  ],
  [
    'an x-breaking-changes override without a reason',
    {
      files: {
        'shop/producer.yaml': producer([
          '/channels/items/x-breaking-changes',
          [{ rule: 'topic.partitions-increased' }],
        ]),
      },
      want: {
        code: 'invalid-value',
        file: 'shop/producer.yaml',
        pointer: '#/channels/items/x-breaking-changes/0',
        messageIncludes: 'reason',
      },
    },
  ],
  [
    'problems from different stages in one run: a partition-key error does not hide an invalid example',
    {
      files: {
        'shop/producer.yaml': producer(
          [
            '/components/messages/ItemDeleted',
            {
              name: 'ItemDeleted',
              contentType: 'application/json',
              'x-partition-key': '$message.payload#/nope',
              payload: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
            },
          ],
          ['/channels/items/messages/ItemDeleted', { $ref: '#/components/messages/ItemDeleted' }],
          ['/components/messages/ItemCreated/examples', [{ name: 'bad', payload: { id: 'a1', label: 5 } }]],
        ),
      },
      want: [
        {
          code: 'partition-key',
          file: 'shop/producer.yaml',
          pointer: '#/components/messages/ItemDeleted/x-partition-key',
          messageIncludes: '/nope',
        },
        {
          code: 'invalid-example',
          file: 'shop/producer.yaml',
          pointer: /^#\/components\/messages\/ItemCreated\/examples\/0\/payload/,
          messageIncludes: '/label',
        },
      ],
    },
  ],
  [
    '$ref to a file that does not exist',
    {
      files: {
        'shop/producer.yaml': producer(),
        'shop/consumer.yaml': consumer(['/channels/items/$ref', './nope.yaml#/channels/items']),
      },
      want: {
        code: 'unresolved-ref',
        file: 'shop/consumer.yaml',
        pointer: /^#\/channels\/items(\/\$ref)?$/,
        messageIncludes: 'nope.yaml',
      },
    },
  ],
  [
    '$ref to a pointer that does not exist in an existing file',
    {
      files: {
        'shop/producer.yaml': producer(),
        'shop/consumer.yaml': consumer(['/channels/items/$ref', './producer.yaml#/channels/nope']),
      },
      want: {
        code: 'unresolved-ref',
        file: 'shop/consumer.yaml',
        pointer: /^#\/channels\/items(\/\$ref)?$/,
        messageIncludes: '#/channels/nope',
      },
    },
  ],
  [
    'schema $ref to a pointer that does not exist in a fragment file',
    {
      files: {
        'shop/producer.yaml': producer([
          '/components/messages/ItemCreated/payload/properties/label',
          { $ref: './schemas.yaml#/Nope' },
        ]),
        'shop/schemas.yaml': stringify({ Label: { type: 'string' } }),
      },
      want: {
        code: 'unresolved-ref',
        file: 'shop/producer.yaml',
        pointer: /^#\/components\/messages\/ItemCreated\/payload\/properties\/label(\/\$ref)?$/,
        messageIncludes: '#/Nope',
      },
    },
  ],
  [
    'x-partition-key names a field the payload does not have',
    {
      files: { 'shop/producer.yaml': producer([KEY, '$message.payload#/nope']) },
      want: {
        code: 'partition-key',
        file: 'shop/producer.yaml',
        pointer: `#${KEY}`,
        messageIncludes: '/nope',
      },
    },
  ],
  [
    'x-partition-key names an optional field',
    {
      files: { 'shop/producer.yaml': producer([KEY, '$message.payload#/note']) },
      want: {
        code: 'partition-key',
        file: 'shop/producer.yaml',
        pointer: `#${KEY}`,
        messageIncludes: '/note is optional',
      },
    },
  ],
  [
    'x-partition-key names a nullable field',
    {
      files: {
        'shop/producer.yaml': producer(
          [KEY, '$message.payload#/maybe'],
          ['/components/messages/ItemCreated/payload/required', ['id', 'label', 'maybe']],
          ['/components/messages/ItemCreated/examples/0/payload/maybe', null],
        ),
      },
      want: {
        code: 'partition-key',
        file: 'shop/producer.yaml',
        pointer: `#${KEY}`,
        messageIncludes: '/maybe may be null',
      },
    },
  ],
  [
    'x-partition-key is not a runtime expression',
    {
      files: { 'shop/producer.yaml': producer([KEY, 'payload.id']) },
      want: {
        code: 'partition-key',
        file: 'shop/producer.yaml',
        pointer: `#${KEY}`,
        messageIncludes: '"payload.id" is not a runtime expression',
      },
    },
  ],
  [
    'a consumed topic without a dead-letter channel',
    {
      files: {
        'shop/producer.yaml': producer(['/channels/items/x-dead-letter-channel', undefined]),
        'shop/consumer.yaml': consumer(),
      },
      want: {
        code: 'missing-dead-letter',
        file: 'shop/producer.yaml',
        pointer: '#/channels/items',
        messageIncludes: '"items.events" is consumed by g',
      },
    },
  ],
  [
    'two different messages with the same name on two topics',
    {
      files: {
        'shop/producer.yaml': producer(
          [
            '/channels/others',
            {
              address: 'others.events',
              messages: { OtherCreated: { $ref: '#/components/messages/OtherCreated' } },
            },
          ],
          [
            '/components/messages/OtherCreated',
            {
              ...(producer().components as { messages: Record<string, Doc> }).messages.ItemCreated,
              name: 'ItemCreated',
            },
          ],
        ),
      },
      want: {
        code: 'duplicate-event',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/OtherCreated',
        messageIncludes: 'shop/producer.yaml #/components/messages/ItemCreated',
      },
    },
  ],
  [
    'a second major version of an event on another topic',
    {
      files: {
        'shop/producer.yaml': producer(
          ['/components/messages/ItemCreated/x-schema-version', 2],
          [
            '/channels/others',
            {
              address: 'others.events',
              messages: { ItemCreatedV1: { $ref: '#/components/messages/ItemCreatedV1' } },
            },
          ],
          ['/components/messages/ItemCreatedV1', itemCreatedVersion(1)],
        ),
      },
      want: {
        code: 'event-version',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreatedV1',
        messageIncludes:
          'declared in versions 2 (shop/producer.yaml #/components/messages/ItemCreated) and 1 on different topics, "items.events" and "others.events"',
      },
    },
  ],
  [
    'a second major version of an event with another partition key',
    {
      files: {
        'shop/producer.yaml': withVersion1({
          ...itemCreatedVersion(1),
          'x-partition-key': '$message.payload#/title',
        }),
      },
      want: {
        code: 'event-version',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreatedV1',
        messageIncludes: 'with different partition keys, $message.payload#/id and $message.payload#/title',
      },
    },
  ],
  [
    'two messages with one name and one x-schema-version on one topic',
    {
      files: { 'shop/producer.yaml': withVersion1({ ...itemCreatedVersion(1), 'x-schema-version': 2 }) },
      want: {
        code: 'duplicate-event',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreatedV1',
        messageIncludes: 'give it another x-schema-version',
      },
    },
  ],
  [
    'an earlier version whose example breaks its own payload (strict rules hold for each version)',
    {
      files: {
        'shop/producer.yaml': withVersion1({
          ...itemCreatedVersion(1),
          examples: [{ name: 'old', payload: { id: 'a1', label: 'first', title: 'x' } }],
        }),
      },
      want: {
        code: 'invalid-example',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreatedV1/examples/0/payload',
        messageIncludes: 'must NOT have additional properties',
      },
    },
  ],
  [
    'an earlier version without a partition key (strict rules hold for each version)',
    {
      files: {
        'shop/producer.yaml': withVersion1({ ...itemCreatedVersion(1), 'x-partition-key': undefined }),
      },
      want: {
        code: 'partition-key',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreatedV1',
        messageIncludes: 'declares no x-partition-key',
      },
    },
  ],
  [
    'an example that breaks its payload schema',
    {
      files: {
        'shop/producer.yaml': producer(['/components/messages/ItemCreated/examples/0/payload/label', 5]),
      },
      want: {
        code: 'invalid-example',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreated/examples/0/payload',
        messageIncludes: '/label must be string',
      },
    },
  ],
  [
    'an AsyncAPI 1.2 document (2.0–2.6 are converted; older ones refused)',
    {
      files: {
        'shop/producer.yaml': producer(),
        'shop/legacy.yaml': stringify({
          asyncapi: '1.2.0',
          info: { title: 'Legacy', version: '1.0.0' },
          channels: {},
        }),
      },
      want: {
        code: 'unsupported',
        file: 'shop/legacy.yaml',
        pointer: '#/asyncapi',
        messageIncludes: 'AsyncAPI 1.2.0 is not supported',
      },
    },
  ],
  [
    'a property AsyncAPI does not define',
    {
      files: { 'shop/producer.yaml': producer(['/channels/items/colour', 'red']) },
      want: {
        code: 'asyncapi-invalid',
        file: 'shop/producer.yaml',
        pointer: '#/channels/items/colour',
        messageIncludes: 'colour',
      },
    },
  ],
  [
    'a parameterized address whose parameter has no location',
    {
      files: {
        'shop/producer.yaml': producer([
          '/channels/tenantItems',
          {
            address: 'items.{tenant}.events',
            parameters: { tenant: { description: 'Tenant id.' } },
            messages: {},
          },
        ]),
      },
      want: {
        code: 'unsupported',
        file: 'shop/producer.yaml',
        pointer: '#/channels/tenantItems/parameters/tenant',
        messageIncludes: 'parameter "tenant" of "items.{tenant}.events" needs a location',
      },
    },
  ],
  [
    'a content type other than JSON',
    {
      files: {
        'shop/producer.yaml': producer([
          '/components/messages/ItemCreated/contentType',
          'application/octet-stream',
        ]),
      },
      want: {
        code: 'unsupported',
        file: 'shop/producer.yaml',
        pointer: '#/components/messages/ItemCreated/contentType',
        messageIncludes: '"application/octet-stream"',
      },
    },
  ],
  [
    'a default content type other than JSON',
    {
      files: {
        'shop/producer.yaml': producer(
          ['/defaultContentType', 'application/octet-stream'],
          ['/components/messages/ItemCreated/contentType', undefined],
        ),
      },
      want: {
        code: 'unsupported',
        file: 'shop/producer.yaml',
        pointer: /^#\/defaultContentType$|^#\/components\/messages\/ItemCreated/,
        messageIncludes: '"application/octet-stream"',
      },
    },
  ],
  [
    'x-retry nonRetryable that is not a list of error class names',
    {
      files: {
        'shop/producer.yaml': producer(),
        'shop/consumer.yaml': consumer([
          '/operations/handleItems/x-retry',
          { maxAttempts: 3, nonRetryable: 'PermissionRuleViolation' },
        ]),
      },
      want: {
        code: 'invalid-value',
        file: 'shop/consumer.yaml',
        pointer: /^#\/operations\/handleItems\/x-retry(\/nonRetryable)?$/,
        messageIncludes: 'nonRetryable "PermissionRuleViolation" is invalid',
      },
    },
  ],
  [
    'two problems in two files are both reported',
    {
      files: {
        'shop/producer.yaml': producer([KEY, '$message.payload#/note']),
        'shop/consumer.yaml': consumer(['/operations/handleItems/colour', 'red']),
      },
      want: [
        {
          code: 'partition-key',
          file: 'shop/producer.yaml',
          pointer: `#${KEY}`,
          messageIncludes: '/note is optional',
        },
        {
          code: 'asyncapi-invalid',
          file: 'shop/consumer.yaml',
          pointer: '#/operations/handleItems/colour',
          messageIncludes: 'colour',
        },
      ],
    },
  ],
];

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes the files to a fresh working directory and runs generate there; returns what it threw. */
async function run(files: Case['files']): Promise<{ cwd: string; error: unknown }> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'bad-contracts-'));
  scratch.push(cwd);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(cwd, file)), { recursive: true });
    await writeFile(path.join(cwd, file), typeof content === 'string' ? content : stringify(content));
  }
  const error = await generate({ input: 'shop', outDir: 'out', runtimeEntry, cwd, mode: 'strict' }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return { cwd, error };
}

function matches(d: Diagnostic, want: Want): boolean {
  const pointer =
    typeof want.pointer === 'string' ? d.pointer === want.pointer : want.pointer.test(d.pointer);
  return d.severity === 'error' && d.code === want.code && d.file === want.file && pointer;
}

describe('generate rejects bad contracts with a precise diagnostic', () => {
  it('accepts the base contract set the cases start from', { timeout: 30_000 }, async () => {
    const { error } = await run({ 'shop/producer.yaml': producer(), 'shop/consumer.yaml': consumer() });
    expect(error).toBeUndefined();
  });

  it.each(cases)('%s', { timeout: 30_000 }, async (_name, { files, want }) => {
    const { cwd, error } = await run(files);
    expect(error).toBeInstanceOf(ContractError);
    const diagnostics = (error as ContractError).diagnostics;
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    for (const w of Array.isArray(want) ? want : [want]) {
      const hit = diagnostics.find((d) => matches(d, w));
      expect(hit, `want [${w.code}] ${w.file} ${w.pointer}; got:\n${shown}`).toBeDefined();
      expect(hit?.message, `the [${w.code}] message; all:\n${shown}`).toContain(w.messageIncludes);
    }
    // Files are named as `file` names them, relative to the working directory, in messages too.
    expect(shown, 'a diagnostic shows an absolute path').not.toContain(cwd);
  });
});
