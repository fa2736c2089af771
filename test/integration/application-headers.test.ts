/**
 * Typed application headers end to end, on the real broker and PostgreSQL:
 * test/fixtures/typed-headers (a required integer, an optional boolean, enum
 * string and JSON object beside the envelope) is generated into a scratch
 * folder; events are published with the generated publisher and written with
 * the generated outbox mapper (then relayed); the generated consumer group's
 * handler sees every header typed, and Kafka carries them as text. A record
 * whose integer header does not decode, produced raw, is dead-lettered as
 * schema-invalid with a reason naming the header.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../generator/generate.ts';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { readDeadLetter } from '../../runtime/consume/dead-letter.ts';
import type {
  ConsumerGroupDefinition,
  EventConsumerFactory,
  EventProducer,
  OutboxWriter,
  ReceivedEvent,
  RunningConsumer,
  TopicDefinition,
  TopicSpec,
} from '../../runtime/contract/index.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  deleteTopics,
  dropSchema,
  prepareSchema,
  produce,
  type ReadRecord,
  readTopic,
  recordingLogger,
  runId,
  schemaPool,
  testKafka,
  waitFor,
} from './consumer-support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const run = runId();
// Inside the repository (ignored by git), so that the generated validators resolve `ajv` from node_modules.
const scratch = path.join(root, '.cache', `typed-headers-it-${run}`);
const infra = useInfrastructure();
const schema = `app_headers_it_${run}`;

/** What the generated SDK of the typed-headers contract exports and this test uses. */
interface JobsSdk {
  readonly topicSpecs: readonly TopicSpec[];
  readonly jobsTopic: TopicDefinition;
  readonly jobsWorkerGroup: ConsumerGroupDefinition;
  jobsPublisher(producer: EventProducer): {
    publish(event: unknown): Promise<{ id: string }>;
    publishAll(events: readonly unknown[]): Promise<{ id: string }[]>;
  };
  jobsOutbox(outbox: OutboxWriter): {
    write(db: pg.ClientBase, event: unknown, options?: { id?: string }): Promise<{ id: string }>;
  };
  createJobsWorkerGroup(
    runtime: EventConsumerFactory,
    handlers: Record<string, Record<string, (event: Received) => void>>,
    options?: { groupId?: string },
  ): RunningConsumer;
}
type Received = ReceivedEvent<string, { jobId: string }, Record<string, unknown>>;

let sdk: JobsSdk;
let kafka: Kafka;
let pool: pg.Pool;
let rawProducer: Producer;
let producerPort: KafkaProducerPort;
let deadLetterProducer: KafkaProducerPort;
let runtime: ConsumerRuntime;
let relay: OutboxRelay | undefined;
let consumer: RunningConsumer;
const received = new Map<string, Received>();

beforeAll(async () => {
  const outDir = path.join(scratch, 'sdk');
  const { files } = await generate({
    input: path.join(root, 'test/fixtures/typed-headers'),
    outDir,
    runtimeEntry: path.join(root, 'runtime/contract/index.ts'),
    cwd: root,
    mode: 'strict',
  });
  await mkdir(outDir, { recursive: true });
  await Promise.all(files.map((f) => writeFile(path.join(outDir, f.path), f.content)));
  sdk = (await import(path.join(outDir, 'index.ts'))) as JobsSdk;

  kafka = testKafka(infra.kafkaBrokers, `app-headers-it-${run}`);
  expect((await applyTopics(infra.kafkaBrokers, sdk.topicSpecs)).hasDrift).toBe(false);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  rawProducer = await connectProducer(kafka);
  producerPort = testKafkaClients().producer();
  await producerPort.connect();
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
  runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    logger: recordingLogger(),
  });
  const keep = (event: Received) => {
    received.set(event.id, event);
  };
  consumer = sdk.createJobsWorkerGroup(
    runtime,
    { jobs: { JobQueued: keep, JobCancelled: keep, JobNoted: keep } },
    { groupId: `jobs-worker-${run}` },
  );
  await consumer.ready;
}, 120_000);

afterAll(async () => {
  await relay?.stop();
  await runtime?.stopAll();
  await rawProducer?.disconnect();
  await producerPort?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  if (kafka) await deleteTopics(kafka, ['jobs.events', 'jobs.events.dlq']);
  await dropSchema(infra.databaseUrl, schema);
  await rm(scratch, { recursive: true, force: true });
});

const payload = (jobId: string) => ({ jobId });

function wireHeaders(record: ReadRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString('utf8')]));
}

describe('typed application headers on the real broker', () => {
  it('published directly: the handler sees typed values, Kafka carries text, an absent optional header stays absent', async () => {
    const publisher = sdk.jobsPublisher(createEventProducer({ producer: producerPort }));
    const [full, bare, cancelled, noted] = await publisher.publishAll([
      {
        type: 'JobQueued',
        payload: payload('direct-1'),
        headers: { retryCount: 3, urgent: true, priority: 'high', meta: { origin: 'cron', hops: [1, 2] } },
      },
      { type: 'JobQueued', payload: payload('direct-2'), headers: { retryCount: 0 } },
      { type: 'JobCancelled', payload: payload('direct-1'), headers: { urgent: false, 'x-attempt': 2 } },
      { type: 'JobNoted', payload: payload('direct-1') },
    ]);
    await waitFor('the four direct events handled', () =>
      [full, bare, cancelled, noted].every((r) => received.has(r!.id)),
    );

    const headersOf = (id: string) => received.get(id)!.headers;
    expect(headersOf(full!.id)).toMatchObject({
      retryCount: 3,
      urgent: true,
      priority: 'high',
      meta: { origin: 'cron', hops: [1, 2] },
    });
    expect(headersOf(bare!.id).retryCount).toBe(0);
    for (const absent of ['urgent', 'priority', 'meta'])
      expect(headersOf(bare!.id)).not.toHaveProperty(absent);
    expect(headersOf(cancelled!.id)).toMatchObject({ urgent: false, 'x-attempt': 2 });
    expect(Object.keys(headersOf(noted!.id)).filter((k) => !k.startsWith('ce_'))).toEqual(
      expect.not.arrayContaining(['retryCount', 'urgent']),
    );

    const wire = (await readTopic(kafka, 'jobs.events')).find(
      (r) => r.headers.ce_id?.toString() === full!.id,
    );
    expect(wireHeaders(wire!)).toMatchObject({
      retryCount: '3',
      urgent: 'true',
      priority: 'high',
      meta: '{"origin":"cron","hops":[1,2]}',
      ce_type: 'JobQueued',
    });
  });

  it('written through the outbox and relayed: the headers arrive unchanged and typed', async () => {
    const outbox = sdk.jobsOutbox(createOutboxWriter({ schema }));
    const client = await pool.connect();
    let written: { id: string };
    let withId: { id: string };
    try {
      await client.query('BEGIN');
      written = await outbox.write(client, {
        type: 'JobQueued',
        payload: payload('outbox-1'),
        headers: { retryCount: 7, meta: { origin: 'outbox' } },
      });
      // An explicit event id takes another path through the mapper: the headers must survive it too.
      withId = await outbox.write(
        client,
        { type: 'JobQueued', payload: payload('outbox-2'), headers: { retryCount: 8, urgent: true } },
        { id: randomUUID() },
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const row = (
      await pool.query('SELECT headers FROM domain_event_outbox WHERE event_id = $1', [written.id])
    ).rows[0] as { headers: Record<string, string> };
    expect(row.headers).toMatchObject({ retryCount: '7', meta: '{"origin":"outbox"}' });

    relay = new OutboxRelay({
      database: infra.databaseUrl,
      producer: producerPort,
      schema,
      pollIntervalMs: 200,
    });
    await relay.start();
    await waitFor('the relayed events handled', () => received.has(written.id) && received.has(withId.id));
    expect(received.get(written.id)!.headers).toMatchObject({ retryCount: 7, meta: { origin: 'outbox' } });
    expect(received.get(written.id)!.headers).not.toHaveProperty('urgent');
    expect(received.get(withId.id)!.headers).toMatchObject({ retryCount: 8, urgent: true });
  });

  it('dead-letters a record whose integer header does not decode, as schema-invalid naming the header', async () => {
    const prepared = prepareEvent(sdk.jobsTopic, {
      type: 'JobQueued',
      payload: payload('poison-1'),
      headers: { retryCount: 1 },
    });
    const id = prepared.id;
    const after = prepareEvent(sdk.jobsTopic, {
      type: 'JobQueued',
      payload: payload('poison-1'),
      headers: { retryCount: 2 },
    });
    await produce(rawProducer, 'jobs.events', [
      {
        key: prepared.key,
        value: Buffer.from(prepared.value),
        headers: { ...prepared.headers, retryCount: 'abc' },
      },
      { key: after.key, value: Buffer.from(after.value), headers: { ...after.headers } },
    ]);
    // The record after it, same key, is handled: the poison record did not hold its partition.
    await waitFor('the record after the poison one handled', () => received.has(after.id));
    expect(received.has(id)).toBe(false);

    const dead = await waitFor('the dead letter', async () =>
      (await readTopic(kafka, 'jobs.events.dlq')).find((r) => r.headers.ce_id?.toString() === id),
    );
    const provenance = readDeadLetter(dead.headers);
    expect(provenance.reason).toBe('schema-invalid');
    expect(provenance.originalTopic).toBe('jobs.events');
    expect(provenance.exceptionMessage).toMatch(/\/retryCount is "abc", not an integer as JSON text/);
    expect(dead.headers.retryCount?.toString()).toBe('abc');
  });

  it('refuses at the publisher what the contract refuses: a wrong type, a missing required header, an envelope header', async () => {
    const publisher = sdk.jobsPublisher(createEventProducer({ producer: producerPort }));
    await expect(
      publisher.publish({ type: 'JobQueued', payload: payload('bad'), headers: { retryCount: '3' } }),
    ).rejects.toThrow(/\/retryCount must be integer/);
    await expect(publisher.publish({ type: 'JobQueued', payload: payload('bad') })).rejects.toThrow(
      /\/retryCount is required/,
    );
    await expect(
      publisher.publish({
        type: 'JobQueued',
        payload: payload('bad'),
        headers: { retryCount: 1, ce_id: randomUUID() },
      }),
    ).rejects.toThrow(/\/ce_id is an envelope header/);
  });
});
