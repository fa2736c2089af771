/**
 * Schema evolution at run time on the real broker and PostgreSQL, with the
 * evolution fixture's SDK (test/fixtures/evolution: UserRegistered carried in
 * versions 1 and 2 during a migration window). One topic carries both
 * versions: a producer pinned to version 1 and one on version 2 publish
 * directly and through the outbox and its relay; one consumer group handles
 * both, each handler call seeing the version its record was written in with
 * that version's payload; a record claiming version 3 is dead-lettered.
 *
 * The fixture's topic is retargeted to throwaway topics of this run, so
 * records of earlier runs never reach the group.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { EventProducer, OutboxWriter } from '../../runtime/contract/events.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  type AccountEventsEventMap,
  type AccountEventsOutbox,
  type AccountEventsPublisher,
  accountEventsTopic,
  eventExamples,
  type MailerGroupHandlers,
  mailerGroup,
  type UserRegisteredV1,
} from '../fixtures/evolution/expected/index.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  deleteTopics,
  dropSchema,
  FAST_RETRY,
  prepareSchema,
  produce,
  readTopic,
  recordingLogger,
  runId,
  schemaPool,
  testKafka,
  waitFor,
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const TOPIC = `accounts.events.${run}`;
const DLQ = `${TOPIC}.dlq`;
const schema = `evolution_${run}`;

/** The fixture's topic under this run's name. */
const topic: TopicDefinition<AccountEventsEventMap> = {
  ...accountEventsTopic,
  name: TOPIC,
  spec: { ...accountEventsTopic.spec, name: TOPIC, replicas: 1, deadLetterTopic: DLQ },
};
/** The fixture's consumer group, on this run's topics, retried fast. */
const group: ConsumerGroupDefinition = {
  ...mailerGroup,
  subscriptions: mailerGroup.subscriptions.map((s) => ({
    ...s,
    topic: topic as unknown as TopicDefinition,
    deadLetterTopic: DLQ,
    retry: FAST_RETRY,
  })),
};
// As the generated factories do it, on the retargeted topic.
const publisherOn = (producer: EventProducer): AccountEventsPublisher => producer.topic(topic);
const outboxOn = (writer: OutboxWriter): AccountEventsOutbox => writer.topic(topic);

const v2 = eventExamples.UserRegistered[0]!.payload;
const v1: UserRegisteredV1 = { user_id: 7, email: 'ada@example.com', full_name: 'Ada Lovelace' };

/** What the UserRegistered handler saw, read through the payload type its schemaVersion narrows to. */
interface Seen {
  readonly id: string;
  readonly schemaVersion: 1 | 2;
  readonly name: string;
  readonly header: string;
}

describe('one topic carrying versions 1 and 2 of an event during a migration window', () => {
  let kafka: Kafka;
  let pool: pg.Pool;
  let raw: Producer;
  const port = () => testKafkaClients().producer();
  let producerPort: ReturnType<typeof port>;
  let relay: OutboxRelay | undefined;
  const seen: Seen[] = [];
  const consumers = () =>
    createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: producerPort,
      logger: recordingLogger(),
    });
  let runtime: ReturnType<typeof consumers>;

  beforeAll(async () => {
    kafka = testKafka(infra.kafkaBrokers, `event-versions-${run}`);
    await prepareSchema(infra.databaseUrl, schema);
    pool = schemaPool(infra.databaseUrl, schema);
    await applyTopics(infra.kafkaBrokers, [
      topic.spec,
      { name: DLQ, kind: 'dead-letter', partitions: 3, replicas: 1, config: {}, deadLetterFor: TOPIC },
    ]);
    producerPort = port();
    await producerPort.connect();
    raw = await connectProducer(kafka);
    runtime = consumers();
    const handlers: MailerGroupHandlers = {
      accountEvents: {
        UserRegistered: (event) => {
          // The union narrows: each branch reads a field only its version has.
          const name =
            event.schemaVersion === 1
              ? event.payload.full_name
              : `${event.payload.given_name} ${event.payload.family_name}`;
          seen.push({
            id: event.id,
            schemaVersion: event.schemaVersion,
            name,
            header: event.headers.ce_schemaversion,
          });
        },
        UserRenamed: () => {},
      },
    };
    const running = runtime.create(group, handlers, { groupId: `mailer-${run}`, startFrom: 'earliest' });
    await running.ready;
  });

  afterAll(async () => {
    await relay?.stop();
    await runtime?.stopAll();
    await raw?.disconnect();
    await producerPort?.disconnect();
    await pool?.end();
    await dropSchema(infra.databaseUrl, schema);
    await deleteTopics(kafka, [TOPIC, DLQ]);
  });

  const handled = (id: string) => waitFor(`the handler call for ${id}`, () => seen.find((s) => s.id === id));

  it('direct publish: a producer pinned to version 1 and one on version 2, one group handles both', async () => {
    const pinned = publisherOn(
      createEventProducer({ producer: producerPort, schemaVersions: { UserRegistered: 1 } }),
    );
    const current = publisherOn(createEventProducer({ producer: producerPort }));
    const old = await pinned.publish({ type: 'UserRegistered', payload: v1 });
    const now = await current.publish({ type: 'UserRegistered', payload: v2 });
    expect(await handled(old.id)).toEqual({
      id: old.id,
      schemaVersion: 1,
      name: 'Ada Lovelace',
      header: '1',
    });
    expect(await handled(now.id)).toEqual({
      id: now.id,
      schemaVersion: 2,
      name: 'Ada Lovelace',
      header: '2',
    });
    // The pinned producer refuses what it would send as version 1 but is written as version 2.
    await expect(pinned.publish({ type: 'UserRegistered', payload: v2 as never })).rejects.toThrow(
      /UserRegistered payload breaks its contract: \/full_name is required/,
    );
  });

  it('through the outbox and the relay: each row keeps the version it was written in', async () => {
    const pinned = outboxOn(createOutboxWriter({ schemaVersions: { UserRegistered: 1 } }));
    const current = outboxOn(createOutboxWriter());
    const client = await pool.connect();
    let ids: [string, string];
    try {
      await client.query('BEGIN');
      const old = await pinned.write(client, { type: 'UserRegistered', payload: { ...v1, user_id: 8 } });
      const now = await current.write(client, { type: 'UserRegistered', payload: { ...v2, user_id: 8 } });
      await client.query('COMMIT');
      ids = [old.id, now.id];
    } finally {
      client.release();
    }
    const rows = await pool.query<{ event_id: string; version: string }>(
      `SELECT event_id, headers->>'ce_schemaversion' AS version FROM domain_event_outbox ORDER BY id`,
    );
    expect(rows.rows.map((r) => [r.event_id, r.version])).toEqual([
      [ids[0], '1'],
      [ids[1], '2'],
    ]);
    // A relay knows nothing of pins: it sends each row as it was written.
    relay = new OutboxRelay({
      database: infra.databaseUrl,
      producer: producerPort,
      schema,
      pollIntervalMs: 200,
    });
    await relay.start();
    expect(await handled(ids[0])).toMatchObject({ schemaVersion: 1, name: 'Ada Lovelace', header: '1' });
    expect(await handled(ids[1])).toMatchObject({ schemaVersion: 2, name: 'Ada Lovelace', header: '2' });
  });

  it('dead-letters a record of a version the contract does not carry, and never calls the handler', async () => {
    const prepared = prepareEvent(topic, { type: 'UserRegistered', payload: v2 }, { id: randomUUID() });
    await produce(raw, TOPIC, [
      {
        key: prepared.key,
        value: Buffer.from(prepared.value),
        headers: { ...prepared.headers, ce_schemaversion: '3' },
      },
    ]);
    const letter = await waitFor('the version 3 record on the dead-letter topic', async () =>
      (await readTopic(kafka, DLQ, 10_000)).find((r) => r.headers.ce_id?.toString() === prepared.id),
    );
    expect(letter.headers['kafka_dlt-reason']?.toString()).toBe('schema-invalid');
    expect(letter.headers['kafka_dlt-exception-message']?.toString()).toContain(
      '/ce_schemaversion is 3; this consumer reads versions 1, 2 of UserRegistered',
    );
    expect(letter.headers.ce_schemaversion?.toString()).toBe('3');
    expect(seen.some((s) => s.id === prepared.id)).toBe(false);
  });
});
