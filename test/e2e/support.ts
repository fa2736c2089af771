/**
 * Shared pieces of the service end-to-end tests: each test file migrates
 * schemas of its own (`user_<random>`, `friend_<random>`) on the real
 * PostgreSQL, talks to the real Kafka, calls the Hono apps in-process with
 * `app.request`, and drops its schemas afterwards.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Hono } from 'hono';
import pg from 'pg';
import { topicSpecs, userOnlineStatusPublisher } from '../../generated/index.ts';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import type { ServiceApp, ServiceEnv } from '../../services/shared/app.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { createLogger } from '../../services/shared/logger.ts';
import { createPresence } from '../../services/user/presence.ts';
import { createUserService } from '../../services/user/service.ts';
import type { Infrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';

export { eventually } from '../support/eventually.ts';

export const TEST_SECRET = 'e2e-test-secret';
export const runId = (): string => randomBytes(4).toString('hex');
export const silent = (name: string) => createLogger(name, { level: 'silent' });

export interface Response<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** One request to an app, JSON in and out. */
export async function call<T = Record<string, unknown>>(
  app: Hono<ServiceEnv>,
  method: string,
  url: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Response<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await app.request(url, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** One request to a listening service (`baseUrl`, e.g. http://127.0.0.1:3001), JSON in and out. */
export async function fetchJson<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | undefined } = {},
): Promise<Response<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

export async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await admin.end();
  }
}

export interface TestUserService {
  readonly service: ServiceApp;
  readonly app: Hono<ServiceEnv>;
  readonly pool: pg.Pool;
  readonly schema: string;
  close(): Promise<void>;
}

/** The user service on a fresh schema, publishing presence to the real Kafka. */
export async function startUserService(infra: Infrastructure, schema: string): Promise<TestUserService> {
  const pool = createServicePool(infra.databaseUrl, schema, 5);
  const presencePool = createServicePool(infra.databaseUrl, schema, 2, { connectionTimeoutMillis: 1_000 });
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/user/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  const producer: KafkaProducerPort = testKafkaClients(`e2e-${schema}`).producer();
  await producer.connect();
  const service = createUserService({
    pool,
    schema,
    logger: silent('user'),
    authSecret: TEST_SECRET,
    presence: createPresence({
      pool: presencePool,
      publisher: userOnlineStatusPublisher(createEventProducer({ producer })),
      logger: silent('presence'),
    }),
    defaultMetrics: false,
  });
  return {
    service,
    app: service.app,
    pool,
    schema,
    async close() {
      await producer.disconnect();
      await presencePool.end();
      await pool.end();
    },
  };
}

export interface OutboxRow {
  readonly event_type: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: Record<string, unknown>;
  readonly xmin: string;
}

export async function outboxRows(pool: pg.Pool, schema: string): Promise<OutboxRow[]> {
  const { rows } = await pool.query<OutboxRow>(
    `SELECT event_type, topic, key, payload, xmin::text AS xmin FROM ${quoteIdent(schema)}.domain_event_outbox ORDER BY id`,
  );
  return rows;
}

export async function count(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** Moves the user id sequence to a random high start, so ids never meet those other runs left on the shared topics. */
export async function randomizeUserIds(pool: pg.Pool, schema: string): Promise<void> {
  const start = 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000);
  await pool.query(`ALTER SEQUENCE ${quoteIdent(schema)}.users_id_seq RESTART WITH ${start}`);
}

/** Commits a fresh group's offsets at the current end of each topic, so it reads only what comes next. */
export async function startGroupAtEnd(
  brokers: readonly string[],
  groupId: string,
  topics: string | readonly string[],
): Promise<void> {
  const admin = createKafka({ brokers, clientId: `e2e-admin-${groupId}` }).admin();
  await admin.connect();
  const offsets: TopicOffsets[] = [];
  try {
    for (const topic of typeof topics === 'string' ? [topics] : topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      offsets.push({ topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
  await commitGroupOffsets(brokers, groupId, offsets);
}

export interface TopicOffsets {
  readonly topic: string;
  readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
}

/**
 * Commits `offsets` for a group nobody else is running: joins it once for all
 * topics, commits, leaves (kafkajs' admin.setOffsets joins once per topic and
 * waits for a fetch, about 5 s each).
 */
export async function commitGroupOffsets(
  brokers: readonly string[],
  groupId: string,
  offsets: readonly TopicOffsets[],
): Promise<void> {
  const kafka = createKafka({ brokers, clientId: `e2e-offsets-${groupId}` });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
  let joined: () => void = () => {};
  const isJoined = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: offsets.map((o) => o.topic), fromBeginning: false });
    // Nothing is ever resolved or auto-committed: only the commit below counts.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    await isJoined;
    await consumer.commitOffsets(
      offsets.flatMap((o) =>
        o.partitions.map((p) => ({ topic: o.topic, partition: p.partition, offset: p.offset })),
      ),
    );
  } finally {
    await consumer.disconnect();
  }
}
