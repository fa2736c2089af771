/**
 * The policy cache against the real PostgreSQL and Kafka, with a real
 * read-model-worker behind it over HTTP (its own schema and group, consuming
 * the same events): PermissionChanged published to domain.permission-changed
 * reaches both. Proves: checks answered from events; a miss read through with
 * the service's own token, concurrent misses sharing one fetch; an event newer
 * than the read-through wins and an older one loses; read-through entries
 * re-read after the TTL; a restart (new instance, same group, offsets past
 * the events) answering correctly through the read model; the read model
 * down turning a miss into 503. Then the cache's rules on a fake clock.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionChangedPublisher, topicSpecs } from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { policyCacheService } from '../../services/policy-cache/definition.ts';
import { PermissionCache, type PermissionSet } from '../../services/policy-cache/permission-cache.ts';
import { httpReadModel } from '../../services/policy-cache/read-model-client.ts';
import { createPolicyCacheService, type PolicyCacheService } from '../../services/policy-cache/service.ts';
import { serviceToken } from '../../services/policy-cache/service-token.ts';
import {
  createReadModelWorkerService,
  type ReadModelWorkerService,
} from '../../services/read-model-worker/service.ts';
import { issuePrincipalToken, verifyPrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { HttpError } from '../../services/shared/errors.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  consumed,
  endOffsetsOf,
  type Listening,
  listen,
  principalToken,
  processEnv,
  startGroupAt,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const readModelSchema = `read_model_${run}`;
const schema = `policy_cache_${run}`;
const groupId = `policy-cache-e2e-${run}`;
const readModelGroup = `read-model-worker-e2e-${run}`;
const TTL_MS = 1_500;

const readModelPool = createServicePool(infra.databaseUrl, readModelSchema, 4);
const pool = createServicePool(infra.databaseUrl, schema, 4);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let readModel: ReadModelWorkerService;
let readModelHttp: Listening;
let cache: PolicyCacheService;
let token: string;
/** Where this file's groups started on domain.permission-changed. */
let starts: TopicOffsets[];
/** Requests the cache made to the read model, by user id. */
const fetched: string[] = [];
/** Subjects and scopes of the tokens those requests carried. */
const presented: { subject: string; scopes: string[] }[] = [];

const user = (n: number) => `u-${run}-${n}`;
const at = (minutes: number) => new Date(Date.UTC(2025, 1, 1) + minutes * 60_000).toISOString();

const start = (group = groupId) =>
  createPolicyCacheService({
    pool,
    logger: silent('policy-cache'),
    authSecret: TEST_SECRET,
    readModel: httpReadModel({
      baseUrl: readModelHttp.url,
      token: serviceToken(TEST_SECRET, 'policy-cache', ['platform:read']),
      fetch: async (input, init) => {
        fetched.push(decodeURIComponent(input.split('/permissions/')[1] ?? ''));
        const auth = new Headers(init?.headers).get('authorization') ?? '';
        const principal = await verifyPrincipalToken(TEST_SECRET, auth.replace(/^Bearer /, ''));
        if (principal) presented.push({ subject: principal.subject, scopes: [...principal.scopes] });
        return fetch(input, init);
      },
    }),
    readThroughTtlMs: TTL_MS,
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: bus.deadLetterProducer,
      metrics,
    }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

const app = () => cache.service.app;
interface Check {
  allowed: boolean;
  version: number;
  source: 'event' | 'read-model';
}
const check = (userId: string, feature = 'dw.report', action = 'read') =>
  call<Check>(
    app(),
    'GET',
    `/permissions/check?userId=${encodeURIComponent(userId)}&feature=${feature}&action=${action}`,
    {
      token,
    },
  );

type Permissions = { feature: string; actions: string[] }[];

const publish = (userId: string, version: number, permissions: Permissions) =>
  permissionChangedPublisher(bus.events).publish({
    type: 'PermissionChanged',
    payload: { userId, version, permissions, occurredAt: at(version) },
  });

/** Writes a row into the read model directly (a state the read model holds without this test's events). */
const seedReadModel = (userId: string, version: number, permissions: Permissions) =>
  readModelPool.query(
    `INSERT INTO user_permissions (user_id, version, permissions, occurred_at, event_id)
     VALUES ($1, $2, $3, $4, 'seeded')
     ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version, permissions = EXCLUDED.permissions`,
    [userId, version, JSON.stringify(permissions), at(version)],
  );

async function getJson(url: string, bearer?: string) {
  const res = await fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const readModelVersion = async (userId: string) =>
  Number(
    (
      await readModelPool.query<{ version: string }>(
        'SELECT version FROM user_permissions WHERE user_id = $1',
        [userId],
      )
    ).rows[0]?.version ?? 0,
  );

beforeAll(async () => {
  await migrateService(readModelPool, {
    schema: readModelSchema,
    dir: path.join(import.meta.dirname, '../../services/read-model-worker/migrations'),
  });
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/policy-cache/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-policy-cache-${run}`);
  const ends = await endOffsetsOf(bus.kafka, [
    'domain.permission-changed',
    'domain.dw-batch-completed',
    'domain.policy-bundle-applied',
  ]);
  await startGroupAt(infra.kafkaBrokers, readModelGroup, ends);
  starts = ends.filter((o) => o.topic === 'domain.permission-changed');
  await startGroupAt(infra.kafkaBrokers, groupId, starts);
  readModel = createReadModelWorkerService({
    pool: readModelPool,
    logger: silent('read-model-worker'),
    authSecret: TEST_SECRET,
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool: readModelPool,
      deadLetterProducer: bus.deadLetterProducer,
    }),
    consumerOptions: { groupId: readModelGroup },
    defaultMetrics: false,
  });
  readModelHttp = await listen(readModel.service.app);
  token = await principalToken(['platform:read']);
  cache = start();
  await eventually(
    () => call(readModel.service.app, 'GET', '/ready'),
    (r) => r.status === 200,
  );
}, 120_000);

afterAll(async () => {
  try {
    await cache?.close();
    await readModelHttp?.close();
    await readModel?.close();
    await bus?.close();
    await Promise.allSettled([pool.end(), readModelPool.end()]);
  } finally {
    await dropSchemas(infra.databaseUrl, [schema, readModelSchema]);
  }
}, 60_000);

describe('policy cache', () => {
  it('is ready once its consumer group has joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({ consumers: { [groupId]: 'ready' } });
  });

  it('refuses a missing or forged token, a token without platform:read, and a bad query', async () => {
    const url = `/permissions/check?userId=${user(1)}&feature=dw.report&action=read`;
    expect((await call(app(), 'GET', url)).status).toBe(401);
    const forged = await issuePrincipalToken('another-secret', 'e2e-tester', ['platform:read']);
    expect((await call(app(), 'GET', url, { token: forged })).status).toBe(401);
    expect(await call(app(), 'GET', url, { token: await principalToken(['policy:write']) })).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    const cases: [string, string][] = [
      ['feature=dw.report&action=read', '/query/userId'],
      [`userId=${'x'.repeat(129)}&feature=dw.report&action=read`, '/query/userId'],
      ['userId=a%00b&feature=dw.report&action=read', '/query/userId'],
      ['userId=a&feature=DW.Report&action=read', '/query/feature'],
      ['userId=a&feature=dw..report&action=read', '/query/feature'],
      ['userId=a&feature=dw.report&action=1read', '/query/action'],
      ['userId=a&feature=dw.report', '/query/action'],
      ['userId=a&userId=b&feature=dw.report&action=read', '/query/userId'],
      ['userId=a&feature=dw.report&action=read&extra=1', '/query/extra'],
    ];
    for (const [query, field] of cases) {
      const res = await call<{ fields: { path: string }[] }>(app(), 'GET', `/permissions/check?${query}`, {
        token,
      });
      expect(res.status, query).toBe(400);
      expect(
        res.body.fields.map((f) => f.path),
        query,
      ).toContain(field);
    }
    expect(fetched).toEqual([]);
  });

  it('answers from the event: the granted action is allowed, anything else is not', async () => {
    await publish(user(1), 1, [
      { feature: 'dw.report', actions: ['read', 'export'] },
      { feature: 'file.download', actions: ['read'] },
    ]);
    await eventually(
      async () => cache.cache.peek(user(1))?.version,
      (v) => v === 1,
    );
    expect((await check(user(1), 'dw.report', 'export')).body).toEqual({
      allowed: true,
      version: 1,
      source: 'event',
    });
    expect((await check(user(1), 'file.download', 'read')).body).toEqual({
      allowed: true,
      version: 1,
      source: 'event',
    });
    expect((await check(user(1), 'file.download', 'export')).body).toEqual({
      allowed: false,
      version: 1,
      source: 'event',
    });
    expect((await check(user(1), 'dw.admin', 'read')).body).toEqual({
      allowed: false,
      version: 1,
      source: 'event',
    });
    expect(fetched).toEqual([]);
  });

  it('reads a user it does not hold through from the read model with its own token, one fetch for concurrent misses', async () => {
    await seedReadModel(user(2), 5, [{ feature: 'dw.report', actions: ['read'] }]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => check(user(2))));
    for (const a of answers)
      expect(a).toEqual({ status: 200, body: { allowed: true, version: 5, source: 'read-model' } });
    expect(fetched.filter((u) => u === user(2))).toHaveLength(1);
    expect(presented.at(-1)).toEqual({ subject: 'policy-cache', scopes: ['platform:read'] });
    // A user nobody knows: not allowed, version 0, cached like any read-through.
    expect((await check(user(404))).body).toEqual({ allowed: false, version: 0, source: 'read-model' });
    expect((await check(user(404))).body).toEqual({ allowed: false, version: 0, source: 'read-model' });
    expect(fetched.filter((u) => u === user(404))).toHaveLength(1);
  });

  it('an event newer than the read-through wins at once', async () => {
    await publish(user(2), 6, [{ feature: 'dw.report', actions: ['export'] }]);
    const answer = await eventually(
      () => check(user(2), 'dw.report', 'export'),
      (r) => r.body.version === 6,
    );
    expect(answer.body).toEqual({ allowed: true, version: 6, source: 'event' });
    expect((await check(user(2), 'dw.report', 'read')).body).toEqual({
      allowed: false,
      version: 6,
      source: 'event',
    });
  });

  it('an event older than the read-through loses', async () => {
    await seedReadModel(user(3), 9, [{ feature: 'dw.report', actions: ['read'] }]);
    expect((await check(user(3))).body).toEqual({ allowed: true, version: 9, source: 'read-model' });
    const handled = await consumed(metrics, groupId, 'handled');
    await publish(user(3), 8, []);
    await eventually(
      () => consumed(metrics, groupId, 'handled'),
      (n) => n > handled,
    );
    expect((await check(user(3))).body).toEqual({ allowed: true, version: 9, source: 'read-model' });
    // The read model kept version 9 as well (its own version guard).
    expect(await readModelVersion(user(3))).toBe(9);
  });

  it('re-reads a read-through entry after the TTL, not before', async () => {
    await seedReadModel(user(5), 1, [{ feature: 'dw.report', actions: ['read'] }]);
    expect((await check(user(5))).body).toEqual({ allowed: true, version: 1, source: 'read-model' });
    await seedReadModel(user(5), 2, []);
    expect((await check(user(5))).body.version).toBe(1);
    expect(fetched.filter((u) => u === user(5))).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    expect((await check(user(5))).body).toEqual({ allowed: false, version: 2, source: 'read-model' });
    expect(fetched.filter((u) => u === user(5))).toHaveLength(2);
  });

  it('after a restart (new instance, same group, offsets past the events) answers correctly through the read model', async () => {
    await eventually(
      () => readModelVersion(user(1)),
      (v) => v === 1,
    );
    const handledBefore = await consumed(metrics, groupId, 'handled');
    await cache.close();
    cache = start();
    await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(cache.cache.size).toBe(0);
    expect((await check(user(1), 'dw.report', 'export')).body).toEqual({
      allowed: true,
      version: 1,
      source: 'read-model',
    });
    expect((await check(user(2), 'dw.report', 'export')).body).toEqual({
      allowed: true,
      version: 6,
      source: 'read-model',
    });
    // Nothing was consumed again: the group's committed offsets were past every event.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await consumed(metrics, groupId, 'handled')).toBe(handledBefore);
    // And events keep the restarted cache current.
    await publish(user(1), 2, []);
    const answer = await eventually(
      () => check(user(1), 'dw.report', 'export'),
      (r) => r.body.version === 2,
    );
    expect(answer.body).toEqual({ allowed: false, version: 2, source: 'event' });
  });

  it('a replay of the topic into a fresh group (a new instance) ends with the same entries as the events left', async () => {
    // After the restart, user 1 is kept by an event and user 2 was read through: both at the events' versions.
    const live = [user(1), user(2)].map((u) => cache.cache.peek(u));
    expect(live.map((e) => [e?.version, e?.source])).toEqual([
      [2, 'event'],
      [6, 'read-model'],
    ]);
    await cache.close();
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    cache = start(fresh);
    // Five events in all: user 1 versions 1 and 2, user 2 version 6, user 3 version 8 (older than the read model).
    await eventually(
      () => consumed(metrics, fresh, 'handled'),
      (n) => n >= 4,
      60_000,
    );
    const replayed = [user(1), user(2)].map((u) => cache.cache.peek(u));
    expect(replayed.map((e) => [e?.userId, e?.version, e?.source, e?.features])).toEqual(
      live.map((e) => [e?.userId, e?.version, 'event', e?.features]),
    );
    expect((await check(user(2), 'dw.report', 'export')).body).toEqual({
      allowed: true,
      version: 6,
      source: 'event',
    });
  }, 90_000);

  it('runs as a process: runService builds it from the environment (READ_MODEL_URL, POLICY_CACHE_GROUP_ID, PERMISSION_CACHE_TTL_MS)', async () => {
    const group = `${groupId}-process`;
    await startGroupAt(
      infra.kafkaBrokers,
      group,
      await endOffsetsOf(bus.kafka, ['domain.permission-changed']),
    );
    const processSchema = `${schema}_process`;
    const env = (extra: Record<string, string>) =>
      processEnv(infra, {
        READ_MODEL_URL: readModelHttp.url,
        POLICY_CACHE_GROUP_ID: group,
        DATABASE_SCHEMA: processSchema,
        ...extra,
      });
    await expect(
      runService({
        ...policyCacheService(),
        env: env({ PERMISSION_CACHE_TTL_MS: '30s' }),
        logger: silent('policy-cache'),
      }),
    ).rejects.toThrow(/PERMISSION_CACHE_TTL_MS must be a positive integer/);
    const running = await runService({
      ...policyCacheService(),
      env: env({ PERMISSION_CACHE_TTL_MS: '1000' }),
      logger: silent('policy-cache'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => getJson(`${base}/ready`),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({ consumers: { [group]: 'ready' } });
      // A miss read through from the real read model with the process's own token.
      expect(
        await getJson(`${base}/permissions/check?userId=${user(2)}&feature=dw.report&action=export`, token),
      ).toEqual({
        status: 200,
        body: { allowed: true, version: 6, source: 'read-model' },
      });
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);

  it('with the read model down, a miss is 503 (never a guess); an entry still fresh answers', async () => {
    await readModelHttp.close();
    expect(await check(user(77))).toMatchObject({ status: 503, body: { error: 'unavailable' } });
    // user(5) was read through: once its TTL has passed it is a miss again.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    expect(await check(user(5))).toMatchObject({ status: 503 });
    // user(1) is kept by events.
    expect((await check(user(1), 'dw.report', 'export')).body).toEqual({
      allowed: false,
      version: 2,
      source: 'event',
    });
  });
});

describe('permission cache rules (fake clock, fake read model)', () => {
  const set = (userId: string, version: number, actions: string[] = ['read']): PermissionSet => ({
    userId,
    version,
    permissions: actions.length ? [{ feature: 'dw.report', actions }] : [],
    occurredAt: at(version),
  });

  function fakeSource() {
    const rows = new Map<string, PermissionSet>();
    const calls: string[] = [];
    let release: (() => void) | undefined;
    let hold: Promise<void> | undefined;
    let failing = false;
    return {
      rows,
      calls,
      holdNext() {
        hold = new Promise((resolve) => {
          release = resolve;
        });
      },
      release: () => release?.(),
      fail: (on: boolean) => {
        failing = on;
      },
      source: {
        async fetch(userId: string) {
          calls.push(userId);
          const row = rows.get(userId);
          if (hold) {
            const h = hold;
            hold = undefined;
            await h;
          }
          if (failing) throw new HttpError(503, 'unavailable', { message: 'read model unreachable' });
          return row;
        },
      },
    };
  }

  it('applies an event only when its version is newer', () => {
    const cache = new PermissionCache({ source: fakeSource().source });
    expect(cache.applyEvent(set('a', 2))).toBe(true);
    expect(cache.applyEvent(set('a', 2, ['export']))).toBe(false);
    expect(cache.applyEvent(set('a', 1, ['export']))).toBe(false);
    expect(cache.peek('a')).toMatchObject({ version: 2, source: 'event' });
    expect(cache.applyEvent(set('a', 3, []))).toBe(true);
    expect(cache.peek('a')?.features.size).toBe(0);
  });

  it('a fetch answering after a newer event arrived loses to the event; an older event does not beat it', async () => {
    const fake = fakeSource();
    const cache = new PermissionCache({ source: fake.source });
    fake.rows.set('b', set('b', 4));
    fake.holdNext();
    const pending = cache.check('b', 'dw.report', 'read');
    await new Promise((resolve) => setImmediate(resolve));
    cache.applyEvent(set('b', 5, ['export']));
    fake.release();
    expect(await pending).toEqual({ allowed: false, version: 5, source: 'event' });
    // The other way round: the fetch is newer than the event that came meanwhile.
    fake.rows.set('c', set('c', 8));
    fake.holdNext();
    const second = cache.check('c', 'dw.report', 'read');
    await new Promise((resolve) => setImmediate(resolve));
    cache.applyEvent(set('c', 7, []));
    fake.release();
    expect(await second).toEqual({ allowed: true, version: 8, source: 'read-model' });
  });

  it('re-reads read-through entries after the TTL and event entries after their max age', async () => {
    const fake = fakeSource();
    let now = 1_000_000;
    const cache = new PermissionCache({
      source: fake.source,
      readThroughTtlMs: 30_000,
      eventMaxAgeMs: 600_000,
      now: () => now,
    });
    fake.rows.set('d', set('d', 1));
    await cache.check('d', 'dw.report', 'read');
    now += 29_999;
    await cache.check('d', 'dw.report', 'read');
    expect(fake.calls).toEqual(['d']);
    now += 1;
    await cache.check('d', 'dw.report', 'read');
    expect(fake.calls).toEqual(['d', 'd']);

    cache.applyEvent(set('e', 3));
    now += 599_999;
    expect(await cache.check('e', 'dw.report', 'read')).toEqual({
      allowed: true,
      version: 3,
      source: 'event',
    });
    expect(fake.calls).not.toContain('e');
    now += 1;
    // Due: re-read. The read model lags (version 2): the event entry stays, renewed.
    fake.rows.set('e', set('e', 2, []));
    expect(await cache.check('e', 'dw.report', 'read')).toEqual({
      allowed: true,
      version: 3,
      source: 'event',
    });
    expect(fake.calls.filter((c) => c === 'e')).toHaveLength(1);
    expect(cache.peek('e')?.revalidateAt).toBe(now + 600_000);
  });

  it('fails a miss when the read model cannot answer, and caches nothing', async () => {
    const fake = fakeSource();
    const cache = new PermissionCache({ source: fake.source });
    fake.fail(true);
    await expect(cache.check('f', 'dw.report', 'read')).rejects.toMatchObject({ status: 503 });
    expect(cache.peek('f')).toBeUndefined();
    fake.fail(false);
    fake.rows.set('f', set('f', 1));
    expect(await cache.check('f', 'dw.report', 'read')).toEqual({
      allowed: true,
      version: 1,
      source: 'read-model',
    });
  });

  it('holds at most maxEntries users, dropping the least recently written', async () => {
    const cache = new PermissionCache({ source: fakeSource().source, maxEntries: 2 });
    cache.applyEvent(set('g1', 1));
    cache.applyEvent(set('g2', 1));
    cache.applyEvent(set('g1', 2));
    cache.applyEvent(set('g3', 1));
    expect(cache.size).toBe(2);
    expect(cache.peek('g2')).toBeUndefined();
    expect(cache.peek('g1')?.version).toBe(2);
  });
});
