/**
 * `node bench/platform-publish.bench.ts [-- --requests 1000 --users 5 --concurrent 2000 --concurrent-users 50 --in-flight 20]`:
 * how fast the auth service changes permissions (`npm run bench:platform-publish`).
 *
 * The auth service runs as a process runs it (`runService` with its
 * definition: migrations at start, a real listener on an ephemeral port) in a
 * schema of the benchmark's own, with one `npm run relay` process
 * (`runtime/relay/cli.ts`, OUTBOX_SCHEMA) publishing its PermissionChanged
 * events meanwhile. Then:
 * 1. `--requests` sequential grants over `--users` users, over HTTP, and the
 *    same through the app in this process (no HTTP): p50, p90, p99 and max
 *    per request, requests per second, and this process's CPU per grant;
 * 2. `--concurrent` grants over `--concurrent-users` users, `--in-flight` at
 *    a time, over HTTP: changes per second.
 * Every grant must answer 200 and change something, else the benchmark fails.
 *
 * Needs Kafka (`KAFKA_BROKERS`, default 127.0.0.1:9092) and PostgreSQL
 * (`DATABASE_URL`); its schema is dropped at the end. The users are
 * `bench-<run>-…`: other consumers of domain.permission-changed on that
 * broker (a running system) see them too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { topicSpecs } from '../generated/index.ts';
import { DEFAULT_DATABASE_URL, quoteIdent } from '../runtime/db/migrate.ts';
import { kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../runtime/topics/apply.ts';
import { authService } from '../services/auth/definition.ts';
import { type AuthService, createAuthService } from '../services/auth/service.ts';
import { issuePrincipalToken } from '../services/shared/auth.ts';
import { createServicePool } from '../services/shared/db.ts';
import { createLogger } from '../services/shared/logger.ts';
import { type RunningService, runService } from '../services/shared/server.ts';
import { percentile } from './harness/stats.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    users: { type: 'string', default: '5' },
    concurrent: { type: 'string', default: '2000' },
    'concurrent-users': { type: 'string', default: '50' },
    'in-flight': { type: 'string', default: '20' },
  },
});
const REQUESTS = Math.max(1, Number(values.requests));
const USERS = Math.max(1, Number(values.users));
const CONCURRENT = Math.max(0, Number(values.concurrent));
const CONCURRENT_USERS = Math.max(1, Number(values['concurrent-users']));
const IN_FLIGHT = Math.max(1, Number(values['in-flight']));

const ROOT = path.join(import.meta.dirname, '..');
const brokers = kafkaBrokersFromEnv();
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const run = randomBytes(4).toString('hex');
const schema = `bench_auth_${run}`;
const secret = `bench-${run}`;
const silent = (name: string) => createLogger(name, { level: 'silent' });

/** One grant: the request's status and whether it changed the set. */
type Grant = (userId: string, feature: string) => Promise<{ status: number; changed: boolean }>;

function summary(label: string, samples: readonly number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2).padStart(7);
  return `${label.padEnd(28)} n=${String(s.length).padStart(5)}  p50 ${f(percentile(s, 50))}  p90 ${f(percentile(s, 90))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)} ms`;
}

async function checked(grant: Grant, userId: string, feature: string): Promise<void> {
  const res = await grant(userId, feature);
  if (res.status !== 200 || !res.changed) throw new Error(`grant failed: ${JSON.stringify(res)}`);
}

/** `REQUESTS` grants one after the other; prints their latencies, rate and this process's CPU per grant. */
async function sequential(label: string, grant: Grant): Promise<void> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await checked(grant, `bench-${run}-${label}-${i % USERS}`, `feature-${Math.floor(i / USERS)}`);
    latencies.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1000;
  console.log(
    `${summary(`${label}, sequential`, latencies)}  ${(REQUESTS / seconds).toFixed(0)} req/s, CPU ${((used.user + used.system) / 1000 / REQUESTS).toFixed(2)} ms per grant`,
  );
}

/** `CONCURRENT` grants over `CONCURRENT_USERS` users, `IN_FLIGHT` at a time; prints changes per second. */
async function concurrent(label: string, grant: Grant): Promise<void> {
  const jobs = Array.from({ length: CONCURRENT }, (_, i) => ({
    userId: `bench-${run}-${label}-concurrent-${i % CONCURRENT_USERS}`,
    feature: `feature-${Math.floor(i / CONCURRENT_USERS)}`,
  }));
  const started = performance.now();
  let cursor = 0;
  const worker = async () => {
    for (let job = jobs[cursor++]; job; job = jobs[cursor++]) await checked(grant, job.userId, job.feature);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${`${label}, concurrent`.padEnd(28)} ${CONCURRENT} grants over ${CONCURRENT_USERS} users, ${IN_FLIGHT} in flight: ${(CONCURRENT / seconds).toFixed(0)} changes/s`,
  );
}

function startRelay(): ChildProcess {
  const child = spawn(process.execPath, [path.join('runtime', 'relay', 'cli.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      OUTBOX_SCHEMA: schema,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

async function main(): Promise<void> {
  await applyTopics(brokers, topicSpecs);
  let service: RunningService | undefined;
  let relay: ChildProcess | undefined;
  let inProcess: AuthService | undefined;
  const pool = createServicePool(databaseUrl, schema, 12);
  try {
    service = await runService({
      ...authService(),
      env: {
        PORT: '0',
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        KAFKA_BROKERS: brokers.join(','),
        AUTH_SECRET: secret,
      },
      logger: silent('auth'),
    });
    // The same service again in this process, on the schema runService migrated.
    const app = createAuthService({
      pool,
      schema,
      logger: silent('auth'),
      authSecret: secret,
      defaultMetrics: false,
    });
    inProcess = app;
    relay = startRelay();
    const token = await issuePrincipalToken(secret, 'bench', ['permissions:write']);
    const body = (feature: string) => JSON.stringify({ feature, actions: ['read'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const url = (userId: string) => `/users/${encodeURIComponent(userId)}/permissions/grants`;
    const overHttp: Grant = async (userId, feature) => {
      const res = await fetch(`http://127.0.0.1:${service!.port}${url(userId)}`, {
        method: 'POST',
        headers,
        body: body(feature),
      });
      return { status: res.status, changed: ((await res.json()) as { changed?: boolean }).changed === true };
    };
    const inApp: Grant = async (userId, feature) => {
      const res = await app.service.app.request(url(userId), {
        method: 'POST',
        headers,
        body: body(feature),
      });
      return { status: res.status, changed: ((await res.json()) as { changed?: boolean }).changed === true };
    };

    console.log(`auth grants, relay process running (schema ${schema}):`);
    await sequential('over HTTP', overHttp);
    await sequential('in-process app', inApp);
    if (CONCURRENT > 0) await concurrent('over HTTP', overHttp);
  } finally {
    await service?.stop().catch(() => {});
    await inProcess?.close().catch(() => {});
    if (relay) {
      const done = exited(relay);
      relay.kill('SIGTERM');
      await done;
    }
    await pool.end().catch(() => {});
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

await main();
process.exit(0);
