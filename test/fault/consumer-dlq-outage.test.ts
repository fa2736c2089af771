/**
 * The dead-letter topic cannot be written (here: it does not exist yet). The
 * record that must be dead-lettered is neither skipped nor committed, the
 * partition waits behind it (order per key holds), and once the topic exists
 * the dead letter is written once and the stream goes on.
 */
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  committedOffsets,
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
} from '../integration/consumer-support.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `consumer_dlqout_${run}`;
const topic = userEventsTestTopic(`it.consumer.dlqout.${run}`, 1);
const dlq = `${topic.name}.dlq`;
const groupId = `it-dlqout-${run}`;

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-dlqout-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  await createTopics(infra.kafkaBrokers, topic, { withDeadLetterTopic: false });
  producer = await connectProducer(kafka);
  // Give up on each send after 1 s, so the runtime's own retry loop is what keeps trying.
  deadLetterProducer = testKafkaClients().producer({ compression: 'none', retryWindowMs: 1_000 });
});

afterAll(async () => {
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, [topic.name, dlq]);
  await dropSchema(infra.databaseUrl, schema);
});

it('holds the partition while the dead letter cannot be written, never skips, then goes on', async () => {
  const poison = { key: '8001', value: Buffer.from('not json'), headers: registeredRecord(8001).headers };
  const after = registeredRecord(8001);
  await produce(producer, topic.name, [poison, after]);

  const handled: string[] = [];
  const logger = recordingLogger();
  const runtime = createConsumerRuntime({ kafka: testKafkaClients(), pool, deadLetterProducer, logger });
  const consumer = runtime.create(
    registeredGroup(groupId, topic),
    {
      userEvents: {
        UserRegistered: async (event: ReceivedEvent<'UserRegistered', unknown, unknown>, { db }) => {
          handled.push(event.id);
          await recordEffect(db, event.id, groupId);
        },
      },
    },
    { groupId },
  );
  try {
    await consumer.ready;
    const failuresLogged = () =>
      logger.lines.filter((l) => l.message.startsWith('cannot publish the dead letter'));
    await waitFor('three failed dead-letter publishes', () => failuresLogged().length >= 3, 30_000);

    // Meanwhile: nothing committed, the record behind the poison one not handled.
    expect((await committedOffsets(kafka, groupId, topic.name)).get(0)).toBe(-1n);
    expect(handled).toEqual([]);
    expect(await metricSum(runtime.metrics.deadLettered, { group: groupId })).toBe(0);
    const failedPublishes = failuresLogged().length;

    await applyTopics(infra.kafkaBrokers, [
      { name: dlq, kind: 'dead-letter', partitions: 1, replicas: 1, config: {}, deadLetterFor: topic.name },
    ]);
    await waitFor('the record after it handled', () => handled.length === 1, 60_000);
    await waitFor(
      'both committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === 2n,
    );
    await consumer.stop();

    const dead = await readTopic(kafka, dlq);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value).toEqual(poison.value);
    expect(dead[0]!.headers['kafka_dlt-reason']?.toString()).toBe('undecodable');
    expect(handled).toEqual([after.id]);
    expect((await effectsOf(pool)).map((e) => e.event_id)).toEqual([after.id]);
    expect(await metricSum(runtime.metrics.deadLettered, { group: groupId, reason: 'undecodable' })).toBe(1);
    console.log(
      `[dead-letter outage] records written 2, failed dead-letter publishes while the topic was missing ${failedPublishes} (offset not committed, next record held), dead-lettered once created 1, handled after it 1`,
    );
  } finally {
    await consumer.stop();
  }
}, 120_000);
