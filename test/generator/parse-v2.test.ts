/**
 * AsyncAPI 2.0–2.6 documents are converted to 3.0 inside the pipeline. The
 * fixture (test/fixtures/parse/v2) is a 2.6 document over four files: a
 * channel item and a message written in other files, a payload in a third.
 * What must hold: 2.x's inverted verbs come out right (`subscribe` = the
 * document's application sends, `publish` = it receives), the Kafka bindings
 * survive, and every diagnostic names the 2.x file and pointer as written,
 * not the converted document's `#/operations/…`.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { NO_CONFIG } from '../../generator/config.ts';
import { ContractError, type Diagnostic, formatDiagnostic } from '../../generator/diagnostics.ts';
import { type GenerateResult, generate } from '../../generator/generate.ts';
import { loadDocuments } from '../../generator/parse/load-documents.ts';
import { RawFiles } from '../../generator/parse/raw-files.ts';
import { applyEdits } from '../support/json-edits.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'parse', 'v2');

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Edit = [file: string, pointer: string, value: unknown];

/** The fixture copied to a temporary folder `shop/` with JSON-pointer edits (`undefined` deletes). */
async function copyWith(edits: readonly Edit[]): Promise<string> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-v2-'));
  scratch.push(cwd);
  await cp(fixture, path.join(cwd, 'shop'), { recursive: true });
  for (const [file, at, value] of edits) {
    const target = path.join(cwd, 'shop', file);
    const root = applyEdits(parse(await readFile(target, 'utf8')) as Record<string, unknown>, [[at, value]]);
    await writeFile(target, stringify(root));
  }
  return cwd;
}

async function run(
  cwd: string,
  mode: 'strict' | 'lenient',
): Promise<{ result?: GenerateResult; diagnostics: readonly Diagnostic[] }> {
  try {
    const result = await generate({
      input: 'shop',
      outDir: 'out',
      runtimeEntry,
      cwd,
      mode,
      config: NO_CONFIG,
    });
    return { result, diagnostics: result.diagnostics };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return { diagnostics: error.diagnostics };
  }
}

describe('AsyncAPI 2.x documents are converted to 3.0', () => {
  it.each(['lenient', 'strict'] as const)(
    'in %s mode, subscribe makes the document a producer and publish a consumer group',
    { timeout: 60_000 },
    async (mode) => {
      const { result, diagnostics } = await run(await copyWith([]), mode);
      expect(result, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
      const topic = (address: string) => result!.catalog.topics.find((t) => t.address === address);
      expect(topic('items.events')).toMatchObject({
        producers: ['shop'],
        consumerGroups: [],
        events: ['ItemCreated'],
      });
      expect(topic('orders.events')).toMatchObject({
        producers: [],
        consumerGroups: ['shop-orders'],
        events: ['OrderPlaced'],
        deadLetterTopic: 'orders.events.dlq',
      });
      expect(result!.documents).toEqual(['shop/shop.yaml']);
      // The channel written in channels.yaml is located there, not in the converted document.
      expect(topic('orders.events')?.location.file).toBe(
        path.join(path.dirname(result!.catalog.topics[0]!.location.file), 'channels.yaml'),
      );
    },
  );

  it('keeps the Kafka bindings: channel topic, operation groupId, message key', {
    timeout: 60_000,
  }, async () => {
    const raw = new RawFiles();
    const file = path.join(fixture, 'shop.yaml');
    const { documents, diagnostics } = await loadDocuments([file], raw, { display: (p) => p });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [loaded] = documents;
    expect(loaded?.version).toBe('2.6.0');
    const json = loaded!.document.json() as unknown as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    const channels = json.channels!;
    const operations = json.operations!;
    expect(channels['orders.events']).toMatchObject({
      address: 'orders.events',
      bindings: { kafka: { topic: 'orders.events', partitions: 3 } },
    });
    expect(operations.handleOrders).toMatchObject({
      action: 'receive',
      bindings: { kafka: { groupId: { enum: ['shop-orders'] } } },
    });
    expect(operations.publishItems).toMatchObject({ action: 'send' });
    expect(channels['items.events']).toMatchObject({
      messages: { ItemCreated: { bindings: { kafka: { key: { type: 'string' } } } } },
    });
    // The per-document locate traces converted paths back to what was written.
    expect(await loaded!.locate(['operations', 'publishItems'])).toEqual({
      file,
      pointer: '#/channels/items.events/subscribe',
    });
    expect(await loaded!.locate(['operations', 'handleOrders', 'bindings', 'kafka', 'groupId'])).toEqual({
      file: path.join(fixture, 'channels.yaml'),
      pointer: '#/orders/publish/bindings/kafka/groupId',
    });
    expect(
      await loaded!.locate(['channels', 'items.events', 'messages', 'ItemCreated', 'payload', 'schema']),
    ).toEqual({ file: path.join(fixture, 'schemas.yaml'), pointer: '#/Item' });
  });

  const inlineMessage = {
    name: 'ItemCreated',
    contentType: 'application/json',
    schemaFormat: 'application/vnd.aai.asyncapi+json;version=2.6.0',
    'x-partition-key': '$message.payload#/id',
    payload: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' } },
    },
    examples: [{ name: 'first', payload: { id: 'a1' } }],
  };

  const cases: [
    string,
    {
      mode: 'strict' | 'lenient';
      edits: Edit[];
      code: string;
      file: string;
      pointer: string;
      includes: string;
    },
  ][] = [
    [
      'an unknown property on a subscribe operation',
      {
        mode: 'lenient',
        edits: [['shop.yaml', '/channels/items.events/subscribe/colour', 'red']],
        code: 'asyncapi-invalid',
        file: 'shop/shop.yaml',
        pointer: '#/channels/items.events/subscribe/colour',
        includes: 'colour',
      },
    ],
    [
      'an unknown property on a message written inside the operation',
      {
        mode: 'lenient',
        edits: [
          ['shop.yaml', '/channels/items.events/subscribe/message', { ...inlineMessage, colour: 'red' }],
        ],
        code: 'asyncapi-invalid',
        file: 'shop/shop.yaml',
        pointer: '#/channels/items.events/subscribe/message/colour',
        includes: 'colour',
      },
    ],
    [
      'a payload schema error in a message with schemaFormat',
      {
        mode: 'lenient',
        edits: [
          [
            'shop.yaml',
            '/channels/items.events/subscribe/message',
            { ...inlineMessage, payload: { ...inlineMessage.payload, properties: { id: { type: 5 } } } },
          ],
        ],
        code: 'asyncapi-invalid',
        file: 'shop/shop.yaml',
        pointer: '#/channels/items.events/subscribe/message/payload/properties/id/type',
        includes: 'type',
      },
    ],
    [
      'a partition key naming a missing field, on a message written inside the operation',
      {
        mode: 'strict',
        edits: [
          [
            'shop.yaml',
            '/channels/items.events/subscribe/message',
            { ...inlineMessage, 'x-partition-key': '$message.payload#/nope' },
          ],
        ],
        code: 'partition-key',
        file: 'shop/shop.yaml',
        pointer: '#/channels/items.events/subscribe/message/x-partition-key',
        includes: '/nope',
      },
    ],
    [
      'a partition key naming a missing field, in a message file',
      {
        mode: 'strict',
        edits: [['messages.yaml', '/ItemCreated/x-partition-key', '$message.payload#/nope']],
        code: 'partition-key',
        file: 'shop/messages.yaml',
        pointer: '#/ItemCreated/x-partition-key',
        includes: '/nope',
      },
    ],
    [
      'an example that breaks its payload, in a message file',
      {
        mode: 'lenient',
        edits: [['messages.yaml', '/ItemCreated/examples/0/payload/label', 5]],
        code: 'invalid-example',
        file: 'shop/messages.yaml',
        pointer: '#/ItemCreated/examples/0/payload',
        includes: 'label',
      },
    ],
    [
      'a publish operation (a receive) without groupId, in a channel file',
      {
        mode: 'lenient',
        edits: [['channels.yaml', '/orders/publish/bindings', undefined]],
        code: 'missing-field',
        file: 'shop/channels.yaml',
        pointer: '#/orders/publish',
        includes: 'groupId',
      },
    ],
  ];

  it.each(cases)(
    '%s is reported where the 2.x document says it',
    { timeout: 60_000 },
    async (_name, want) => {
      const { diagnostics } = await run(await copyWith(want.edits), want.mode);
      const shown = diagnostics.map(formatDiagnostic).join('\n');
      const match = diagnostics.find((d) => d.code === want.code && d.message.includes(want.includes));
      expect(match, `no ${want.code} diagnostic mentioning ${want.includes} in:\n${shown}`).toBeDefined();
      expect({ file: match!.file, pointer: match!.pointer }, shown).toEqual({
        file: want.file,
        pointer: want.pointer,
      });
    },
  );
});

describe('AsyncAPI versions', () => {
  const minimal = (version: string) =>
    stringify({
      asyncapi: version,
      info: { title: 'Legacy', version: '1.0.0' },
      channels: {
        'legacy.events': {
          subscribe: {
            message: {
              name: 'LegacyHappened',
              // Today's model wants a partition key even in lenient mode; harmless once it does not.
              'x-partition-key': '$message.payload#/id',
              payload: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
              examples: [{ payload: { id: 'a1' } }],
            },
          },
        },
      },
    });

  it.each(['2.0.0', '2.3.0', '2.6.0'])(
    '%s is converted and generates',
    { timeout: 60_000 },
    async (version) => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-version-'));
      scratch.push(cwd);
      await writeFile(path.join(cwd, 'legacy.yaml'), minimal(version));
      const result = await generate({
        input: cwd,
        outDir: 'out',
        runtimeEntry,
        cwd,
        mode: 'lenient',
        config: NO_CONFIG,
      });
      expect(result.catalog.topics.find((t) => t.address === 'legacy.events')?.producers).toEqual(['legacy']);
    },
  );

  it.each(['1.2.0', '2.0.0-rc2', '2.7.0', '4.0.0'])(
    '%s is refused, naming the version',
    { timeout: 60_000 },
    async (version) => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-version-'));
      scratch.push(cwd);
      await writeFile(path.join(cwd, 'legacy.yaml'), minimal(version));
      const error = await generate({
        input: cwd,
        outDir: 'out',
        runtimeEntry,
        cwd,
        mode: 'lenient',
        config: NO_CONFIG,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ContractError);
      expect((error as ContractError).diagnostics).toContainEqual(
        expect.objectContaining({
          code: 'unsupported',
          file: 'legacy.yaml',
          pointer: '#/asyncapi',
          message: expect.stringContaining(`AsyncAPI ${version} is not supported`),
        }),
      );
    },
  );
});

describe('2.x dialects the conversion normalizes', () => {
  /** Loads one 2.x document (strict: nothing tolerated) written to a temporary folder. */
  async function load(doc: Record<string, unknown>) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parse-dialect-'));
    scratch.push(dir);
    await writeFile(path.join(dir, 'legacy.yaml'), stringify(doc));
    const { documents, diagnostics } = await loadDocuments([path.join(dir, 'legacy.yaml')], new RawFiles(), {
      display: (p) => path.relative(dir, p),
    });
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    expect(
      diagnostics.filter((d) => d.severity === 'error'),
      shown,
    ).toEqual([]);
    return documents[0]!.document.json() as unknown as {
      channels: Record<string, { bindings?: Json; messages: Record<string, Json> }>;
      operations: Record<string, { bindings?: Json }>;
    };
  }
  type Json = Record<string, unknown>;
  const legacy = (message: Json, operation: Json = {}, channel: Json = {}) => ({
    asyncapi: '2.0.0',
    info: { title: 'Legacy', version: '1.0.0' },
    channels: { 'legacy.events': { ...channel, subscribe: { operationId: 'send', ...operation, message } } },
  });

  it.each(['0.1.0', '0.2.0', 'latest'])(
    'Kafka bindingVersion %s is read as a version 3.x knows',
    { timeout: 30_000 },
    async (v) => {
      const json = await load(
        legacy(
          {
            messageId: 'A',
            name: 'A',
            payload: { type: 'string' },
            bindings: { kafka: { bindingVersion: v, key: { type: 'string' } } },
          },
          { bindings: { kafka: { bindingVersion: v, groupId: { type: 'string', enum: ['g'] } } } },
          { bindings: { kafka: { bindingVersion: v } } },
        ),
      );
      const want = v === 'latest' ? undefined : '0.3.0';
      expect(json.operations.send?.bindings).toEqual({
        kafka: { groupId: { type: 'string', enum: ['g'] }, ...(want ? { bindingVersion: want } : {}) },
      });
      expect(json.channels['legacy.events']?.messages.A?.bindings).toMatchObject({
        kafka: { key: { type: 'string' } },
      });
    },
  );

  it('a parameter keeps the enum of a referenced schema; a keyword 3.x has no place for is a warning', {
    timeout: 30_000,
  }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parse-dialect-'));
    scratch.push(dir);
    await writeFile(
      path.join(dir, 'legacy.yaml'),
      stringify({
        asyncapi: '2.6.0',
        info: { title: 'Legacy', version: '1.0.0' },
        channels: {
          'orders.{region}.{shop}': {
            parameters: {
              region: { schema: { $ref: '#/components/schemas/Region' } },
              shop: { schema: { type: 'string', pattern: '^[a-z]+$', default: 'main' } },
            },
            subscribe: { operationId: 'send', message: { messageId: 'A', payload: { type: 'string' } } },
          },
        },
        components: { schemas: { Region: { type: 'string', enum: ['eu', 'us'] } } },
      }),
    );
    const { documents, diagnostics } = await loadDocuments([path.join(dir, 'legacy.yaml')], new RawFiles(), {
      display: (p) => path.relative(dir, p),
    });
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    const json = documents[0]?.document.json() as unknown as {
      channels: Record<string, { parameters: Json }>;
    };
    expect(json.channels['orders.{region}.{shop}']?.parameters, shown).toMatchObject({
      region: { enum: ['eu', 'us'] },
      shop: { default: 'main' },
    });
    expect(diagnostics, shown).toContainEqual(
      expect.objectContaining({
        code: 'unsupported',
        severity: 'warning',
        file: 'legacy.yaml',
        pointer: '#/channels/orders.{region}.{shop}/parameters/shop/schema/pattern',
        message: expect.stringContaining('pattern'),
      }),
    );
    expect(
      diagnostics.filter((d) => d.pointer.includes('/region')),
      shown,
    ).toEqual([]);
  });

  it('the same message written inline in two operations is one event on both topics', {
    timeout: 30_000,
  }, async () => {
    const message = {
      name: 'ItemCreated',
      'x-partition-key': '$message.payload#/id',
      payload: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      examples: [{ payload: { id: 'a1' } }],
    };
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-dialect-'));
    scratch.push(cwd);
    await writeFile(
      path.join(cwd, 'legacy.yaml'),
      stringify({
        asyncapi: '2.6.0',
        info: { title: 'Legacy', version: '1.0.0' },
        channels: {
          'items.created': { subscribe: { message } },
          'items.audit': { subscribe: { message } },
        },
      }),
    );
    const result = await generate({
      input: cwd,
      outDir: 'out',
      runtimeEntry,
      cwd,
      mode: 'lenient',
      config: NO_CONFIG,
    });
    expect(result.catalog.events.map((e) => e.name)).toEqual(['ItemCreated']);
    expect(result.catalog.events[0]?.location).toEqual({
      file: path.join(cwd, 'legacy.yaml'),
      pointer: '#/channels/items.created/subscribe/message',
    });
    expect(
      result.catalog.topics
        .filter((t) => t.events.includes('ItemCreated'))
        .map((t) => t.address)
        .sort(),
    ).toEqual(['items.audit', 'items.created']);
  });

  it("Microcks' named examples, with JSON-text headers and payload, become 3.x examples", {
    timeout: 30_000,
  }, async () => {
    const json = await load(
      legacy({
        messageId: 'A',
        name: 'A',
        payload: { type: 'object', properties: { id: { type: 'string' } } },
        examples: [
          {
            laurent: {
              summary: 'Laurent',
              headers: '{"sentAt": "2020-03-11T08:03:28Z"}',
              payload: '{"id": "l1"}',
            },
          },
          { john: { payload: { id: 'j1' } } },
        ],
      }),
    );
    expect(json.channels['legacy.events']?.messages.A?.examples).toEqual([
      {
        name: 'laurent',
        summary: 'Laurent',
        headers: { sentAt: '2020-03-11T08:03:28Z' },
        payload: { id: 'l1' },
      },
      { name: 'john', payload: { id: 'j1' } },
    ]);
  });
});

describe('a 3.x document referencing a channel of a 2.x document', () => {
  const mixed = path.join(repoRoot, 'test', 'fixtures', 'parse', 'mixed');

  it('sees the 2.x channel in its 3.x shape: their send, our consumer group', {
    timeout: 60_000,
  }, async () => {
    const result = await generate({
      input: mixed,
      outDir: 'out',
      runtimeEntry,
      cwd: repoRoot,
      mode: 'lenient',
      config: NO_CONFIG,
    });
    const topic = result.catalog.topics.find((t) => t.address === 'orders.events');
    expect(topic).toMatchObject({ producers: ['theirs'], consumerGroups: ['ours'], events: ['OrderPlaced'] });
    expect(result.catalog.events.find((e) => e.name === 'OrderPlaced')?.location).toEqual({
      file: path.join(mixed, 'theirs.yaml'),
      pointer: '#/components/messages/OrderPlaced',
    });
  });

  it('a schema error in the 2.x document, met while parsing ours, names its written pointer', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-mixed-'));
    scratch.push(cwd);
    await cp(mixed, path.join(cwd, 'shop'), { recursive: true });
    const theirs = path.join(cwd, 'shop', 'theirs.yaml');
    const doc = parse(await readFile(theirs, 'utf8')) as {
      channels: Record<string, { subscribe?: { message: unknown } }>;
      components: { messages: Record<string, Record<string, unknown>> };
    };
    doc.channels['orders.events']!.subscribe!.message = {
      ...doc.components.messages.OrderPlaced,
      colour: 'red',
    };
    await writeFile(theirs, stringify(doc));
    const { diagnostics } = await run(cwd, 'lenient');
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    const colour = diagnostics.filter((d) => d.message.includes('colour'));
    expect(colour, shown).toContainEqual(
      expect.objectContaining({
        file: 'shop/theirs.yaml',
        pointer: '#/channels/orders.events/subscribe/message/colour',
      }),
    );
    // Never the converted document's place for it.
    expect(
      colour.filter((d) => d.pointer.includes('/messages/')),
      shown,
    ).toEqual([]);
  });

  it('a reference to a message the conversion does not have is reported where it is written', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-mixed-'));
    scratch.push(cwd);
    await cp(mixed, path.join(cwd, 'shop'), { recursive: true });
    const ours = path.join(cwd, 'shop', 'ours.yaml');
    await writeFile(ours, (await readFile(ours, 'utf8')).replace('messages/OrderPlaced"', 'messages/Nope"'));
    const { diagnostics } = await run(cwd, 'lenient');
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    expect(diagnostics, shown).toContainEqual(
      expect.objectContaining({
        code: 'unresolved-ref',
        file: 'shop/ours.yaml',
        pointer: '#/operations/onOrder/messages/0/$ref',
        message: expect.stringContaining('Nope'),
      }),
    );
  });
});
