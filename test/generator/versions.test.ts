/**
 * The catalog of an event declared in several major versions: the valid base
 * (test/fixtures/bad/base) with ItemCreated's earlier versions added beside it,
 * read by parse → model. One EventModel per name, the highest version current,
 * the earlier ones attached oldest first with their own payload, examples,
 * location and `deprecated`; the topic and the consumer group name it once.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { NO_CONFIG } from '../../generator/config.ts';
import { readContracts } from '../../generator/generate.ts';
import type { EventModel } from '../../generator/model/catalog.ts';

const root = path.resolve(import.meta.dirname, '../..');
const base = path.join(root, 'test', 'fixtures', 'bad', 'base');
const PRODUCER = readFileSync(path.join(base, 'producer.yaml'), 'utf8');
const CONSUMER = readFileSync(path.join(base, 'consumer.yaml'), 'utf8');
type Doc = Record<string, unknown>;

/** ItemCreated in major version `version`, with a field of its own (`title<version>`). */
function version(n: number, deprecated: boolean): Doc {
  const field = `title${n}`;
  return {
    name: 'ItemCreated',
    contentType: 'application/json',
    'x-schema-version': n,
    'x-partition-key': '$message.payload#/id',
    ...(deprecated ? { deprecated: true } : {}),
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['id', field],
      properties: { id: { type: 'string' }, [field]: { type: 'string' } },
    },
    examples: [{ name: `v${n}`, payload: { id: 'a1', [field]: 'x' } }],
  };
}

interface Case {
  /** x-schema-version of the base's ItemCreated message. */
  readonly current: number;
  /** Earlier versions added (message key ItemCreatedV<n>), in the order the channel lists them. */
  readonly earlier: readonly { n: number; deprecated: boolean; listedFirst?: boolean }[];
  /** The consumer's receive operation lists only the current version's message. */
  readonly consumerListsCurrentOnly?: boolean;
  readonly want: { current: number; versions: [number, boolean][] };
}

const cases: [string, Case][] = [
  ['one version: no versions attached', { current: 1, earlier: [], want: { current: 1, versions: [] } }],
  [
    'version 1 beside version 2',
    { current: 2, earlier: [{ n: 1, deprecated: true }], want: { current: 2, versions: [[1, true]] } },
  ],
  [
    'version 1 listed before version 2 in the channel: the highest is still current',
    {
      current: 2,
      earlier: [{ n: 1, deprecated: false, listedFirst: true }],
      want: { current: 2, versions: [[1, false]] },
    },
  ],
  [
    'three versions, oldest first',
    {
      current: 3,
      earlier: [
        { n: 2, deprecated: false },
        { n: 1, deprecated: true },
      ],
      want: {
        current: 3,
        versions: [
          [1, true],
          [2, false],
        ],
      },
    },
  ],
  [
    'a consumer that lists only the current message handles the event, every version of it',
    {
      current: 2,
      earlier: [{ n: 1, deprecated: true }],
      consumerListsCurrentOnly: true,
      want: { current: 2, versions: [[1, true]] },
    },
  ],
];

const scratch = await mkdtemp(path.join(os.tmpdir(), 'event-versions-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function catalogOf(name: string, c: Case) {
  const dir = path.join(scratch, name.replace(/\W+/g, '-'));
  const producer = parse(PRODUCER) as { channels: { items: Doc }; components: { messages: Doc } };
  const consumer = parse(CONSUMER) as { operations: { handleItems: Doc } };
  const messages = producer.components.messages as Record<string, Doc>;
  messages.ItemCreated = { ...version(c.current, false) };
  const channelMessages: Record<string, unknown> = {};
  const ref = (key: string) => ({ $ref: `#/components/messages/${key}` });
  for (const e of c.earlier.filter((v) => v.listedFirst))
    channelMessages[`ItemCreatedV${e.n}`] = ref(`ItemCreatedV${e.n}`);
  channelMessages.ItemCreated = ref('ItemCreated');
  for (const e of c.earlier.filter((v) => !v.listedFirst))
    channelMessages[`ItemCreatedV${e.n}`] = ref(`ItemCreatedV${e.n}`);
  for (const e of c.earlier) messages[`ItemCreatedV${e.n}`] = version(e.n, e.deprecated);
  producer.channels.items.messages = channelMessages;
  consumer.operations.handleItems.messages = [
    { $ref: '#/channels/items/messages/ItemCreated' },
    ...(c.consumerListsCurrentOnly
      ? []
      : c.earlier.map((e) => ({ $ref: `#/channels/items/messages/ItemCreatedV${e.n}` }))),
  ];
  await mkdir(path.join(dir, 'shop'), { recursive: true });
  await writeFile(path.join(dir, 'shop', 'producer.yaml'), stringify(producer));
  await writeFile(path.join(dir, 'shop', 'consumer.yaml'), stringify(consumer));
  const read = await readContracts({
    input: 'shop',
    cwd: dir,
    outDir: path.join(dir, 'out'),
    runtimeEntry: path.join(root, 'runtime', 'contract', 'index.ts'),
    mode: 'strict',
    config: NO_CONFIG,
  });
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return read.catalog;
}

describe('an event in several major versions is one event of the catalog', () => {
  it.each(cases)('%s', async (name, c) => {
    const catalog = await catalogOf(name, c);
    expect(catalog.events.map((e) => e.name)).toEqual(['ItemCreated']);
    const event = catalog.events[0] as EventModel;
    expect(event.schemaVersion).toBe(c.want.current);
    expect(event.location.pointer).toBe('#/components/messages/ItemCreated');
    expect((event.versions ?? []).map((v) => [v.schemaVersion, v.deprecated])).toEqual(c.want.versions);
    // Each version keeps its own payload, examples and place; topic, owner and source are the event's.
    for (const v of [event, ...(event.versions ?? [])]) {
      const field = `title${v.schemaVersion}`;
      expect(Object.keys((v.payload as { properties: object }).properties)).toEqual(['id', field]);
      expect(v.examples.map((x) => x.name)).toEqual([`v${v.schemaVersion}`]);
      expect(v.location.pointer).toBe(
        v === event
          ? '#/components/messages/ItemCreated'
          : `#/components/messages/ItemCreatedV${v.schemaVersion}`,
      );
      expect([v.topic, v.owner, v.source]).toEqual(['items.events', 'producer', 'urn:test:producer']);
    }
    expect(catalog.topics.find((t) => t.address === 'items.events')?.events).toEqual(['ItemCreated']);
    expect(catalog.consumerGroups[0]?.subscriptions[0]?.events).toEqual(['ItemCreated']);
  });
});
