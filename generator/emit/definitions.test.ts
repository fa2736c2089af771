/**
 * Table tests of the emitters that wire events to the runtime (events.ts,
 * topics.ts, producers.ts, consumers.ts): one small catalog per case, the
 * lines its output must and must not hold. Whole-file output is covered by
 * the golden fixtures; these pin each rule on its own.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog, EventKey, Subscription, TopicParameter } from '../model/catalog.ts';
import { DEFAULT_RETRY } from '../model/retry.ts';
import { assignNames } from '../naming/names.ts';
import { emitCatalog } from './catalog.ts';
import { emitConsumers } from './consumers.ts';
import { emitEvents } from './events.ts';
import { emitExamples } from './examples.ts';
import { emitOutbox } from './outbox.ts';
import { emitProducers } from './producers.ts';
import { catalogOf } from './test-catalog.ts';
import { emitTopics } from './topics.ts';
import { emitTypes } from './types.ts';

const runtime = './runtime.ts';
const payload = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

interface Variant {
  readonly name?: string;
  readonly key?: EventKey;
  readonly parameters?: readonly TopicParameter[];
  readonly address?: string;
  readonly subscription?: Partial<Pick<Subscription, 'retry' | 'deadLetterTopic'>>;
  /** Earlier major versions carried beside the event (its current version is the highest + 1). */
  readonly versions?: readonly { readonly n: number; readonly deprecated?: boolean }[];
}

/** An earlier version's payload: `title` where the current one has only `id`. */
const olderPayload = {
  type: 'object',
  required: ['id', 'title'],
  properties: { id: { type: 'string' }, title: { type: 'string' } },
};

/** One event on one topic, consumed by group `g` when `subscription` is given. */
function catalog(v: Variant): Catalog {
  const address = v.address ?? 'test.events';
  const base = catalogOf([{ name: v.name ?? 'ThingHappened', payload, topic: address }]);
  const first = { ...base.events[0]!, ...(v.key ? { key: v.key } : {}) };
  const versions = (v.versions ?? []).map((o) => ({
    ...first,
    schemaVersion: o.n,
    payload: olderPayload,
    deprecated: o.deprecated ?? false,
    location: { file: 'test.yaml', pointer: `#/components/messages/${first.name}V${o.n}` },
  }));
  const event = versions.length
    ? { ...first, schemaVersion: Math.max(...versions.map((o) => o.schemaVersion)) + 1, versions }
    : first;
  const topic = { ...base.topics[0]!, parameters: v.parameters ?? [], deadLetterTopic: `${address}.dlq` };
  const groups = v.subscription
    ? [
        {
          groupId: 'g',
          context: 'test',
          subscriptions: [
            {
              topic: address,
              events: [event.name],
              retry: v.subscription.retry ?? DEFAULT_RETRY,
              deadLetterTopic: v.subscription.deadLetterTopic ?? `${address}.dlq`,
              operationId: 'onThing',
              location: { file: 'test.yaml', pointer: '#/operations/onThing' },
            },
          ],
        },
      ]
    : [];
  return {
    ...base,
    events: [event],
    topics: [{ ...topic, consumerGroups: groups.map((g) => g.groupId) }],
    consumerGroups: groups,
  };
}

type Emit = (c: Catalog) => string;
const emitters: Record<string, Emit> = {
  'types.ts': (c) => emitTypes(c, assignNames(c).names).content,
  'events.ts': (c) => emitEvents(c, assignNames(c).names, runtime).content,
  'topics.ts': (c) => emitTopics(c, assignNames(c).names, runtime).content,
  'producers.ts': (c) => emitProducers(c, assignNames(c).names, runtime).content,
  'consumers.ts': (c) => emitConsumers(c, assignNames(c).names, runtime).content,
  'outbox.ts': (c) => emitOutbox(c, assignNames(c).names, runtime).content,
  'catalog.ts': (c) => emitCatalog(c, assignNames(c).names, runtime).content,
  'examples.ts': (c) => emitExamples(c).content,
};

const cases: [string, { file: string; given: Variant; want: string[]; never?: string[] }][] = [
  [
    'a payload key is derived by the definition',
    {
      file: 'events.ts',
      given: {},
      want: [
        '  partitionKey: (payload) => String(payload.id),',
        "  partitionKeyExpression: '$message.payload#/id',",
      ],
      never: ['keyArgument'],
    },
  ],
  [
    'a required typed key argument replaces the derivation',
    {
      file: 'events.ts',
      given: { key: { source: 'argument', required: true, type: 'integer' } },
      want: [
        "  keyArgument: { required: true, type: 'integer' },",
        'keyed by passed by the publisher (integer)',
      ],
      never: ['partitionKey:'],
    },
  ],
  [
    'a dotted event name stays the wire type, with a safe identifier',
    {
      file: 'events.ts',
      given: { name: 'com.example.ThingHappened' },
      want: ["  type: 'com.example.ThingHappened',", 'export const thingHappenedEvent'],
    },
  ],
  [
    'a payload-located parameter gives topicFor, and no parameters for the publisher',
    {
      file: 'events.ts',
      given: {
        address: 'tenant.{tenant}.things',
        parameters: [
          {
            name: 'tenant',
            location: { expression: '$message.payload#/id', source: 'payload', path: ['id'] },
          },
        ],
      },
      want: ['  topicFor: (payload) => `tenant.${String(payload.id)}.things`,'],
    },
  ],
  [
    'a passed parameter is listed on the topic definition; enum values give concrete specs',
    {
      file: 'topics.ts',
      given: { address: 'site.{site}.things', parameters: [{ name: 'site', enum: ['a', 'b'] }] },
      want: [
        "      name: 'site',",
        "      enum: ['a', 'b'],",
        "name: 'site.a.things'",
        "name: 'site.b.things'",
      ],
      never: ['topicSpecs: readonly TopicSpec[] = [testEventsTopic.spec'],
    },
  ],
  [
    'a passed parameter and an optional key make a publish input of their own',
    {
      file: 'producers.ts',
      given: {
        address: 'site.{site}.things',
        parameters: [{ name: 'site', pattern: '^[a-z]+$' }],
        key: { source: 'argument', required: false, type: 'string' },
      },
      want: [
        'export type TestEventsParameters = {',
        '  readonly site: string;',
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappened; readonly key?: string | null; readonly parameters: TestEventsParameters; };",
        '  publish(event: TestEventsPublishEvent, options?: PublishOptions): Promise<PublishReceipt>;',
      ],
    },
  ],
  [
    'a payload key publishes the topic union as it is',
    {
      file: 'producers.ts',
      given: {},
      want: ['  publish(event: TestEventsEvent, options?: PublishOptions): Promise<PublishReceipt>;'],
      never: ['PublishEvent'],
    },
  ],
  [
    'the default retry policy is emitted once and referenced',
    {
      file: 'consumers.ts',
      given: { subscription: {} },
      want: ['export const defaultRetryPolicy: RetryPolicy = {', '      retry: defaultRetryPolicy,'],
    },
  ],
  [
    "a group's own retry policy and dead-letter topic are its own",
    {
      file: 'consumers.ts',
      given: {
        subscription: {
          retry: { maxAttempts: 5, initialIntervalMs: 10, multiplier: 2, maxIntervalMs: 100 },
          deadLetterTopic: 'g.things.dlq',
        },
      },
      want: ['        maxAttempts: 5,', "      deadLetterTopic: 'g.things.dlq',"],
      never: ['defaultRetryPolicy'],
    },
  ],
  [
    'an outbox mapper takes the publish input producers.ts declares, imported from there',
    {
      file: 'outbox.ts',
      given: { key: { source: 'argument', required: true, type: 'string' } },
      want: [
        "import type { TestEventsPublishEvent } from './producers.ts';",
        '  write(db: ClientBase, event: TestEventsPublishEvent, options?: PublishOptions): Promise<OutboxReceipt>;',
        "  writeAll(db: ClientBase, events: readonly TestEventsPublishEvent[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;",
        '  return outbox.topic(testEventsTopic);',
      ],
    },
  ],
  [
    'a payload-keyed outbox mapper takes the topic union',
    {
      file: 'outbox.ts',
      given: {},
      want: [
        '  write(db: ClientBase, event: TestEventsEvent, options?: PublishOptions): Promise<OutboxReceipt>;',
      ],
      never: ['./producers.ts'],
    },
  ],
  [
    'the catalog keeps relations and reads every other fact from the definitions',
    {
      file: 'catalog.ts',
      given: { subscription: {} },
      want: [
        "import { describeConsumerGroups, describeEvents } from './runtime.ts';",
        '    ...testEventsTopic.spec,',
        "    consumerGroups: ['g'],",
        "  { definition: thingHappenedEvent, owner: 'test' },",
        'const consumerGroups = describeConsumerGroups([gGroup]);',
        'export const catalog = { contexts, topics, events, consumerGroups };',
      ],
      never: ['partitions:'],
    },
  ],
  [
    'an event in two versions lists its earlier version with its own validators, deprecated',
    {
      file: 'events.ts',
      given: { versions: [{ n: 1, deprecated: true }] },
      want: [
        '  schemaVersion: 2,',
        '  versions: [',
        '      schemaVersion: 1,',
        '      validatePayload: validateThingHappenedV1Payload,',
        '      validateHeaders: undefined,',
        '      deprecated: true,',
        "import { validateThingHappenedPayload, validateThingHappenedV1Payload } from './validators.js';",
        'keyed by `$message.payload#/id`; schema version 2, and 1 carried beside it.',
      ],
    },
  ],
  [
    'an event in one version has no versions member',
    { file: 'events.ts', given: {}, want: ['  schemaVersion: 1,'], never: ['versions', 'V1'] },
  ],
  [
    'each version has its payload type, the current one under the event name',
    {
      file: 'types.ts',
      given: { versions: [{ n: 1, deprecated: true }, { n: 2 }] },
      want: [
        'export interface ThingHappened {',
        'export interface ThingHappenedV1 {',
        'export interface ThingHappenedV2 {',
        'An earlier version, carried beside the current version 3 during a migration window.\n * @deprecated',
        'The current version; also carried in version(s) 1, 2 during a migration window.',
      ],
    },
  ],
  [
    "the topic's union takes a version, the payload following it; absent, any version's payload",
    {
      file: 'types.ts',
      given: { versions: [{ n: 1 }] },
      want: [
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappened | ThingHappenedV1; readonly schemaVersion?: undefined; }",
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappenedV1; readonly schemaVersion: 1; }",
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappened; readonly schemaVersion: 2; };",
        '  ThingHappened: ThingHappened | ThingHappenedV1;',
      ],
    },
  ],
  [
    'a single-version event keeps its union member and map entry as they were',
    {
      file: 'types.ts',
      given: {},
      want: [
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappened; };",
        '  ThingHappened: ThingHappened;',
      ],
      never: ['schemaVersion'],
    },
  ],
  [
    'a publish input with a passed key takes the version too',
    {
      file: 'producers.ts',
      given: { key: { source: 'argument', required: true, type: 'string' }, versions: [{ n: 1 }] },
      want: [
        "  | { readonly type: 'ThingHappened'; readonly payload: ThingHappenedV1; readonly schemaVersion: 1; readonly key: string; }",
      ],
    },
  ],
  [
    'a handler of an event in two versions receives a union discriminated by schemaVersion, one event or a batch',
    {
      file: 'consumers.ts',
      given: { subscription: {}, versions: [{ n: 1 }] },
      want: [
        "    ThingHappened: VersionedEventHandler<ReceivedEvent<'ThingHappened', ThingHappenedV1, unknown, 1> | ReceivedEvent<'ThingHappened', ThingHappened, unknown, 2>> | VersionedBatchEventHandler<ReceivedEvent<'ThingHappened', ThingHappenedV1, unknown, 1> | ReceivedEvent<'ThingHappened', ThingHappened, unknown, 2>>;",
        '  ReceivedEvent,',
        '  VersionedBatchEventHandler,',
        '  VersionedEventHandler,',
        "import type { ThingHappened, ThingHappenedV1 } from './types.ts';",
      ],
      never: [' EventHandler<'],
    },
  ],
  [
    'a handler of a single-version event is an EventHandler or a BatchEventHandler',
    {
      file: 'consumers.ts',
      given: { subscription: {} },
      want: [
        "    ThingHappened: EventHandler<'ThingHappened', ThingHappened, unknown> | BatchEventHandler<'ThingHappened', ThingHappened, unknown>;",
      ],
      never: ['VersionedEventHandler', 'ReceivedEvent'],
    },
  ],
  [
    'examples are typed per event and keep only payload examples',
    {
      file: 'examples.ts',
      given: {},
      want: [
        'export const eventExamples: { readonly [K in EventType]: readonly EventExample<EventPayloadMap[K]>[]; } = {',
        '  ThingHappened: [',
      ],
    },
  ],
];

describe.each(cases)('%s', (_name, { file, given, want, never = [] }) => {
  it(`${file} holds the lines`, () => {
    const text = emitters[file]!(catalog(given));
    for (const line of want) expect(text, text).toContain(line);
    for (const line of never) expect(text).not.toContain(line);
  });
});
