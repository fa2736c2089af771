/**
 * A consumer stopped gracefully mid-stream, then a new one in the same group:
 * the in-flight record finishes and is committed, everything acknowledged is
 * committed, nothing is lost and no event has a second effect.
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
const schema = `consumer_stop_${run}`;
const topic = userEventsTestTopic(`it.consumer.stop.${run}`, 3);
const groupId = `it-stop-${run}`;
const EVENTS = 300;

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-stop-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  await createTopics(infra.kafkaBrokers, topic);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
});

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, [topic.name, `${topic.name}.dlq`]);
  await dropSchema(infra.databaseUrl, schema);
});

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

function start(member: string, inFlight: Set<string>) {
  const runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    logger: recordingLogger(),
  });
  runtimes.push(runtime);
  const consumer = runtime.create(
    registeredGroup(groupId, topic),
    {
      userEvents: {
        UserRegistered: async (event: Registered, { db }) => {
          inFlight.add(event.id);
          await recordEffect(db, event.id, member);
          await new Promise((resolve) => setTimeout(resolve, 15)); // still in the transaction
          inFlight.delete(event.id);
        },
      },
    },
    { groupId, partitionsConsumedConcurrently: 3 },
  );
  return { runtime, consumer };
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

it('stops mid-stream without losing or repeating anything, then a new member finishes the stream', async () => {
  const records = Array.from({ length: EVENTS }, (_, i) => registeredRecord(5000 + i));
  await produce(producer, topic.name, records);

  const inFlight = new Set<string>();
  const first = start('first', inFlight);
  await first.consumer.ready;
  await waitFor(
    'a third of the stream handled',
    async () => (await count('SELECT count(*) AS n FROM effects')) >= 100,
  );
  const inFlightAtStop = [...inFlight];
  await first.consumer.stop();

  const handledByFirst = await count(`SELECT count(*) AS n FROM effects WHERE member = 'first'`);
  const processedRows = await count(
    'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1',
    [groupId],
  );
  const committed = [...(await committedOffsets(kafka, groupId, topic.name)).values()].reduce(
    (sum, o) => sum + (o > 0n ? o : 0n),
    0n,
  );
  expect(inFlightAtStop.length).toBeGreaterThan(0);
  expect(handledByFirst).toBeLessThan(EVENTS); // really mid-stream
  // The records in flight when stop() was called finished and were committed with the rest.
  for (const id of inFlightAtStop) {
    expect(await count('SELECT count(*) AS n FROM effects WHERE event_id = $1', [id])).toBe(1);
  }
  // Every acknowledged record, and only those, is committed: the group's position is exactly what was handled.
  expect(processedRows).toBe(handledByFirst);
  expect(Number(committed)).toBe(handledByFirst);

  const second = start('second', new Set());
  await second.consumer.ready;
  await waitFor(
    'the whole stream handled',
    async () => (await count('SELECT count(*) AS n FROM effects')) >= EVENTS,
  );
  await waitFor('everything committed', async () => {
    const offsets = await committedOffsets(kafka, groupId, topic.name);
    return [...offsets.values()].reduce((s, o) => s + (o > 0n ? o : 0n), 0n) === BigInt(EVENTS);
  });
  await second.consumer.stop();

  expect(await count('SELECT count(*) AS n FROM effects')).toBe(EVENTS);
  expect(await count('SELECT count(DISTINCT event_id) AS n FROM effects')).toBe(EVENTS);
  const handledBySecond = await count(`SELECT count(*) AS n FROM effects WHERE member = 'second'`);
  const duplicates = await metricSum(second.runtime.metrics.consumed, { outcome: 'duplicate' });
  expect(handledByFirst + handledBySecond).toBe(EVENTS);
  expect(duplicates).toBe(0);
  console.log(
    `[graceful stop] events written ${EVENTS}, handled before stop ${handledByFirst} (in flight at stop ${inFlightAtStop.length}, all finished and committed), committed at stop ${committed}, handled after restart ${handledBySecond}, duplicates suppressed ${duplicates}, effects ${EVENTS} distinct ${EVENTS}`,
  );
});
