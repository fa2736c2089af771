/**
 * Shared pieces of the platform publisher tests (auth, policy,
 * dw-integration, file-policy): a service schema of the test file's own
 * (`<schema>_<random>`), migrated like `runService` does; the schema's outbox
 * published by the runtime's relay (published rows kept, so tests can read
 * the outbox too); a reader of the service's topic started before anything
 * is written; principal tokens per scope; a commit-time failure for chosen
 * keys; and the outbox rows as the tests compare them.
 */
import type { Hono } from 'hono';
import pg from 'pg';
import { expect } from 'vitest';
import { topicSpecs } from '../../generated/index.ts';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import type { ServiceEnv } from '../../services/shared/app.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import type { Infrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { type Reader, type ReadRecord, startReader } from '../support/kafka-reader.ts';
import { call, dropSchemas, runId, TEST_SECRET } from './support.ts';

export interface PublisherHarness {
  readonly run: string;
  readonly schema: string;
  /** The service's pool (search_path = the schema). */
  readonly pool: pg.Pool;
  /** Reads the service's topic from where it ended before the test file wrote anything. */
  readonly reader: Reader;
  /**
   * Starts the relay of the schema's outbox (once; later calls do nothing).
   * Tests that compare outbox rows' `xmin` with the business rows' run before
   * it: marking a row published rewrites it, with the relay's `xmin`.
   */
  publish(): Promise<void>;
  /** `publish()`, then the records of the reader with one of `keys`, once `count` of them have arrived. */
  recordsOf(keys: readonly string[], count: number, timeoutMs?: number): Promise<ReadRecord[]>;
  close(): Promise<void>;
}

/**
 * Migrates `<prefix>_<random>` with the runtime's and the service's
 * migrations, applies the contract's topics, starts a reader of `topic`, and
 * prepares a relay of the schema's outbox (published rows kept for ten
 * minutes) that `publish()` starts.
 */
export async function startPublisherHarness(
  infra: Infrastructure,
  options: { prefix: string; migrationsDir: string; topic: string; poolSize?: number },
): Promise<PublisherHarness> {
  const run = runId();
  const schema = `${options.prefix}_${run}`;
  const pool = createServicePool(infra.databaseUrl, schema, options.poolSize ?? 12);
  let reader: Reader;
  try {
    await migrateService(pool, { schema, dir: options.migrationsDir });
    await applyTopics(infra.kafkaBrokers, topicSpecs);
    reader = await startReader(infra.kafkaBrokers, [options.topic]);
  } catch (err) {
    await pool.end();
    await dropSchemas(infra.databaseUrl, [schema]);
    throw err;
  }
  const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-${schema}` });
  const producer = testKafkaClients().producer();
  await producer.connect();
  const relay = new OutboxRelay({
    database: infra.databaseUrl,
    schema,
    producer,
    retentionMs: 600_000,
    pollIntervalMs: 200,
  });
  let started: Promise<void> | undefined;
  const publish = () => {
    started ??= relay.start();
    return started;
  };
  return {
    run,
    schema,
    pool,
    reader,
    publish,
    async recordsOf(keys, count, timeoutMs) {
      await publish();
      return recordsOf(reader, keys, count, timeoutMs);
    },
    async close() {
      try {
        await relay.stop();
        // A test that failed with requests still waiting must not keep the schema: after ten
        // seconds the schema's own sessions (application_name = schema) are ended.
        const closed = Promise.allSettled([producer.disconnect(), reader.stop(), pool.end()]);
        if ((await Promise.race([closed, sleep(10_000).then(() => 'late' as const)])) === 'late') {
          await endSessionsOf(infra.databaseUrl, schema);
        }
      } finally {
        await dropSchemas(infra.databaseUrl, [schema]);
      }
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Ends the sessions a schema's pool opened (createServicePool names them after the schema). */
async function endSessionsOf(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [schema],
    );
  } finally {
    await admin.end();
  }
}

export interface PrincipalTokens {
  /** The write scope and platform:read. */
  readonly writer: string;
  /** platform:read only. */
  readonly reader: string;
  /** The write scope only (no platform:read). */
  readonly writeOnly: string;
  /** A valid token with an unrelated scope. */
  readonly unrelated: string;
  /** Signed with another secret. */
  readonly forged: string;
}

export async function principalTokens(writeScope: string): Promise<PrincipalTokens> {
  return {
    writer: await issuePrincipalToken(TEST_SECRET, 'admin-e2e', [writeScope, 'platform:read']),
    reader: await issuePrincipalToken(TEST_SECRET, 'viewer-e2e', ['platform:read']),
    writeOnly: await issuePrincipalToken(TEST_SECRET, 'writer-e2e', [writeScope]),
    unrelated: await issuePrincipalToken(TEST_SECRET, 'other-e2e', ['chat:read']),
    forged: await issuePrincipalToken('not-the-secret', 'admin-e2e', [writeScope, 'platform:read']),
  };
}

/**
 * From now on, a transaction that inserted or updated a row of the service's
 * own `table` whose `column` matches the LIKE `pattern` fails at COMMIT (a
 * deferred constraint trigger): a failure after the business write and the
 * event write. The outbox row must roll back with the business row; an
 * outbox write outside the business transaction would survive it.
 */
export async function failCommitsOf(
  pool: pg.Pool,
  schema: string,
  target: { table: string; column: string; pattern: string },
): Promise<void> {
  const s = quoteIdent(schema);
  const name = quoteIdent(`e2e_fail_${target.table}`);
  await pool.query(`
    CREATE OR REPLACE FUNCTION ${s}.e2e_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'e2e: forced failure at commit (%)', TG_TABLE_NAME;
    END $$`);
  await pool.query(
    `CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT OR UPDATE ON ${s}.${quoteIdent(target.table)}
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
       WHEN (NEW.${quoteIdent(target.column)} LIKE ${pgLiteral(target.pattern)})
       EXECUTE FUNCTION ${s}.e2e_fail_at_commit()`,
  );
}

const pgLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

export interface OutboxEvent {
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly type: string;
  readonly headers: Record<string, string>;
  readonly payload: Record<string, unknown>;
  /** The writing transaction. */
  readonly xmin: string;
}

/** The schema's outbox rows (published or not), in insertion order, optionally only those of one key. */
export async function outboxEvents(pool: pg.Pool, schema: string, key?: string): Promise<OutboxEvent[]> {
  const { rows } = await pool.query<{
    event_id: string;
    topic: string;
    key: string;
    event_type: string;
    headers: Record<string, string>;
    payload: Record<string, unknown>;
    xmin: string;
  }>(
    `SELECT event_id, topic, key, event_type, headers, payload, xmin::text AS xmin
       FROM ${quoteIdent(schema)}.domain_event_outbox
      WHERE $1::text IS NULL OR key = $1
      ORDER BY id`,
    [key ?? null],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    topic: r.topic,
    key: r.key,
    type: r.event_type,
    headers: r.headers,
    payload: r.payload,
    xmin: r.xmin,
  }));
}

/** Row counts of the schema's tables (and its outbox), to prove a refused request wrote nothing. */
export async function tableCounts(
  pool: pg.Pool,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [...tables, 'domain_event_outbox']) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`,
    );
    out[table] = Number(rows[0]?.n ?? 0);
  }
  return out;
}

/** The records of the reader with one of `keys`, waiting until `count` of them have arrived. */
export async function recordsOf(
  reader: Reader,
  keys: readonly string[],
  count: number,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const wanted = new Set(keys);
  const mine = () => reader.records.filter((r) => r.key !== null && wanted.has(r.key));
  await reader.waitFor(() => mine().length >= count, timeoutMs, `${count} record(s) of ${keys.join(', ')}`);
  return mine();
}

/** A route of a publisher, for the refusal checks. `read`: it needs platform:read, not the write scope. */
export interface GuardedRoute {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly read?: boolean;
}

/**
 * Every route answers 401 without a token and with a forged or malformed one,
 * and 403 with an unrelated scope and with the other scope than it needs (a
 * read with the write scope only, a write with platform:read only).
 */
export async function expectAuthRefusals(
  app: Hono<ServiceEnv>,
  tokens: PrincipalTokens,
  routes: readonly GuardedRoute[],
): Promise<void> {
  for (const route of routes) {
    const what = `${route.method} ${route.path}`;
    const send = (token?: string) =>
      call(app, route.method, route.path, { body: route.body, ...(token ? { token } : {}) });
    expect(await send(), `${what} without a token`).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await send(tokens.forged), `${what} with a forged token`).toMatchObject({ status: 401 });
    expect(await send('not.a.jwt'), `${what} with a malformed token`).toMatchObject({ status: 401 });
    expect(await send(tokens.unrelated), `${what} with an unrelated scope`).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(
      await send(route.read ? tokens.writeOnly : tokens.reader),
      `${what} with the wrong scope`,
    ).toMatchObject({ status: 403 });
  }
}

/** A request the validators refuse: `raw` is a body sent as is, `field` the path the 400 must name. */
export interface HostileCase {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly raw?: string;
  readonly field: string;
}

/** Each case answers 400 `validation` naming its field. */
export async function expectValidationRefusals(
  app: Hono<ServiceEnv>,
  token: string,
  cases: readonly HostileCase[],
): Promise<void> {
  for (const c of cases) {
    const body = c.raw ?? c.body;
    const res = await call<{ error: string; fields: { path: string }[] }>(app, c.method, c.path, {
      token,
      ...(body !== undefined ? { body } : {}),
    });
    const what = `${c.method} ${c.path} ${c.raw ?? JSON.stringify(c.body)}`;
    expect(res.status, what).toBe(400);
    expect(res.body.error, what).toBe('validation');
    expect(
      res.body.fields.map((f) => f.path),
      what,
    ).toContain(c.field);
  }
}
