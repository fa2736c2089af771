/**
 * Each public document of test/fixtures/public, generated leniently, gives an
 * SDK that works on the real broker: for every topic it defines, one event
 * (the contract's own example, or the smallest payload its schema allows when
 * the document gives none) is published through the generated publisher and
 * arrives, decoded and validated, at a consumer group built on the generated
 * topic definitions. Keys and address parameters the document does not
 * derive are passed as its SDK types them.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { EventDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { EventHandler, PublishReceipt, ReceivedEvent } from '../../runtime/contract/events.ts';
import { isEnvelopeHeader } from '../../runtime/contract/headers.ts';
import type { TopicSpec } from '../../runtime/contract/index.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { generateCorpusSdk, generatedSlugs, repoRoot } from '../support/public-corpus.ts';
import { samplePayload } from '../support/sample-payload.ts';
import { deleteTopics, FAST_RETRY, recordingLogger, waitFor } from './consumer-support.ts';

const infra = useInfrastructure();
const run = randomUUID().slice(0, 8);
const outRoot = path.join(repoRoot, '.cache', 'public-corpus-it');

interface Sdk {
  readonly eventTopics: Readonly<Record<string, TopicDefinition>>;
  readonly topicSpecs: readonly TopicSpec[];
  readonly eventExamples: Readonly<Record<string, readonly { readonly payload: unknown }[]>>;
}

interface Outgoing {
  readonly topic: TopicDefinition;
  readonly event: {
    readonly type: string;
    readonly payload: unknown;
    readonly key?: string | number;
    readonly parameters?: Record<string, string>;
    readonly headers?: Record<string, unknown>;
  };
  /** Where the event was taken from. */
  readonly from: 'example' | 'schema';
}

/**
 * The topic under a name of this run and document's own (`corpus-<run>.<slug>.<name>`), so what
 * earlier runs, or other documents with the same topic names, left on the broker cannot reach it.
 */
function ofThisRun(topic: TopicDefinition, slug: string): TopicDefinition {
  const rename = (name: string) => `corpus-${run}.${slug}.${name}`;
  return {
    ...topic,
    name: rename(topic.name),
    spec: {
      ...topic.spec,
      name: rename(topic.spec.name),
      ...(topic.spec.deadLetterTopic ? { deadLetterTopic: rename(topic.spec.deadLetterTopic) } : {}),
    },
    events: Object.fromEntries(
      Object.entries(topic.events).map(([type, definition]) => {
        if (definition.topicFor) throw new Error(`${type}: payload-derived topics are not retargeted here`);
        return [type, { ...definition, topic: rename(definition.topic) }];
      }),
    ),
  };
}

/** A value for each address parameter the publisher passes: its first enum value, else one its pattern takes. */
function parameterValues(topic: TopicDefinition): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const p of topic.parameters ?? []) {
    const candidates = p.enum?.length ? [p.enum[0]!] : ['smoke', '1', 'a1', 'A'];
    const value = candidates.find((c) => p.pattern === undefined || new RegExp(p.pattern, 'u').test(c));
    if (value === undefined) return undefined;
    values[p.name] = value;
  }
  return values;
}

/** One publishable event of a topic: the first event type with a valid example, else one with a valid sample. */
function outgoingFor(
  topic: TopicDefinition,
  sdk: Sdk,
  schemas: ReadonlyMap<string, { readonly payload: unknown; readonly headers: unknown }>,
): Outgoing | undefined {
  const definitions = Object.values(topic.events) as EventDefinition<string, unknown, unknown>[];
  const parameters = parameterValues(topic);
  if (topic.parameters && parameters === undefined) return undefined;
  for (const from of ['example', 'schema'] as const) {
    for (const definition of definitions) {
      const payloads =
        from === 'example'
          ? (sdk.eventExamples[definition.type] ?? []).map((e) => e.payload)
          : [samplePayload((schemas.get(definition.type)?.payload ?? true) as boolean)];
      const payload = payloads.find((p) => definition.validatePayload(p));
      if (payload === undefined) continue;
      const rule = definition.keyArgument;
      const key = rule?.required ? (rule.type === 'string' ? 'smoke' : 7) : undefined;
      // Application headers the contract requires: the smallest values their schema allows.
      const sampled = definition.requiredHeaders?.length
        ? (samplePayload((schemas.get(definition.type)?.headers ?? true) as boolean) as Record<
            string,
            unknown
          >)
        : {};
      const headers = Object.fromEntries(Object.entries(sampled).filter(([name]) => !isEnvelopeHeader(name)));
      return {
        topic,
        event: {
          type: definition.type,
          payload,
          ...(key === undefined ? {} : { key }),
          ...(parameters ? { parameters } : {}),
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
        },
        from,
      };
    }
  }
  return undefined;
}

describe('public documents on the broker', () => {
  const metrics = new RuntimeMetrics();
  const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 4 });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `public-corpus-${run}` });
  const producerPort = testKafkaClients().producer();
  const deadLetterPort = testKafkaClients().producer();
  const consumers = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer: deadLetterPort,
    metrics,
    logger: recordingLogger(),
  });
  const producer = createEventProducer({ producer: producerPort, metrics });

  beforeAll(async () => {
    await migrate(pool);
    await producerPort.connect();
    await deadLetterPort.connect();
  });

  const cleanups: (() => Promise<void>)[] = [];

  afterAll(async () => {
    await consumers.stopAll();
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    await producerPort.disconnect();
    await deadLetterPort.disconnect();
    await pool.end();
  });

  it.each(generatedSlugs())(
    '%s: one event of every topic makes the trip',
    { timeout: 120_000 },
    async (slug) => {
      const result = await generateCorpusSdk(slug, outRoot);
      const sdk = (await import(pathToFileURL(path.join(outRoot, slug, 'index.ts')).href)) as Sdk;
      const schemas = new Map(
        result.catalog.events.map((e) => [e.name, { payload: e.payload, headers: e.headers }]),
      );

      const outgoing = Object.values(sdk.eventTopics)
        .map((topic) => outgoingFor(ofThisRun(topic, slug), sdk, schemas))
        .filter((o): o is Outgoing => o !== undefined);
      expect(outgoing.length, 'at least one event of the document can be published').toBeGreaterThan(0);

      // The topics this test publishes to (a parameterized one under the parameters it passes) and their
      // dead-letter topics, under this run's names.
      const specs = outgoing.flatMap((o) => {
        const name = prepareEvent(o.topic, o.event).topic;
        const dlq = o.topic.spec.deadLetterTopic?.replace(o.topic.name, name) ?? `${name}.dlq`;
        return [
          { ...o.topic.spec, name },
          { ...o.topic.spec, name: dlq, kind: 'dead-letter' as const, deadLetterFor: name },
        ];
      });
      const unique = specs.filter((spec, i) => specs.findIndex((t) => t.name === spec.name) === i);
      await applyTopics(infra.kafkaBrokers, unique);
      cleanups.push(() =>
        deleteTopics(
          kafka,
          unique.map((spec) => spec.name),
        ),
      );

      const seen = new Map<string, ReceivedEvent<string, unknown, unknown>>();
      const record: EventHandler<string, unknown, unknown> = (event) => void seen.set(event.id, event);
      const handlers = Object.fromEntries(outgoing.map((o, i) => [`topic${i}`, { [o.event.type]: record }]));
      const group = consumers.create(
        {
          groupId: `corpus-${slug}-${run}`,
          context: 'public-corpus',
          subscriptions: outgoing.map((o, i) => ({
            topic: o.topic,
            handlerKey: `topic${i}`,
            events: [o.event.type],
            retry: FAST_RETRY,
            deadLetterTopic: o.topic.spec.deadLetterTopic ?? `${o.topic.name}.dlq`,
          })),
        },
        handlers as never,
        { startFrom: 'earliest' },
      );
      await group.ready;

      const receipts: PublishReceipt[] = [];
      for (const o of outgoing) receipts.push(await producer.topic(o.topic).publish(o.event as never));
      const arrived = await waitFor(
        `${receipts.length} event(s) of ${slug} (seen ${[...seen.keys()].length})`,
        () => (receipts.every((r) => seen.has(r.id)) ? receipts.map((r) => seen.get(r.id)!) : undefined),
      );
      arrived.forEach((event, i) => {
        const sent = outgoing[i]!;
        expect(event.type).toBe(sent.event.type);
        expect(event.payload).toEqual(sent.event.payload);
        expect(event.topic).toBe(receipts[i]!.topic);
        if (sent.event.key !== undefined) expect(event.key).toBe(String(sent.event.key));
        for (const [name, value] of Object.entries(sent.event.parameters ?? {}))
          expect(event.parameters[name]).toBe(value);
      });
      await group.stop();
    },
  );
});
