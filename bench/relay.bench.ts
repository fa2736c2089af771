/**
 * Outbox relay throughput against the real broker and database:
 *
 *   node bench/relay.bench.ts [--events 50000] [--tx 500] [--batch 2000] [--workers 2]
 *
 * 1. writes N events to the outbox (writeToOutbox, `--tx` events per transaction);
 * 2. relays them (OutboxRelay, `--workers` lane workers, `--batch` rows per batch),
 *    once deleting rows as they are published (the default), and once, after
 *    writing N more, marking them published (a retention);
 * 3. publishes N events directly (EventProducer.publishAll, `--batch` per call);
 * 4. sends the same events with raw kafkajs `sendBatch` (idempotent, acks=all,
 *    Snappy, `--batch` per call), serializing each one as a hand-rolled
 *    producer of the same contract would (JSON, key, the same CloudEvents and
 *    trace-context headers; no validation, no receipts): what the typed path
 *    is compared with;
 * 5. sends pre-serialized records the same way: the client's own ceiling.
 *
 * Uses DATABASE_URL / KAFKA_BROKERS (defaults: the local PostgreSQL and native
 * broker), a schema and a topic of its own (6 partitions), dropped afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { eventExamples, messageSentEvent } from '../generated/index.ts';
import type { TopicDefinition } from '../runtime/contract/definitions.ts';
import { DEFAULT_DATABASE_URL, migrate, quoteIdent } from '../runtime/db/migrate.ts';
import { createKafka, kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../runtime/kafka/kafkajs-producer.ts';
import { writeToOutbox } from '../runtime/outbox/write.ts';
import { createEventProducer, toOutgoingRecord } from '../runtime/produce/event-producer.ts';
import { prepareEvent } from '../runtime/produce/prepare-event.ts';
import { OutboxRelay } from '../runtime/relay/relay.ts';
import { applyTopics } from '../runtime/topics/apply.ts';

const { CompressionTypes } = kafkajs;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    tx: { type: 'string', default: '500' },
    batch: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '2' },
    keys: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
  },
});
const N = Number(values.events);
const TX = Number(values.tx);
const BATCH = Number(values.batch);
const WORKERS = Number(values.workers);
const KEYS = Number(values.keys);
const ROUNDS = Number(values.rounds);

const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const brokers = kafkaBrokersFromEnv();
const suffix = randomUUID().slice(0, 8);
const schema = `bench_relay_${suffix}`;
const topicName = `bench-relay-${suffix}`;
const topic: TopicDefinition = {
  name: topicName,
  spec: { name: topicName, kind: 'event', partitions: 6, replicas: 1, config: {} },
  events: { MessageSent: { ...messageSentEvent, topic: topicName } },
};

const base = eventExamples.MessageSent[0]!.payload;
const events = () =>
  Array.from({ length: N }, (_, i) => ({
    type: 'MessageSent',
    payload: {
      ...base,
      message_id: randomUUID(),
      room_id: 1 + (i % KEYS),
      content: `benchmark message ${i}`,
    },
  }));

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const results: { step: string; events: number; ms: number; perSecond: number }[] = [];
function record(step: string, n: number, ms: number) {
  results.push({ step, events: n, ms: Math.round(ms), perSecond: rate(n, ms) });
  process.stderr.write(`${step}: ${n} events in ${(ms / 1000).toFixed(2)} s = ${rate(n, ms)} events/s\n`);
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
const kafka = createKafka({ brokers, clientId: 'bench-relay' });
const port = createKafkajsProducer({ kafka });

async function writeAll(count = N): Promise<number> {
  const all = events().slice(0, count);
  const client = await pool.connect();
  const started = performance.now();
  try {
    for (let i = 0; i < all.length; i += TX) {
      await client.query('BEGIN');
      await writeToOutbox(client, topic, all.slice(i, i + TX), { schema });
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  return performance.now() - started;
}

async function relayAll(retentionMs: number, count = N): Promise<number> {
  const relay = new OutboxRelay({
    database: databaseUrl,
    producer: port,
    schema,
    workers: WORKERS,
    batchSize: BATCH,
    retentionMs,
    pollIntervalMs: 50,
  });
  const started = performance.now();
  await relay.start();
  while (relay.status().published < count) await new Promise((resolve) => setTimeout(resolve, 5));
  const ms = performance.now() - started;
  await relay.stop();
  return ms;
}

try {
  await applyTopics(brokers, [topic.spec]);
  await migrate(databaseUrl, { schema });
  await port.connect();
  process.stderr.write(
    `relay benchmark: ${N} events, ${TX} per transaction, batches of ${BATCH}, ${WORKERS} workers, ${KEYS} keys; ` +
      `${os.cpus().length} CPUs, Node ${process.version}, Kafka ${brokers.join(',')}\n`,
  );
  // Warm-up: connections, metadata, JIT of every path measured below.
  await createEventProducer({ producer: port }).topic(topic).publishAll(events().slice(0, 2000));
  await writeAll(10_000);
  await relayAll(0, 10_000);

  record('outbox write (writeToOutbox, one writer)', N, await writeAll());
  record('relay, default (rows deleted once published)', N, await relayAll(0));
  await writeAll();
  record('relay with a retention (rows marked published)', N, await relayAll(3_600_000));

  const direct = createEventProducer({ producer: port }).topic(topic);
  const raw = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await raw.connect();
  const typedRound = async () => {
    const directEvents = events();
    const started = performance.now();
    for (let i = 0; i < directEvents.length; i += BATCH)
      await direct.publishAll(directEvents.slice(i, i + BATCH));
    return performance.now() - started;
  };
  // What a hand-rolled producer of the same contract does per event: serialize, key, envelope headers.
  const rawRound = async () => {
    const rawEvents = events();
    const started = performance.now();
    for (let i = 0; i < rawEvents.length; i += BATCH) {
      await raw.sendBatch({
        acks: -1,
        compression: CompressionTypes.Snappy,
        topicMessages: [
          {
            topic: topicName,
            messages: rawEvents.slice(i, i + BATCH).map((e) => ({
              key: String(e.payload.room_id),
              value: JSON.stringify(e.payload),
              // The same envelope the contract asks of every event (CloudEvents + W3C trace context).
              headers: {
                ce_specversion: '1.0',
                ce_id: randomUUID(),
                ce_type: e.type,
                ce_source: messageSentEvent.source,
                ce_time: new Date().toISOString(),
                ce_schemaversion: '1',
                ce_subject: String(e.payload.room_id),
                'content-type': 'application/json',
                traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
              },
            })),
          },
        ],
      });
    }
    return performance.now() - started;
  };
  // Alternating rounds, the median of each: one run of each is at the mercy of GC and the broker's flushes.
  const typedMs: number[] = [];
  const rawMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    typedMs.push(await typedRound());
    rawMs.push(await rawRound());
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  record(`direct publishAll (validate + prepare + send), median of ${ROUNDS}`, N, median(typedMs));
  record(
    `raw kafkajs sendBatch, serializing each event (no validation), median of ${ROUNDS}`,
    N,
    median(rawMs),
  );

  const messages = events().map((e) => {
    const r = toOutgoingRecord(prepareEvent(topic, e));
    return { key: r.key as string, value: r.value, headers: { ...(r.headers as Record<string, string>) } };
  });
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    await raw.sendBatch({
      acks: -1,
      compression: CompressionTypes.Snappy,
      topicMessages: [{ topic: topicName, messages: messages.slice(i, i + BATCH) }],
    });
  }
  record('raw kafkajs sendBatch of pre-serialized records (the ceiling)', N, performance.now() - started);
  await raw.disconnect();

  process.stdout.write(`${JSON.stringify({ events: N, tx: TX, batch: BATCH, workers: WORKERS, results })}\n`);
} finally {
  await port.disconnect().catch(() => {});
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => {});
  await pool.end();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topicName] }).catch(() => {});
  await admin.disconnect();
}
