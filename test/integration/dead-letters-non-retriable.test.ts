/**
 * Business exceptions on the real broker and PostgreSQL: a handler throwing a NonRetriableError
 * (a subclass naming the rule, one in the cause chain, or an error the contract's
 * `x-retry.nonRetryable` names) is dead-lettered at once, one handler call, no backoff, reason
 * `non-retriable`, its own class in `kafka_dlt-exception-fqcn`, attempt count 1; every other error
 * keeps the retry policy.
 */
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { readDeadLetter } from '../../runtime/consume/dead-letter.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import { NonRetriableError } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  metricSum,
  prepareSchema,
  produce,
  readTopic,
  recordEffect,
  recordingLogger,
  registeredGroup,
  registeredRecord,
  runId,
  schemaPool,
  testKafka,
  userEventsTestTopic,
  waitFor,
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `dlq_nonretriable_it_${run}`;
const topicsCreated: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

/** A business rule of the platform seed: a permission change the rules refuse can never succeed. */
class PermissionRuleViolation extends NonRetriableError {}
/** Named as non-retriable by the contract (x-retry.nonRetryable), not by its type. */
class QuotaExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaExceeded';
  }
}

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `dlq-nonretriable-it-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
});

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, topicsCreated);
  await dropSchema(infra.databaseUrl, schema);
});

describe('non-retriable handler errors', () => {
  it('go to the dead-letter topic at once with their own class; other errors keep the retry policy', async () => {
    const topic = userEventsTestTopic(`it.dlq.nonretriable.${run}`, 1);
    await createTopics(infra.kafkaBrokers, topic);
    topicsCreated.push(topic.name, `${topic.name}.dlq`);
    const groupId = `it-nonretriable-${run}`;
    // A backoff long enough that a retry could not hide inside the timing below.
    const retry = {
      maxAttempts: 3,
      initialIntervalMs: 1_500,
      multiplier: 1,
      maxIntervalMs: 1_500,
      nonRetryable: ['QuotaExceeded'],
    };

    const rule = registeredRecord(7001); // throws PermissionRuleViolation
    const wrapped = registeredRecord(7002); // throws an Error whose cause is a NonRetriableError
    const named = registeredRecord(7003); // throws QuotaExceeded, listed in the contract
    const transientThenRule = registeredRecord(7004); // attempt 1 a plain error, attempt 2 the rule
    const flaky = registeredRecord(7005); // a plain error every time: the retry policy
    const fine = registeredRecord(7006);
    await produce(producer, topic.name, [rule, wrapped, named, transientThenRule, flaky, fine]);

    const calls = new Map<string, number[]>();
    const callTimes = new Map<string, number[]>();
    const runtime = createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer,
      metrics: new RuntimeMetrics(),
      logger: recordingLogger(),
    });
    runtimes.push(runtime);
    const consumer = runtime.create(
      registeredGroup(groupId, topic, retry),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { attempt, db }) => {
            calls.set(event.id, [...(calls.get(event.id) ?? []), attempt]);
            await recordEffect(db, event.id, groupId, attempt);
            callTimes.set(event.id, [...(callTimes.get(event.id) ?? []), Date.now()]);
            if (event.id === rule.id) throw new PermissionRuleViolation('user 7001 may not grant ADMIN');
            if (event.id === wrapped.id) {
              throw new Error('policy check failed', {
                cause: new PermissionRuleViolation('bundle revoked'),
              });
            }
            if (event.id === named.id) throw new QuotaExceeded('tenant over its file quota');
            if (event.id === transientThenRule.id) {
              if (attempt === 1) throw new Error('connection reset');
              throw new PermissionRuleViolation('user 7004 was removed meanwhile');
            }
            if (event.id === flaky.id) throw new TypeError(`flaky ${attempt}`);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'the record after the failing ones handled',
      async () => (await effectsOf(pool)).some((e) => e.event_id === fine.id),
      60_000,
    );
    await consumer.stop();

    expect(calls.get(rule.id)).toEqual([1]);
    expect(calls.get(wrapped.id)).toEqual([1]);
    expect(calls.get(named.id)).toEqual([1]);
    expect(calls.get(transientThenRule.id)).toEqual([1, 2]);
    expect(calls.get(flaky.id)).toEqual([1, 2, 3]);
    expect(calls.get(fine.id)).toEqual([1]);

    const dead = await readTopic(kafka, `${topic.name}.dlq`);
    expect(dead).toHaveLength(5);
    const byId = new Map(dead.map((d) => [d.headers.ce_id!.toString(), d]));
    const headersOf = (id: string) => {
      const letter = byId.get(id);
      if (!letter) throw new Error(`no dead letter for ${id}`);
      return letter.headers;
    };

    const ruleHeaders = headersOf(rule.id);
    expect(ruleHeaders['kafka_dlt-exception-fqcn']?.toString()).toBe('PermissionRuleViolation');
    expect(ruleHeaders['kafka_dlt-exception-cause-fqcn']?.toString()).toBe('PermissionRuleViolation');
    expect(ruleHeaders['kafka_dlt-exception-message']?.toString()).toBe('user 7001 may not grant ADMIN');
    expect(ruleHeaders['kafka_dlt-exception-stacktrace']?.toString()).toMatch(
      /^PermissionRuleViolation: user 7001/,
    );
    expect(ruleHeaders['kafka_dlt-reason']?.toString()).toBe('non-retriable');
    expect(ruleHeaders.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(ruleHeaders['kafka_dlt-original-consumer-group']?.toString()).toBe(groupId);

    const wrappedHeaders = headersOf(wrapped.id);
    expect(wrappedHeaders['kafka_dlt-exception-fqcn']?.toString()).toBe('Error');
    expect(wrappedHeaders['kafka_dlt-exception-cause-fqcn']?.toString()).toBe('PermissionRuleViolation');
    expect(wrappedHeaders['kafka_dlt-reason']?.toString()).toBe('non-retriable');

    const namedHeaders = headersOf(named.id);
    expect(namedHeaders['kafka_dlt-exception-fqcn']?.toString()).toBe('QuotaExceeded');
    expect(namedHeaders['kafka_dlt-reason']?.toString()).toBe('non-retriable');
    expect(namedHeaders.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 1]));

    const laterHeaders = headersOf(transientThenRule.id);
    expect(laterHeaders['kafka_dlt-reason']?.toString()).toBe('non-retriable');
    expect(laterHeaders.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 2]));

    const flakyHeaders = headersOf(flaky.id);
    expect(flakyHeaders['kafka_dlt-exception-fqcn']?.toString()).toBe('HandlerFailedError');
    expect(flakyHeaders['kafka_dlt-exception-cause-fqcn']?.toString()).toBe('TypeError');
    expect(flakyHeaders['kafka_dlt-reason']?.toString()).toBe('handler-failed');
    expect(flakyHeaders.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 3]));
    expect(readDeadLetter(flakyHeaders)).toMatchObject({ reason: 'handler-failed', attempts: 3 });

    // No backoff before a non-retriable dead letter: the next record of the partition reached its
    // handler sooner than one backoff (1.5 s) after the refused one; the transient failure did wait.
    const firstCall = (id: string) => callTimes.get(id)![0]!;
    expect(firstCall(wrapped.id) - firstCall(rule.id)).toBeLessThan(retry.initialIntervalMs);
    expect(firstCall(named.id) - firstCall(wrapped.id)).toBeLessThan(retry.initialIntervalMs);
    expect(firstCall(transientThenRule.id) - firstCall(named.id)).toBeLessThan(retry.initialIntervalMs);
    const [t1, t2] = callTimes.get(transientThenRule.id)!;
    expect(t2! - t1!).toBeGreaterThanOrEqual(retry.initialIntervalMs * 0.8 - 50); // ±20 % jitter

    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => e.event_id)).toEqual([fine.id]); // every failing attempt rolled back

    const m = runtime.metrics;
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'non-retriable' })).toBe(4);
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'handler-failed' })).toBe(1);
    // Retries: one for 7004 (its transient first attempt), two for the flaky one.
    expect(await metricSum(m.retried, { group: groupId })).toBe(3);
    console.log(
      `[non-retriable] 6 events; handler calls: rule 1, wrapped 1, named 1, transient-then-rule 2, flaky 3, fine 1; dead letters 5 (4 non-retriable, 1 handler-failed)`,
    );
  });
});
