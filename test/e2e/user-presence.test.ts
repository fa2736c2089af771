/**
 * Presence of the user service against the real PostgreSQL and Kafka: logout
 * and the inactivity timeout publish UserOnlineStatusChanged, and a broker
 * that does not answer (a real kafkajs producer pointed at a port where no
 * broker listens) never stalls the requests that do not need it.
 */
import net from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSpecs, userOnlineStatusPublisher } from '../../generated/index.ts';
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { USER_MIGRATIONS } from '../../services/user/definition.ts';
import { createPresence, type Presence } from '../../services/user/presence.ts';
import { createUserService } from '../../services/user/service.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { startReader } from '../support/kafka-reader.ts';
import { call, dropSchemas, runId, silent, TEST_SECRET } from './support.ts';

const infra = useInfrastructure();
const schemas: string[] = [];
const closers: (() => Promise<void>)[] = [];

interface Built {
  app: ReturnType<typeof createUserService>['app'];
  pool: pg.Pool;
  presence: Presence;
}

async function build(
  producer: KafkaProducerPort,
  presenceOptions: { inactivityTimeoutMs?: number; breakerMs?: number } = {},
): Promise<Built> {
  const schema = `user_presence_${runId()}`;
  schemas.push(schema);
  const pool = createServicePool(infra.databaseUrl, schema, 5);
  const presencePool = createServicePool(infra.databaseUrl, schema, 2, { connectionTimeoutMillis: 500 });
  await migrateService(pool, { schema, dir: USER_MIGRATIONS });
  const presence = createPresence({
    pool: presencePool,
    publisher: userOnlineStatusPublisher(createEventProducer({ producer })),
    logger: silent('presence'),
    touchEveryMs: 50,
    ...presenceOptions,
  });
  const service = createUserService({
    pool,
    schema,
    logger: silent('user'),
    authSecret: TEST_SECRET,
    presence,
    defaultMetrics: false,
  });
  closers.push(async () => {
    await presencePool.end();
    await pool.end();
  });
  return { app: service.app, pool, presence };
}

async function register(app: Built['app'], name: string): Promise<{ id: number; token: string }> {
  const res = await call<{ user: { id: number } }>(app, 'POST', '/users', {
    body: { email: `${name}@example.com`, username: name, password: 'correct horse battery' },
  });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, token: await issueToken(TEST_SECRET, res.body.user.id) };
}

const login = (app: Built['app'], name: string) =>
  call<{ token: string; user: { is_online: boolean } }>(app, 'POST', '/sessions', {
    body: { email: `${name}@example.com`, password: 'correct horse battery' },
  });

let producer: KafkaProducerPort;

beforeAll(async () => {
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  producer = testKafkaClients(`presence-${runId()}`).producer();
  await producer.connect();
});

afterAll(async () => {
  try {
    for (const close of closers) await close();
    await producer?.disconnect();
  } finally {
    await dropSchemas(infra.databaseUrl, schemas);
  }
});

function presenceOf(
  records: readonly { key: string | null; value: string | null }[],
  userId: number,
): boolean[] {
  return records
    .filter((r) => r.key === String(userId))
    .map((r) => (JSON.parse(r.value ?? '{}') as { is_online: boolean }).is_online);
}

describe('presence transitions', () => {
  it('login and logout publish online then offline; a second logout publishes nothing', async () => {
    const { app } = await build(producer);
    const reader = await startReader(infra.kafkaBrokers, ['user.online_status']);
    try {
      const alice = await register(app, `alice_${runId()}`);
      const name = (
        await call<{ user: { username: string } }>(app, 'GET', '/users/me', { token: alice.token })
      ).body.user.username;
      expect((await login(app, name)).body.user.is_online).toBe(true);
      const out = await call<{ user: { is_online: boolean }; presence: string }>(
        app,
        'DELETE',
        '/sessions/current',
        {
          token: alice.token,
        },
      );
      expect(out).toMatchObject({ status: 200, body: { user: { is_online: false }, presence: 'offline' } });
      await call(app, 'DELETE', '/sessions/current', { token: alice.token });
      await reader.waitFor(
        () => presenceOf(reader.records, alice.id).length >= 2,
        20_000,
        'two presence events',
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(presenceOf(reader.records, alice.id)).toEqual([true, false]);
      expect((await call(app, 'DELETE', '/sessions/current')).status).toBe(401);
    } finally {
      await reader.stop();
    }
  });

  it('marks users offline after the inactivity timeout; activity keeps a user online', async () => {
    const { app, presence } = await build(producer, { inactivityTimeoutMs: 1_500 });
    const reader = await startReader(infra.kafkaBrokers, ['user.online_status']);
    try {
      const idle = await register(app, `idle_${runId()}`);
      const busy = await register(app, `busy_${runId()}`);
      for (const u of [idle, busy]) {
        const me = await call<{ user: { username: string } }>(app, 'GET', '/users/me', { token: u.token });
        expect((await login(app, me.body.user.username)).body.user.is_online).toBe(true);
      }
      // busy stays active (every authenticated request counts), idle does nothing.
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await call(app, 'GET', '/users/me', { token: busy.token });
      }
      expect(await presence.sweep()).toBeGreaterThanOrEqual(1);
      const afterFirst = await call<{ user: { is_online: boolean } }>(app, 'GET', `/users/${idle.id}`, {
        token: busy.token,
      });
      expect(afterFirst.body.user.is_online).toBe(false);
      const busyNow = await call<{ user: { is_online: boolean } }>(app, 'GET', `/users/${busy.id}`, {
        token: idle.token,
      });
      expect(busyNow.body.user.is_online).toBe(true);
      // Now busy goes quiet too (idle's own request above touched nobody else).
      await new Promise((r) => setTimeout(r, 1_700));
      await presence.sweep();
      await reader.waitFor(
        () =>
          presenceOf(reader.records, idle.id).length >= 2 && presenceOf(reader.records, busy.id).length >= 2,
        20_000,
        'offline events of both users',
      );
      expect(presenceOf(reader.records, idle.id)).toEqual([true, false]);
      expect(presenceOf(reader.records, busy.id)).toEqual([true, false]);
    } finally {
      await reader.stop();
    }
  });
});

describe('with no broker answering', () => {
  it('fails presence fast and apart: accounts and logins are served, an explicit change is 503', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const dead = createKafkaClients({
      brokers: [`127.0.0.1:${closed}`],
      clientId: `presence-dead-${runId()}`,
    }).producer({ retryWindowMs: 3_000 });
    const { app, pool } = await build(dead, { breakerMs: 60_000 });
    const presenceRows = async () =>
      (await pool.query<{ id: string }>('SELECT id FROM users WHERE is_online')).rows.map((r) => r.id);
    const names = Array.from({ length: 8 }, (_, i) => `down${i}_${runId()}`);
    const accounts = [];
    for (const n of names) accounts.push(await register(app, n));

    const started = performance.now();
    const timed = async <T>(work: Promise<T>) => {
      const t0 = performance.now();
      const result = await work;
      return { result, ms: performance.now() - t0 };
    };
    const [logins, reads] = await Promise.all([
      Promise.all(names.map((n) => timed(login(app, n)))),
      Promise.all(
        accounts.flatMap((a) =>
          [0, 1, 2].map(() =>
            timed(call<{ user: { id: number } }>(app, 'GET', '/users/me', { token: a.token })),
          ),
        ),
      ),
    ]);
    // Reads never wait for presence: the two presence connections are busy, the account pool is not.
    for (const r of reads) {
      expect(r.result.status).toBe(200);
      expect(r.ms).toBeLessThan(1_500);
    }
    // Every login succeeds without presence, none waiting longer than the presence budget (1 s) plus a margin.
    for (const l of logins) {
      expect(l.result.status).toBe(200);
      expect(l.result.body.user.is_online).toBe(false);
      expect(l.ms).toBeLessThan(1_800);
    }
    // The transitions still in flight fail when the publish window ends: nobody was marked online.
    await new Promise((r) => setTimeout(r, 6_000));
    const online = await presenceRows();
    expect(online).toEqual([]);
    // The breaker is open now: an explicit change fails at once.
    const t0 = performance.now();
    const put = await call(app, 'PUT', '/users/me/online-status', {
      token: accounts[0]!.token,
      body: { is_online: true },
    });
    expect(put.status).toBe(503);
    expect(performance.now() - t0).toBeLessThan(200);
    expect((await call(app, 'GET', '/ready')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(12_000);
    await dead.disconnect().catch(() => {});
  });
});
