/**
 * A deterministic set of AsyncAPI 3.1 documents in this repository's strict
 * conventions (asyncapi/README.md), for benchmarking the generator on a
 * contract set far larger than asyncapi/: `contexts` bounded contexts, each a
 * document publishing its share of `topics` (each with a dead-letter channel)
 * carrying `events` events in all, and consuming the first two topics of the
 * next context with one consumer group. The shared pieces (`common/`) are the
 * repository's own, copied beside the documents.
 *
 * The same options always give the same bytes (a seeded generator, no clock).
 *
 * `node bench/synthetic/contracts.ts <dir> [--events 500] [--topics 100] [--contexts 10]`
 * writes a set into `<dir>`.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

export interface SyntheticOptions {
  readonly events: number;
  readonly topics: number;
  readonly contexts: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = { events: 500, topics: 100, contexts: 10 };

export interface SyntheticSet {
  readonly dir: string;
  readonly documents: number;
  readonly events: number;
  readonly topics: number;
}

const CONTEXT_NAMES = [
  'billing',
  'catalog',
  'orders',
  'shipping',
  'inventory',
  'identity',
  'payments',
  'reviews',
  'marketing',
  'support',
  'pricing',
  'returns',
];
const ENTITIES = ['invoice', 'item', 'order', 'parcel', 'stock', 'account', 'charge', 'review', 'campaign'];
const VERBS = ['Created', 'Updated', 'Closed', 'Reopened', 'Archived', 'Approved', 'Rejected', 'Moved'];
const COMMON = path.resolve(import.meta.dirname, '..', '..', 'asyncapi', 'common');
const TIMESTAMP_REF = '../common/schemas.yaml#/components/schemas/Timestamp';
const ENVELOPE_REF = '../common/envelope.yaml#/components/schemas/EnvelopeHeaders';
const RETRY_REF = '../common/retry.yaml#/default';

/** mulberry32: a small seeded generator, so the set never depends on Math.random. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Field {
  readonly schema: Record<string, unknown>;
  readonly example: unknown;
}

/** One optional-looking but required field of a kind chosen by `pick` (closed payloads list every field). */
function field(kind: number, name: string): Field {
  const description = `The ${name} of the synthetic event.`;
  switch (kind % 6) {
    case 0:
      return {
        schema: { type: 'string', minLength: 1, maxLength: 200, description },
        example: `${name} text`,
      };
    case 1:
      return { schema: { type: 'integer', minimum: 0, description }, example: 7 };
    case 2:
      return { schema: { type: 'boolean', description }, example: true };
    case 3:
      return {
        schema: { type: 'string', enum: ['low', 'medium', 'high'], description },
        example: 'medium',
      };
    case 4:
      return { schema: { type: ['string', 'null'], maxLength: 100, description }, example: null };
    default:
      return { schema: { type: 'number', minimum: 0, description }, example: 12.5 };
  }
}

interface TopicPlan {
  readonly channelId: string;
  readonly address: string;
  readonly partitions: number;
  readonly events: readonly string[];
}

/** Splits `total` into `parts` counts differing by at most one. */
const spread = (total: number, parts: number): number[] =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

function plan(options: SyntheticOptions): { context: string; topics: TopicPlan[] }[] {
  if (options.contexts < 2) throw new Error('synthetic contracts: at least 2 contexts are needed');
  if (options.topics < options.contexts * 2)
    throw new Error('synthetic contracts: at least 2 topics per context are needed');
  if (options.events < options.topics) throw new Error('synthetic contracts: at least 1 event per topic');
  const eventsPerTopic = spread(options.events, options.topics);
  const topicsPerContext = spread(options.topics, options.contexts);
  let topicIndex = 0;
  return topicsPerContext.map((count, c) => {
    const base = CONTEXT_NAMES[c % CONTEXT_NAMES.length]!;
    const context = c < CONTEXT_NAMES.length ? base : `${base}${Math.floor(c / CONTEXT_NAMES.length) + 1}`;
    const topics = Array.from({ length: count }, (_, t) => {
      const entity = `${ENTITIES[(c + t) % ENTITIES.length]}${t + 1}`;
      const n = eventsPerTopic[topicIndex++]!;
      return {
        channelId: `${context}${pascal(entity)}Events`,
        address: `${context}.${entity}.events`,
        partitions: [3, 6, 12][t % 3]!,
        events: Array.from(
          { length: n },
          (_, e) =>
            `${pascal(context)}${pascal(entity)}${VERBS[e % VERBS.length]}${e >= VERBS.length ? Math.floor(e / VERBS.length) + 1 : ''}`,
        ),
      };
    });
    return { context, topics };
  });
}

const kafkaBinding = (partitions: number, retentionMs: number) => ({
  kafka: {
    bindingVersion: '0.5.0',
    partitions,
    replicas: 3,
    topicConfiguration: {
      'cleanup.policy': ['delete'],
      'retention.ms': retentionMs,
      'min.insync.replicas': 2,
    },
  },
});

function message(name: string, keyField: string, random: () => number, context: string) {
  const fields: Record<string, Field> = {
    [keyField]: {
      schema: { type: 'string', minLength: 1, description: 'Id of the entity; the partition key.' },
      example: `${context}-42`,
    },
  };
  const extra = 2 + Math.floor(random() * 6);
  for (let i = 0; i < extra; i++) fields[`field${i + 1}`] = field(Math.floor(random() * 6), `field${i + 1}`);
  fields.occurredAt = { schema: { $ref: TIMESTAMP_REF }, example: '2026-01-27T09:30:00Z' };
  return {
    name,
    title: name.replace(/([a-z0-9])([A-Z])/g, '$1 $2'),
    summary: `Synthetic event ${name}.`,
    contentType: 'application/json',
    'x-schema-version': 1,
    'x-partition-key': `$message.payload#/${keyField}`,
    headers: { $ref: ENVELOPE_REF },
    payload: {
      type: 'object',
      description: `Payload of ${name}.`,
      additionalProperties: false,
      required: Object.keys(fields),
      properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.schema])),
    },
    examples: [
      {
        name: 'example',
        summary: `A ${name} event.`,
        payload: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.example])),
      },
    ],
  };
}

function document(
  context: string,
  topics: readonly TopicPlan[],
  consumed: { readonly context: string; readonly topics: readonly TopicPlan[] },
  random: () => number,
) {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const topic of topics) {
    const keyField = `${topic.address.split('.')[1]!.replace(/\d+$/, '')}Id`;
    for (const event of topic.events) messages[event] = message(event, keyField, random, context);
    channels[topic.channelId] = {
      address: topic.address,
      title: topic.address,
      description: `Synthetic topic ${topic.address}.`,
      messages: Object.fromEntries(topic.events.map((e) => [e, { $ref: `#/components/messages/${e}` }])),
      bindings: kafkaBinding(topic.partitions, 604_800_000),
      'x-dead-letter-channel': { $ref: `#/channels/${topic.channelId}Dlq` },
    };
    channels[`${topic.channelId}Dlq`] = {
      address: `${topic.address}.dlq`,
      title: `${topic.address}.dlq`,
      description: `Dead-letter topic of ${topic.address}.`,
      messages: {},
      bindings: kafkaBinding(topic.partitions, 1_209_600_000),
    };
    operations[`publish${pascal(topic.channelId)}`] = {
      action: 'send',
      title: `Publish ${topic.address}`,
      summary: `The ${context} context publishes to ${topic.address}.`,
      channel: { $ref: `#/channels/${topic.channelId}` },
      messages: topic.events.map((e) => ({ $ref: `#/channels/${topic.channelId}/messages/${e}` })),
    };
  }
  for (const topic of consumed.topics) {
    const localId = topic.channelId;
    channels[localId] = { $ref: `./${consumed.context}.yaml#/channels/${topic.channelId}` };
    operations[`consume${pascal(localId)}`] = {
      action: 'receive',
      title: `Consume ${topic.address}`,
      summary: `${context}-group consumes ${topic.address}.`,
      channel: { $ref: `#/channels/${localId}` },
      messages: topic.events.map((e) => ({ $ref: `#/channels/${localId}/messages/${e}` })),
      bindings: {
        kafka: { bindingVersion: '0.5.0', groupId: { type: 'string', enum: [`${context}-group`] } },
      },
      'x-retry': { $ref: RETRY_REF },
    };
  }
  return {
    asyncapi: '3.1.0',
    id: `urn:contract-events:synthetic:${context}`,
    info: {
      title: `Synthetic — ${pascal(context)} context`,
      version: '1.0.0',
      description: `Synthetic ${context} context for the generator benchmark.`,
    },
    defaultContentType: 'application/json',
    servers: {
      local: { $ref: '../common/servers.yaml#/components/servers/local' },
      production: { $ref: '../common/servers.yaml#/components/servers/production' },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** Writes the set into `dir` (emptied first): `dir/common/*` and `dir/synthetic/<context>.yaml`. */
export function writeSyntheticContracts(
  dir: string,
  options: SyntheticOptions = DEFAULT_SYNTHETIC,
): SyntheticSet {
  const contexts = plan(options);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'synthetic'), { recursive: true });
  cpSync(COMMON, path.join(dir, 'common'), { recursive: true });
  const random = seeded(options.events * 7919 + options.topics * 31 + options.contexts);
  contexts.forEach(({ context, topics }, i) => {
    const next = contexts[(i + 1) % contexts.length]!;
    const consumed = { context: next.context, topics: next.topics.slice(0, 2) };
    writeFileSync(
      path.join(dir, 'synthetic', `${context}.yaml`),
      stringify(document(context, topics, consumed, random), { lineWidth: 0 }),
    );
  });
  return { dir, documents: contexts.length, events: options.events, topics: options.topics };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      events: { type: 'string', default: String(DEFAULT_SYNTHETIC.events) },
      topics: { type: 'string', default: String(DEFAULT_SYNTHETIC.topics) },
      contexts: { type: 'string', default: String(DEFAULT_SYNTHETIC.contexts) },
    },
  });
  const dir = positionals[0];
  if (!dir)
    throw new Error(
      'usage: node bench/synthetic/contracts.ts <dir> [--events N] [--topics N] [--contexts N]',
    );
  const set = writeSyntheticContracts(path.resolve(dir), {
    events: Number(values.events),
    topics: Number(values.topics),
    contexts: Number(values.contexts),
  });
  console.log(`${set.documents} documents, ${set.events} events, ${set.topics} topics in ${set.dir}`);
}
