/**
 * Shared pieces of the consumer runtime's integration and fault tests: a
 * PostgreSQL schema of their own (migrated with runtime/db/migrate.ts), test
 * topics with their dead-letter topics on the real broker, valid events built
 * the way the producer builds them, and readers for what tests check.
 * Nothing here imitates Kafka or PostgreSQL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Admin, IHeaders, Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { eventExamples } from '../../generated/examples.ts';
import { userEventsTopic } from '../../generated/topics.ts';
import type {
  ConsumerGroupDefinition,
  RetryPolicy,
  TopicDefinition,
} from '../../runtime/contract/definitions.ts';
import type { Logger } from '../../runtime/core/logger.ts';
import { migrate, quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';

export const runId = (): string => randomBytes(4).toString('hex');

/** Fast retries so tests do not wait on the contract's 200 ms × 2 backoff; 3 attempts as in the contract. */
export const FAST_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 50,
  multiplier: 2,
  maxIntervalMs: 200,
};

export function testKafka(brokers: readonly string[], clientId: string): Kafka {
  return createKafka({ brokers, clientId });
}

/** A pool whose sessions use `schema` (the runtime's SQL uses unqualified table names). */
export function schemaPool(databaseUrl: string, schema: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path=${schema}` });
}

/** Creates and migrates a schema of the test's own, with an `effects` table handlers write through `context.db`. */
export async function prepareSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await migrate(admin, { schema });
    // No unique constraint on purpose: a second effect of one event would show as a second row.
    await admin.query(
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.effects (
         seq bigserial PRIMARY KEY,
         event_id text NOT NULL,
         member text NOT NULL DEFAULT '',
         attempt integer NOT NULL DEFAULT 1,
         at timestamptz NOT NULL DEFAULT clock_timestamp()
       )`,
    );
  } finally {
    await admin.end();
  }
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** A test topic carrying the contract's `user.events` event types, with its dead-letter topic. */
export function userEventsTestTopic(name: string, partitions: number): TopicDefinition {
  return {
    name,
    spec: {
      name,
      kind: 'event',
      partitions,
      replicas: 1,
      config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
      deadLetterTopic: `${name}.dlq`,
    },
    events: userEventsTopic.events,
  };
}

export async function createTopics(
  brokers: readonly string[],
  topic: TopicDefinition,
  options: { withDeadLetterTopic?: boolean } = {},
): Promise<void> {
  const specs = [topic.spec];
  if (options.withDeadLetterTopic ?? true) {
    specs.push({
      name: `${topic.name}.dlq`,
      kind: 'dead-letter',
      partitions: topic.spec.partitions,
      replicas: 1,
      config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
      deadLetterFor: topic.name,
    });
  }
  await applyTopics(brokers, specs);
}

export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = names.filter((n) => existing.has(n));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

/** A group consuming the test topic's UserRegistered events (UserProfileUpdated is carried, not subscribed). */
export function registeredGroup(
  groupId: string,
  topic: TopicDefinition,
  retry: RetryPolicy = FAST_RETRY,
): ConsumerGroupDefinition {
  return {
    groupId,
    context: 'consumer-tests',
    subscriptions: [
      {
        topic,
        handlerKey: 'userEvents',
        events: ['UserRegistered'],
        retry,
        deadLetterTopic: `${topic.name}.dlq`,
      },
    ],
  };
}

export interface WireRecord {
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string | Buffer>;
  readonly partition?: number;
}

/** A valid UserRegistered record exactly as the producer writes it (prepareEvent: headers, key, JSON value). */
export function registeredRecord(
  userId: number,
  options: { id?: string; partition?: number } = {},
): WireRecord & { id: string } {
  const example = eventExamples.UserRegistered[0]!.payload;
  const prepared = prepareEvent(
    userEventsTopic,
    {
      type: 'UserRegistered',
      payload: { ...example, user_id: userId, email: `user${userId}@example.com`, username: `user${userId}` },
    },
    { id: options.id ?? randomUUID() },
  );
  return {
    id: prepared.id,
    key: prepared.key,
    value: Buffer.from(prepared.value),
    headers: { ...prepared.headers },
    ...(options.partition !== undefined ? { partition: options.partition } : {}),
  };
}

export function profileUpdatedRecord(userId: number): WireRecord & { id: string } {
  const example = eventExamples.UserProfileUpdated[0]!.payload;
  const prepared = prepareEvent(userEventsTopic, {
    type: 'UserProfileUpdated',
    payload: { ...example, user_id: userId },
  });
  return {
    id: prepared.id,
    key: prepared.key,
    value: Buffer.from(prepared.value),
    headers: { ...prepared.headers },
  };
}

export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

/** Writes records with a raw kafkajs producer (poison records included), in order, in one request. */
export async function produce(
  producer: Producer,
  topic: string,
  records: readonly WireRecord[],
): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers as IHeaders,
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
    })),
  });
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Last value of each header. */
  readonly headers: Record<string, Buffer>;
  /** Every value of each header, in order. */
  readonly allHeaders: Record<string, Buffer[]>;
}

/** Every record of a topic up to its current end, read by a throwaway group, in partition then offset order. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const records: ReadRecord[] = [];
  if (total === 0n) return records;
  const consumer = kafka.consumer({ groupId: `reader-${runId()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${total} records of ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, Buffer> = {};
          const allHeaders: Record<string, Buffer[]> = {};
          for (const [key, raw] of Object.entries(message.headers ?? {})) {
            const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined);
            allHeaders[key] = values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)));
            headers[key] = allHeaders[key].at(-1)!;
          }
          records.push({
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers,
            allHeaders,
          });
          if (BigInt(records.length) >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** The group's committed offset per partition (-1: nothing committed). */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function topicEnd(kafka: Kafka, topic: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + BigInt(p.high), 0n);
  } finally {
    await admin.disconnect();
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sum of a prom-client metric's values whose labels include `labels`. */
export async function metricSum(
  metric: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A logger that keeps lines for assertions and prints errors only when asked (CONSUMER_TEST_LOG=1). */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const print = process.env.CONSUMER_TEST_LOG === '1';
  const at = (level: string) => (message: string, details?: Record<string, unknown>) => {
    lines.push({ level, message });
    if (print) console.log(level, message, JSON.stringify(details ?? {}));
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A handler's effect: one row of `effects` for `eventId`, written through the handler's `context.db`. */
export async function recordEffect(
  db: Pick<pg.ClientBase, 'query'>,
  eventId: string,
  member: string,
  attempt = 1,
): Promise<void> {
  await db.query('INSERT INTO effects (event_id, member, attempt) VALUES ($1, $2, $3)', [
    eventId,
    member,
    attempt,
  ]);
}

export async function effectsOf(
  pool: pg.Pool,
): Promise<{ event_id: string; member: string; attempt: number }[]> {
  return (await pool.query('SELECT event_id, member, attempt FROM effects ORDER BY seq')).rows;
}
