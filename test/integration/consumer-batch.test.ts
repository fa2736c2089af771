/**
 * The unfenced path of the consumer runtime on the real broker and PostgreSQL:
 * batch-form handlers (`{ batch(events, context) }`, one call per run of
 * consecutive events of a type), the fallback to a savepoint per handler when a
 * handler fails after writing, and the exact idempotency claim throughout.
 * Retries do not wait: the runtime gets `immediateRetrier`.
 */
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { HandlerContext, ReceivedEvent } from '../../runtime/contract/events.ts';
import { immediateRetrier } from '../../runtime/core/retrier.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  committedOffsets,
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  FAST_RETRY,
  metricSum,
  prepareSchema,
  produce,
  profileUpdatedRecord,
  readTopic,
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
const schema = `consumer_batch_${run}`;
const topicsCreated: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

type Event = ReceivedEvent<string, { user_id: number }, Record<string, string>>;

function newRuntime(options: { optimistic?: boolean } = {}): ConsumerRuntime {
  const runtime = createConsumerRuntime({
    kafka: testKafkaClients(`consumer-batch-${run}`),
    pool,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger: recordingLogger(),
    retrier: immediateRetrier,
    ...options,
  });
  runtimes.push(runtime);
  return runtime;
}

async function newTopic(label: string): Promise<TopicDefinition> {
  const topic = userEventsTestTopic(`it.consumer-batch.${label}.${run}`, 1);
  await createTopics(infra.kafkaBrokers, topic);
  topicsCreated.push(topic.name, `${topic.name}.dlq`);
  return topic;
}

/** Both event types of the topic subscribed. */
function bothTypesGroup(groupId: string, topic: TopicDefinition): ConsumerGroupDefinition {
  const base = registeredGroup(groupId, topic);
  return {
    ...base,
    subscriptions: [{ ...base.subscriptions[0]!, events: ['UserRegistered', 'UserProfileUpdated'] }],
  };
}

async function insertEffects(db: pg.PoolClient, events: readonly Event[], member: string, attempt: number) {
  await db.query('INSERT INTO effects (event_id, member, attempt) SELECT unnest($1::text[]), $2, $3', [
    events.map((e) => e.id),
    member,
    attempt,
  ]);
}

async function claimsOf(groupId: string): Promise<string[]> {
  const result = await pool.query<{ event_id: string }>(
    'SELECT event_id FROM consumer_processed_events WHERE group_id = $1 ORDER BY kafka_offset',
    [groupId],
  );
  return result.rows.map((r) => r.event_id);
}

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-batch-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients(`consumer-batch-dlq-${run}`).producer({ compression: 'none' });
});

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, topicsCreated);
  await dropSchema(infra.databaseUrl, schema);
});

describe('batch-form handlers and the unfenced path', () => {
  it('a batch handler gets consecutive events of its type in one call, in offset order, each effect once, duplicates left out', async () => {
    const topic = await newTopic('batch');
    const groupId = `it-batch-${run}`;
    const registered = Array.from({ length: 6 }, (_, i) => registeredRecord(11_000 + i));
    const update = profileUpdatedRecord(11_000);
    const repeat = { ...registered[1]!, id: registered[1]!.id }; // the same ce_id again: a duplicate
    // r0 r1 r2 | update | r3 r4 (r1 again) r5
    const records = [
      registered[0]!,
      registered[1]!,
      registered[2]!,
      update,
      registered[3]!,
      registered[4]!,
      repeat,
      registered[5]!,
    ];
    await produce(producer, topic.name, records);

    const calls: string[][] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      bothTypesGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: {
            batch: async (events: readonly Event[], { db, attempt }: HandlerContext) => {
              calls.push(events.map((e) => e.offset));
              await insertEffects(db, events, groupId, attempt);
            },
          },
          UserProfileUpdated: async (event: Event, { db, attempt }: HandlerContext) => {
            calls.push([`update@${event.offset}`]);
            await insertEffects(db, [event], groupId, attempt);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'every record committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(records.length),
    );
    await consumer.stop();

    // One call per run of consecutive events of a type; the duplicate (offset 6) is in none.
    expect(calls).toEqual([['0', '1', '2'], ['update@3'], ['4', '5', '7']]);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => e.event_id)).toEqual([
      registered[0]!.id,
      registered[1]!.id,
      registered[2]!.id,
      update.id,
      registered[3]!.id,
      registered[4]!.id,
      registered[5]!.id,
    ]);
    expect(await claimsOf(groupId)).toEqual(effects.map((e) => e.event_id));
    const m = runtime.metrics;
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(7);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'duplicate' })).toBe(1);
  });

  it('a batch handler failing for record k: the batch is rolled back and run again one record per savepoint; the others commit once, k is retried and dead-lettered', async () => {
    const topic = await newTopic('fallback');
    const groupId = `it-batch-fallback-${run}`;
    const records = Array.from({ length: 8 }, (_, i) => registeredRecord(12_000 + i));
    const doomed = records[3]!;
    await produce(producer, topic.name, records);

    const calls: { offsets: string[]; attempt: number }[] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: {
            batch: async (events: readonly Event[], { db, attempt }: HandlerContext) => {
              calls.push({ offsets: events.map((e) => e.offset), attempt });
              // Writes first, then fails: only a rollback can undo the others' writes.
              await insertEffects(db, events, groupId, attempt);
              if (events.some((e) => e.id === doomed.id)) throw new Error(`cannot handle ${doomed.id}`);
            },
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'every record finished and committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(records.length),
    );
    await consumer.stop();

    expect(calls).toEqual([
      // unfenced: the whole run at once, rolled back
      { offsets: ['0', '1', '2', '3', '4', '5', '6', '7'], attempt: 1 },
      // fenced: one record per savepoint, stopping at the failing one
      { offsets: ['0'], attempt: 1 },
      { offsets: ['1'], attempt: 1 },
      { offsets: ['2'], attempt: 1 },
      { offsets: ['3'], attempt: 1 },
      // the failing record on its own, per the policy (3 attempts in all)
      { offsets: ['3'], attempt: 2 },
      { offsets: ['3'], attempt: 3 },
      // the rest: a new run, unfenced
      { offsets: ['4', '5', '6', '7'], attempt: 1 },
    ]);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    const others = records.filter((r) => r !== doomed).map((r) => r.id);
    expect(effects.map((e) => e.event_id)).toEqual(others); // each once, the doomed one never
    expect(await claimsOf(groupId)).toEqual(others);
    const dead = await readTopic(kafka, `${topic.name}.dlq`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value).toEqual(doomed.value);
    expect(dead[0]!.headers.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, FAST_RETRY.maxAttempts]));
    const m = runtime.metrics;
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(7);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'dead-lettered' })).toBe(1);
    expect(await metricSum(m.retried, { group: groupId })).toBe(2);
  });

  it('optimistic per-event handlers: one writing then failing rolls the run back, the fenced rerun commits the others once, k succeeds on its retry', async () => {
    const topic = await newTopic('optimistic');
    const groupId = `it-optimistic-${run}`;
    const records = Array.from({ length: 5 }, (_, i) => registeredRecord(13_000 + i));
    const flaky = records[2]!;
    await produce(producer, topic.name, records);

    const calls: string[] = [];
    const runtime = newRuntime({ optimistic: true });
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Event, { db, attempt }: HandlerContext) => {
            calls.push(`${event.offset}:${attempt}`);
            await insertEffects(db, [event], groupId, attempt);
            if (event.id === flaky.id && attempt === 1) throw new Error('transient');
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'every record committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(records.length),
    );
    await consumer.stop();

    // unfenced 0..2 (rolled back), fenced 0..2 (2 fails, 0 and 1 commit), 2 alone at attempt 2, then 3 and 4.
    expect(calls).toEqual(['0:1', '1:1', '2:1', '0:1', '1:1', '2:1', '2:2', '3:1', '4:1']);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => [e.event_id, e.attempt])).toEqual(
      records.map((r) => [r.id, r === flaky ? 2 : 1]),
    );
    expect(await claimsOf(groupId)).toEqual(records.map((r) => r.id));
    expect(await metricSum(runtime.metrics.consumed, { group: groupId, outcome: 'handled' })).toBe(5);
    expect(await metricSum(runtime.metrics.retried, { group: groupId })).toBe(1);
  });

  it('optimistic: a handler that fails without having written ends the run there, with no rerun of the records before it', async () => {
    const topic = await newTopic('clean-failure');
    const groupId = `it-clean-failure-${run}`;
    const records = Array.from({ length: 4 }, (_, i) => registeredRecord(14_000 + i));
    const refused = records[1]!;
    await produce(producer, topic.name, records);

    const calls: string[] = [];
    const runtime = newRuntime({ optimistic: true });
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Event, { db, attempt }: HandlerContext) => {
            calls.push(`${event.offset}:${attempt}`);
            if (event.id === refused.id && attempt === 1) throw new Error('checked before writing');
            await insertEffects(db, [event], groupId, attempt);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'every record committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(records.length),
    );
    await consumer.stop();

    expect(calls).toEqual(['0:1', '1:1', '1:2', '2:1', '3:1']);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => e.event_id)).toEqual(records.map((r) => r.id));
    expect(await claimsOf(groupId)).toEqual(records.map((r) => r.id));
  });
});
