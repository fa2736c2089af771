/**
 * `node bench/platform-latency.bench.ts [-- --events 1000 --users 200 --rate 200]`:
 * commit-to-effect latency of PermissionChanged into the read-model-worker,
 * the policy cache and the server's cache (wanted npm script:
 * `"bench:platform-latency": "node bench/platform-latency.bench.ts"`).
 *
 * The path measured is the production one: each permission change is its own
 * PostgreSQL transaction writing the event with the generated outbox writer
 * (`permissionChangedOutbox`) into a schema of the benchmark's own; the
 * runtime's relay (LISTEN/NOTIFY, default settings) publishes it to
 * `domain.permission-changed`; the three services run in this process with
 * their own schemas and fresh consumer groups (the runtime's defaults).
 *
 * `--events` changes over `--users` users (each user's versions 1, 2, …),
 * paced at `--rate` per second (0: as fast as the writer can commit). For
 * each change, the clock starts when COMMIT returns (and, second figure, at
 * the event's ce_time, taken before the INSERT) and stops when the effect is
 * visible:
 * - read-model-worker: the user's row in `user_permissions` (what
 *   `GET /permissions/:userId` reads) holds that version or a later one —
 *   polled with one SELECT every `--poll-ms` (default 2) for all pending users;
 * - policy cache and server: the in-memory entry holds that version or a
 *   later one — checked every millisecond.
 * A later version being visible first counts for the earlier one too (a
 * snapshot supersedes). Prints count, p50, p90, p99 and max per target.
 *
 * Needs Kafka (`KAFKA_BROKERS`, default 127.0.0.1:9092) and PostgreSQL
 * (`DATABASE_URL`); its schemas are dropped at the end. The users are
 * `bench-<run>-<n>`: other consumers of domain.permission-changed on that
 * broker (a running system) see them too.
 */

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { permissionChangedOutbox, topicSpecs } from '../generated/index.ts';
import { createConsumerRuntime } from '../runtime/consume/consumer-runtime.ts';
import { DEFAULT_DATABASE_URL, migrate, quoteIdent } from '../runtime/db/migrate.ts';
import { createKafka, kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../runtime/kafka/kafkajs-producer.ts';
import { createOutboxWriter } from '../runtime/outbox/write.ts';
import { OutboxRelay } from '../runtime/relay/relay.ts';
import { applyTopics } from '../runtime/topics/apply.ts';
import type { PermissionCache, PermissionSource } from '../services/policy-cache/permission-cache.ts';
import { createPolicyCacheService } from '../services/policy-cache/service.ts';
import { createReadModelWorkerService } from '../services/read-model-worker/service.ts';
import { createServerService } from '../services/server/service.ts';
import type { ServiceApp } from '../services/shared/app.ts';
import { createServicePool, migrateService } from '../services/shared/db.ts';
import { createLogger } from '../services/shared/logger.ts';
import { wallClockMs } from './harness/child.ts';
import { percentile } from './harness/stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    users: { type: 'string', default: '200' },
    rate: { type: 'string', default: '200' },
    'poll-ms': { type: 'string', default: '2' },
  },
});
const EVENTS = Math.max(1, Number(values.events));
const USERS = Math.max(1, Math.min(EVENTS, Number(values.users)));
const RATE = Math.max(0, Number(values.rate));
const POLL_MS = Math.max(1, Number(values['poll-ms']));

const brokers = kafkaBrokersFromEnv();
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const run = randomBytes(4).toString('hex');
const schemas = {
  auth: `bench_auth_${run}`,
  readModel: `bench_read_model_${run}`,
  policyCache: `bench_policy_cache_${run}`,
  server: `bench_server_${run}`,
};
const silent = (name: string) => createLogger(name, { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The caches never miss here (every user's first version comes as an event), so the source is never asked. */
const noReadThrough: PermissionSource = {
  fetch: () => Promise.reject(new Error('the benchmark does not read through')),
};

interface Change {
  readonly userId: string;
  readonly version: number;
  /** Epoch ms (sub-ms precision) when COMMIT returned. */
  committedAt: number;
  /** Epoch ms of the event's ce_time. */
  ceTime: number;
}

interface Target {
  readonly name: string;
  /** Per change: ms from commit and from ce_time to visible. */
  readonly fromCommit: number[];
  readonly fromCeTime: number[];
  /** Per user, the changes not visible yet, in version order. */
  readonly pending: Map<string, Change[]>;
}

const target = (name: string): Target => ({ name, fromCommit: [], fromCeTime: [], pending: new Map() });

/** Marks every pending change of `userId` up to `version` visible now. */
function seen(t: Target, userId: string, version: number, at: number): void {
  const list = t.pending.get(userId);
  if (!list) return;
  while (list.length > 0 && list[0]!.version <= version) {
    const change = list.shift()!;
    t.fromCommit.push(at - change.committedAt);
    t.fromCeTime.push(at - change.ceTime);
  }
  if (list.length === 0) t.pending.delete(userId);
}

function summary(label: string, samples: readonly number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(7);
  return `${label.padEnd(34)} n=${String(s.length).padStart(5)}  p50 ${f(percentile(s, 50))}  p90 ${f(percentile(s, 90))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)} ms`;
}

async function ready(service: ServiceApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await service.app.request('/ready')).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${service.name} did not become ready in ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  await applyTopics(brokers, topicSpecs);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const pools = {
    auth: createServicePool(databaseUrl, schemas.auth, 4),
    readModel: createServicePool(databaseUrl, schemas.readModel, 6),
    policyCache: createServicePool(databaseUrl, schemas.policyCache, 4),
    server: createServicePool(databaseUrl, schemas.server, 4),
  };
  const kafka = createKafka({ brokers, clientId: `bench-platform-latency-${run}` });
  const deadLetterProducer = createKafkajsProducer({ kafka });
  const relayProducer = createKafkajsProducer({ kafka });
  const runtime = (pool: pg.Pool) => createConsumerRuntime({ kafka, pool, deadLetterProducer });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await migrate(pools.auth, { schema: schemas.auth });
    const dir = (name: string) => new URL(`../services/${name}/migrations`, import.meta.url).pathname;
    await migrateService(pools.readModel, { schema: schemas.readModel, dir: dir('read-model-worker') });
    await migrateService(pools.policyCache, { schema: schemas.policyCache, dir: dir('policy-cache') });
    await migrateService(pools.server, { schema: schemas.server, dir: dir('server') });

    // Fresh groups starting at the end of the topics (nothing else to catch up on).
    const startFrom = 'latest' as const;
    const readModel = createReadModelWorkerService({
      pool: pools.readModel,
      logger: silent('read-model-worker'),
      authSecret: run,
      consumers: runtime(pools.readModel),
      consumerOptions: { groupId: `bench-read-model-worker-${run}`, startFrom },
      defaultMetrics: false,
    });
    closers.push(() => readModel.close());
    const policyCache = createPolicyCacheService({
      pool: pools.policyCache,
      logger: silent('policy-cache'),
      authSecret: run,
      readModel: noReadThrough,
      consumers: runtime(pools.policyCache),
      consumerOptions: { groupId: `bench-policy-cache-${run}`, startFrom },
      defaultMetrics: false,
    });
    closers.push(() => policyCache.close());
    const server = createServerService({
      pool: pools.server,
      logger: silent('server'),
      authSecret: run,
      readModel: noReadThrough,
      policy: { applicationsFrom: async () => [] },
      consumers: runtime(pools.server),
      consumerOptions: { groupId: `bench-server-${run}`, startFrom },
      defaultMetrics: false,
    });
    closers.push(() => server.close());
    await Promise.all([ready(readModel.service), ready(policyCache.service), ready(server.service)]);
    // `latest` is resolved at the first fetch after the join: let it happen before anything is written.
    await sleep(2_000);

    await relayProducer.connect();
    const relay = new OutboxRelay({ database: databaseUrl, schema: schemas.auth, producer: relayProducer });
    await relay.start();
    closers.push(() => relay.stop());

    const targets = {
      readModel: target('read-model-worker (user_permissions)'),
      policyCache: target('policy-cache (in memory)'),
      server: target('server (in memory)'),
    };
    const caches: [Target, PermissionCache][] = [
      [targets.policyCache, policyCache.cache],
      [targets.server, server.cache],
    ];
    let writing = true;
    /** Set once writing is done: the watchers give up after it. */
    let deadline = Number.POSITIVE_INFINITY;
    const overdue = (what: string) => {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} to show every change`);
    };

    const watchCaches = (async () => {
      while (writing || caches.some(([t]) => t.pending.size > 0)) {
        overdue('the caches');
        const at = wallClockMs();
        for (const [t, cache] of caches) {
          for (const userId of [...t.pending.keys()]) {
            const version = cache.peek(userId)?.version;
            if (version !== undefined) seen(t, userId, version, at);
          }
        }
        await sleep(1);
      }
    })();
    const watchReadModel = (async () => {
      const t = targets.readModel;
      while (writing || t.pending.size > 0) {
        overdue('the read model');
        if (t.pending.size > 0) {
          const { rows } = await pools.readModel.query<{ user_id: string; version: string }>(
            'SELECT user_id, version FROM user_permissions WHERE user_id = ANY($1::text[])',
            [[...t.pending.keys()]],
          );
          const at = wallClockMs();
          for (const row of rows) seen(t, row.user_id, Number(row.version), at);
        }
        await sleep(POLL_MS);
      }
    })();

    const outbox = permissionChangedOutbox(createOutboxWriter({ schema: schemas.auth }));
    const versions = new Map<string, number>();
    const started = wallClockMs();
    for (let i = 0; i < EVENTS; i++) {
      if (RATE > 0) {
        const due = started + (i * 1000) / RATE;
        const wait = due - wallClockMs();
        if (wait > 0) await sleep(wait);
      }
      const userId = `bench-${run}-${i % USERS}`;
      const version = (versions.get(userId) ?? 0) + 1;
      versions.set(userId, version);
      const time = new Date();
      const client = await pools.auth.connect();
      try {
        await client.query('BEGIN');
        await outbox.write(
          client,
          {
            type: 'PermissionChanged',
            payload: {
              userId,
              version,
              permissions: [{ feature: 'dw.report', actions: version % 2 ? ['read'] : ['read', 'export'] }],
              occurredAt: time.toISOString(),
            },
          },
          { time },
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const change: Change = { userId, version, committedAt: wallClockMs(), ceTime: time.getTime() };
      for (const t of Object.values(targets)) {
        const list = t.pending.get(userId) ?? [];
        list.push({ ...change });
        t.pending.set(userId, list);
      }
    }
    const wrote = wallClockMs() - started;
    writing = false;
    deadline = Date.now() + 120_000;
    await Promise.all([watchCaches, watchReadModel]);

    console.log(
      `${EVENTS} PermissionChanged over ${USERS} users, ${RATE > 0 ? `paced at ${RATE}/s` : 'unpaced'}: written in ${(wrote / 1000).toFixed(1)} s (${Math.round((EVENTS * 1000) / wrote)}/s); relay, consumers and services with default settings, one process`,
    );
    for (const t of Object.values(targets)) {
      console.log(summary(`${t.name}, from commit`, t.fromCommit));
      console.log(summary(`${t.name}, from ce_time`, t.fromCeTime));
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await Promise.allSettled([deadLetterProducer.disconnect(), relayProducer.disconnect()]);
    await Promise.allSettled(Object.values(pools).map((p) => p.end()));
    for (const schema of Object.values(schemas))
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

await main();
// kafkajs keeps timers after disconnect; the benchmark is done.
process.exit(0);
