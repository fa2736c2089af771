/**
 * Group membership under load on the real broker: a second member joins and
 * the first leaves while records flow (two rebalances), and a record retried
 * for longer than the session timeout keeps its member in the group.
 */
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  committedOffsets,
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
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
const schema = `consumer_rebalance_${run}`;
const topics: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-rebalance-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema, 20);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
});

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, topics);
  await dropSchema(infra.databaseUrl, schema);
});

const count = async (sql: string, params: unknown[] = []) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('two members of one group, a join and a leave while records flow: every effect exactly once', async () => {
  const topic = userEventsTestTopic(`it.consumer.rebalance.${run}`, 6);
  topics.push(topic.name, `${topic.name}.dlq`);
  await createTopics(infra.kafkaBrokers, topic);
  const groupId = `it-rebalance-${run}`;
  const EVENTS = 600;

  const member = (name: string) => {
    const runtime = createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer,
      logger: recordingLogger(),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
    });
    runtimes.push(runtime);
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db }) => {
            await recordEffect(db, event.id, name);
            await sleep(4);
          },
        },
      },
      { groupId, partitionsConsumedConcurrently: 3 },
    );
    return { runtime, consumer };
  };

  // Records keep arriving during both rebalances: 20 chunks of 30, one every 200 ms.
  const records = Array.from({ length: EVENTS }, (_, i) => registeredRecord(10_000 + i));
  const producing = (async () => {
    for (let chunk = 0; chunk < 20; chunk++) {
      await produce(producer, topic.name, records.slice(chunk * 30, chunk * 30 + 30));
      await sleep(200);
    }
  })();

  const a = member('a');
  await a.consumer.ready;
  await waitFor(
    'member a handles records',
    async () => (await count('SELECT count(*) AS n FROM effects')) > 40,
  );
  const b = member('b');
  await b.consumer.ready; // joined: the group rebalanced onto two members
  await waitFor(
    'member b handles records',
    async () => (await count(`SELECT count(*) AS n FROM effects WHERE member = 'b'`)) > 20,
  );
  await a.consumer.stop(); // leaves: a second rebalance, b takes every partition
  await producing;
  await waitFor(
    'every event handled',
    async () => (await count('SELECT count(DISTINCT event_id) AS n FROM effects')) >= EVENTS,
    60_000,
  );
  await waitFor('everything committed', async () => {
    const offsets = await committedOffsets(kafka, groupId, topic.name);
    return [...offsets.values()].reduce((s, o) => s + (o > 0n ? o : 0n), 0n) === BigInt(EVENTS);
  });
  await b.consumer.stop();

  const total = await count('SELECT count(*) AS n FROM effects');
  const distinct = await count('SELECT count(DISTINCT event_id) AS n FROM effects');
  const byA = await count(`SELECT count(*) AS n FROM effects WHERE member = 'a'`);
  const byB = await count(`SELECT count(*) AS n FROM effects WHERE member = 'b'`);
  const duplicates =
    (await metricSum(a.runtime.metrics.consumed, { outcome: 'duplicate' })) +
    (await metricSum(b.runtime.metrics.consumed, { outcome: 'duplicate' }));
  const delivered =
    (await metricSum(a.runtime.metrics.consumed, {})) + (await metricSum(b.runtime.metrics.consumed, {}));
  expect(distinct).toBe(EVENTS);
  expect(total).toBe(EVENTS); // no second effect for any event
  expect(
    await count('SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1', [groupId]),
  ).toBe(EVENTS);
  expect(byA).toBeGreaterThan(0);
  expect(byB).toBeGreaterThan(0);
  expect(delivered).toBe(EVENTS + duplicates);
  console.log(
    `[rebalance] events written ${EVENTS}, delivered ${delivered}, handled by a ${byA} / b ${byB}, duplicates suppressed ${duplicates}, effects ${total} (distinct ${distinct})`,
  );
});

it('a record retried longer than the session timeout keeps its member: heartbeats during backoff', async () => {
  const topic = userEventsTestTopic(`it.consumer.longretry.${run}`, 1);
  topics.push(topic.name, `${topic.name}.dlq`);
  await createTopics(infra.kafkaBrokers, topic);
  const groupId = `it-longretry-${run}`;
  const doomed = registeredRecord(20_001);
  const after = registeredRecord(20_002);
  await produce(producer, topic.name, [doomed, after]);

  const calls: number[] = [];
  const runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    logger: recordingLogger(),
    sessionTimeoutMs: 6_000, // the broker's minimum
    heartbeatIntervalMs: 1_000,
  });
  runtimes.push(runtime);
  const consumer = runtime.create(
    registeredGroup(groupId, topic, {
      maxAttempts: 3,
      initialIntervalMs: 4_500,
      multiplier: 1,
      maxIntervalMs: 4_500,
    }),
    {
      userEvents: {
        UserRegistered: async (event: Registered, { attempt, db }) => {
          if (event.id !== doomed.id) {
            await recordEffect(db, event.id, groupId);
            return;
          }
          calls.push(attempt);
          // A slow failing attempt too: longer than a heartbeat interval, inside the transaction.
          await sleep(2_000);
          throw new Error('still failing');
        },
      },
    },
    { groupId },
  );
  await consumer.ready;
  // 3 attempts × 2 s + 2 backoffs of ~4.5 s ≈ 15 s in one record: 2.5 session timeouts.
  await waitFor(
    'the record after it handled',
    async () => (await count('SELECT count(*) AS n FROM effects WHERE event_id = $1', [after.id])) === 1,
    40_000,
  );
  await consumer.stop();

  // Had the member been dropped from the group, the record would have been redelivered and attempts restarted at 1.
  expect(calls).toEqual([1, 2, 3]);
  const dead = await readTopic(kafka, `${topic.name}.dlq`);
  expect(dead).toHaveLength(1);
  expect(dead[0]!.headers.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 3]));
  console.log(
    `[long retry] events written 2, attempts ${calls.length} over ~15 s with a 6 s session timeout, dead-lettered ${dead.length}, handled after it 1`,
  );
}, 60_000);
