/**
 * Every event type in the contracts makes the whole trip on a real broker and
 * a real database, both ways services publish:
 *   outbox write in a committed transaction → relay → Kafka → consumer handler, and
 *   direct publish → Kafka → consumer handler;
 * arriving once, with payload, key and envelope headers intact. The consumer
 * groups are the contracts' own (analytics reads every chat topic; the
 * read-model worker and the masking service cover the platform topics), run
 * under fresh group ids that start at the end of each partition, so what
 * earlier runs left on the shared topics does not interfere.
 *
 * Each test sets up what it needs (`publishAll`, `deliveredEverywhere`, both
 * done once per file however many tests ask), so each passes when run alone.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyticsConsumerGroup,
  createAnalyticsConsumerGroup,
  createMaskingServiceGroup,
  createReadModelWorkerGroup,
  eventExamples,
  eventTopics,
  maskingServiceGroup,
  readModelWorkerGroup,
  topicSpecs,
} from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import type { EventHandler, HandlerMap } from '../../runtime/contract/events.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { parsePrometheusText, sampleSum } from '../support/prometheus.ts';

const infra = useInfrastructure();
const run = randomUUID().slice(0, 8);

interface Seen {
  readonly type: string;
  readonly topic: string;
  readonly key: string | null;
  readonly payload: unknown;
  readonly headers: Record<string, unknown>;
  readonly group: string;
}

/** Every event this test publishes, by id. */
const expected = new Map<
  string,
  { type: string; topic: string; key: string | null; payload: unknown; via: 'outbox' | 'direct' }
>();
/** What each group received, keyed by (group id, event id): a duplicate in one group shows up even when other groups also got the event. */
const seen = new Map<string, Seen[]>();
const seenKey = (groupId: string, eventId: string): string => `${groupId}\u0000${eventId}`;
const seenBy = (groupId: string, eventId: string): readonly Seen[] =>
  seen.get(seenKey(groupId, eventId)) ?? [];

/** A handler for every event type the group subscribes to, recording what it receives. */
function recordingHandlers<T extends HandlerMap>(group: ConsumerGroupDefinition): T {
  const groupId = runGroupIds[group.groupId]!;
  const record: EventHandler<string, unknown, Record<string, unknown>> = (event) => {
    const key = seenKey(groupId, event.id);
    const list = seen.get(key) ?? [];
    list.push({
      type: event.type,
      topic: event.topic,
      key: event.key,
      payload: event.payload,
      headers: event.headers,
      group: groupId,
    });
    seen.set(key, list);
  };
  return Object.fromEntries(
    group.subscriptions.map((s) => [s.handlerKey, Object.fromEntries(s.events.map((t) => [t, record]))]),
  ) as unknown as T;
}

const groups = [analyticsConsumerGroup, readModelWorkerGroup, maskingServiceGroup];
/** This run's group id of each contract group. */
const runGroupIds: Record<string, string> = {
  [analyticsConsumerGroup.groupId]: `analytics-${run}`,
  [readModelWorkerGroup.groupId]: `read-model-worker-${run}`,
  [maskingServiceGroup.groupId]: `masking-service-${run}`,
};

describe('round trip of every event type', () => {
  const metrics = new RuntimeMetrics();
  const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 6 });
  const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `round-trip-${run}` });
  const producerPort = testKafkaClients().producer();
  const deadLetterPort = testKafkaClients().producer();
  const consumers = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer: deadLetterPort,
    metrics,
  });
  let relay: OutboxRelay;

  beforeAll(async () => {
    await migrate(pool);
    await applyTopics(infra.kafkaBrokers, topicSpecs);
    await producerPort.connect();
    relay = new OutboxRelay({
      database: infra.databaseUrl,
      producer: producerPort,
      metrics,
      retentionMs: 0,
      pollIntervalMs: 200,
    });
    await relay.start();
    const started = [
      createAnalyticsConsumerGroup(consumers, recordingHandlers(analyticsConsumerGroup), {
        groupId: runGroupIds[analyticsConsumerGroup.groupId]!,
        startFrom: 'latest',
      }),
      createReadModelWorkerGroup(consumers, recordingHandlers(readModelWorkerGroup), {
        groupId: runGroupIds[readModelWorkerGroup.groupId]!,
        startFrom: 'latest',
      }),
      createMaskingServiceGroup(consumers, recordingHandlers(maskingServiceGroup), {
        groupId: runGroupIds[maskingServiceGroup.groupId]!,
        startFrom: 'latest',
      }),
    ];
    await Promise.all(started.map((g) => g.ready));
  });

  it('covers every event type of the contracts with the consumer groups it runs', () => {
    const handled = new Set(groups.flatMap((g) => g.subscriptions.flatMap((s) => s.events)));
    expect([...handled].sort()).toEqual(Object.keys(eventExamples).sort());
  });

  afterAll(async () => {
    await consumers.stopAll();
    await relay?.stop();
    await producerPort.disconnect();
    await deadLetterPort.disconnect();
    await pool.end();
  });

  /** Publishes one example of every event type through the outbox and directly, once per file. */
  let publishing: Promise<void> | undefined;
  function publishAll(): Promise<void> {
    publishing ??= (async () => {
      const outbox = createOutboxWriter();
      const direct = createEventProducer({ producer: producerPort, metrics });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const topic of Object.values(eventTopics)) {
          for (const type of Object.keys(topic.events)) {
            const example = eventExamples[type as keyof typeof eventExamples][0];
            if (!example) throw new Error(`the contract gives no example of ${type}`);
            const receipt = await outbox
              .topic(topic)
              .write(client, { type, payload: example.payload } as never);
            expected.set(receipt.id, {
              type,
              topic: topic.name,
              key: receipt.key,
              payload: example.payload,
              via: 'outbox',
            });
          }
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      for (const topic of Object.values(eventTopics)) {
        for (const type of Object.keys(topic.events)) {
          const example = eventExamples[type as keyof typeof eventExamples][0]!;
          const receipt = await direct.topic(topic).publish({ type, payload: example.payload } as never);
          expected.set(receipt.id, {
            type,
            topic: topic.name,
            key: receipt.key,
            payload: example.payload,
            via: 'direct',
          });
        }
      }
    })();
    return publishing;
  }

  /** This run's ids of the groups that subscribe to an event type. */
  const groupsOf = (type: string): string[] =>
    groups
      .filter((g) => g.subscriptions.some((sub) => sub.events.includes(type)))
      .map((g) => runGroupIds[g.groupId]!);

  /**
   * Publishes (once) and waits until every group subscribing to each event has
   * received it, then leaves room for a duplicate to show up.
   */
  let delivering: Promise<void> | undefined;
  function deliveredEverywhere(): Promise<void> {
    delivering ??= (async () => {
      await publishAll();
      const missing = () =>
        [...expected.entries()].flatMap(([id, e]) =>
          groupsOf(e.type)
            .filter((groupId) => seenBy(groupId, id).length === 0)
            .map((groupId) => `${groupId}: ${e.via} ${e.type} ${id}`),
        );
      await eventually(
        missing,
        (m) => m.length === 0,
        45_000,
        'every group received every event it subscribes to',
      );
      await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
    })();
    return delivering;
  }

  it('publishes one example of every event type through the outbox and directly', async () => {
    await publishAll();
    expect(expected.size).toBe(2 * Object.keys(eventExamples).length);
    expect(new Set([...expected.values()].map((e) => `${e.via} ${e.type}`)).size).toBe(expected.size);
  });

  it('delivers each exactly once per group, payload, key and headers intact', async () => {
    await deliveredEverywhere();
    expect(expected.size).toBe(2 * Object.keys(eventExamples).length);
    for (const [id, want] of expected) {
      const subscribers = groupsOf(want.type);
      expect(subscribers.length, want.type).toBeGreaterThan(0);
      for (const groupId of Object.values(runGroupIds)) {
        const got = seenBy(groupId, id);
        // Exactly once in every group subscribing to the type, never in another.
        expect(got, `${groupId}: ${want.via} ${want.type}`).toHaveLength(
          subscribers.includes(groupId) ? 1 : 0,
        );
        const [one] = got;
        if (!one) continue;
        expect(one).toMatchObject({
          type: want.type,
          topic: want.topic,
          key: want.key,
          payload: want.payload,
          group: groupId,
        });
        const definition = eventTopics[want.topic]!.events[want.type]!;
        expect(one.headers).toMatchObject({
          ce_id: id,
          ce_type: want.type,
          ce_source: definition.source,
          ce_specversion: '1.0',
          ce_schemaversion: String(definition.schemaVersion),
          ce_subject: want.key,
          'content-type': 'application/json',
        });
        expect(String(one.headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      }
    }
  });

  it('counts what it published and consumed, per topic, event type, path and group', async () => {
    await deliveredEverywhere();
    const samples = parsePrometheusText(await metrics.registry.metrics());
    const sent = [...expected.values()];
    expect(sent.length).toBeGreaterThan(0);
    for (const e of sent) {
      // One example per type on each path: the relay published the outbox row, the producer the direct one.
      expect(
        sampleSum(samples, 'domain_events_published_total', {
          topic: e.topic,
          event_type: e.type,
          via: e.via,
        }),
        `${e.via} ${e.type}`,
      ).toBe(1);
    }
    expect(sampleSum(samples, 'domain_events_published_total', { via: 'outbox' })).toBe(
      sent.filter((e) => e.via === 'outbox').length,
    );
    expect(sampleSum(samples, 'domain_events_published_total', { via: 'direct' })).toBe(
      sent.filter((e) => e.via === 'direct').length,
    );
    // Every group handled exactly the events of its own subscriptions, each once, and nothing else.
    for (const group of groups) {
      const groupId = runGroupIds[group.groupId]!;
      const subscribed = new Set(group.subscriptions.flatMap((sub) => sub.events));
      const mine = sent.filter((e) => subscribed.has(e.type));
      expect(
        sampleSum(samples, 'domain_events_consumed_total', { group: groupId, outcome: 'handled' }),
        groupId,
      ).toBe(mine.length);
      expect(
        sampleSum(samples, 'domain_events_consumed_total', { group: groupId, outcome: 'duplicate' }),
      ).toBe(0);
      expect(sampleSum(samples, 'domain_events_dead_lettered_total', { group: groupId })).toBe(0);
      expect(sampleSum(samples, 'domain_event_handler_duration_seconds_count', { group: groupId })).toBe(
        mine.length,
      );
    }
  });
});
