/**
 * The platform server against the real PostgreSQL and Kafka, with a real
 * read-model-worker behind it over HTTP (its own schema and group) and a real
 * HTTP stub of the policy service (`GET /bundle-applications?from=`). Proves:
 * `/ready` waits for the bundle rebuild (the policy service down keeps it
 * 503, retried until it answers, with the server's own platform:read token);
 * the bundles in force and pending from the rebuild and from events, a future
 * application taking over at its effectiveAt with no further event, an
 * out-of-order application not displacing a later one; permission checks
 * from events and read-through (the policy cache's module); and a restart —
 * new instance, same group, offsets past the events — rebuilding bundles from
 * the policy service and permissions from the read model, consuming nothing
 * again.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  permissionChangedPublisher,
  policyBundleAppliedPublisher,
  topicSpecs,
} from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import type { BundleApplication } from '../../services/dw-gateway/bundle-schedule.ts';
import { httpPolicyService } from '../../services/dw-gateway/policy-client.ts';
import { httpReadModel } from '../../services/policy-cache/read-model-client.ts';
import { serviceToken } from '../../services/policy-cache/service-token.ts';
import {
  createReadModelWorkerService,
  type ReadModelWorkerService,
} from '../../services/read-model-worker/service.ts';
import { serverService } from '../../services/server/definition.ts';
import { createServerService, type ServerService } from '../../services/server/service.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  consumed,
  endOffsetsOf,
  gitHash,
  type Listening,
  listen,
  type PolicyStub,
  principalToken,
  processEnv,
  sleep,
  startGroupAt,
  startPolicyStub,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const readModelSchema = `read_model_${run}`;
const schema = `server_${run}`;
const groupId = `server-e2e-${run}`;
const readModelGroup = `read-model-worker-e2e-${run}`;

const readModelPool = createServicePool(infra.databaseUrl, readModelSchema, 4);
const pool = createServicePool(infra.databaseUrl, schema, 4);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let readModel: ReadModelWorkerService;
let readModelHttp: Listening;
let policy: PolicyStub;
let server: ServerService;
let token: string;
/** Where this file's groups started on the two topics. */
let starts: TopicOffsets[];

const user = (n: number) => `u-${run}-${n}`;
const bundle = (name: string) => `${name}-${run}`;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const application = (
  name: string,
  rev: string,
  effectiveAt: string,
  occurredAt = effectiveAt,
): BundleApplication => ({
  bundleId: bundle(name),
  gitHash: gitHash(`${name}-${rev}-${run}`),
  effectiveAt,
  occurredAt,
});

const start = (group = groupId) =>
  createServerService({
    pool,
    logger: silent('server'),
    authSecret: TEST_SECRET,
    readModel: httpReadModel({
      baseUrl: readModelHttp.url,
      token: serviceToken(TEST_SECRET, 'server', ['platform:read']),
    }),
    policy: httpPolicyService({
      baseUrl: policy.url,
      token: serviceToken(TEST_SECRET, 'server', ['platform:read']),
    }),
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: bus.deadLetterProducer,
      metrics,
    }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

const app = () => server.service.app;
interface BundlesBody {
  at: string;
  bundles: { bundleId: string; inForce: BundleApplication | null; pending: BundleApplication[] }[];
}
/** This run's bundles only (the stub and the topics are this run's, but keep the view exact). */
const bundles = async () => {
  const res = await call<BundlesBody>(app(), 'GET', '/policy/bundles', { token });
  expect(res.status).toBe(200);
  return res.body.bundles;
};
const inForceOf = async (name: string) =>
  (await bundles()).find((b) => b.bundleId === bundle(name))?.inForce?.gitHash ?? null;
async function getJson(url: string, bearer?: string) {
  const res = await fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const check = (userId: string, feature: string, action: string) =>
  call(app(), 'GET', `/permissions/check?userId=${userId}&feature=${feature}&action=${action}`, { token });

// Applications the policy service lists at start-up: access's revision in force, and one pending for an hour.
const accessV1 = application('access', 'v1', iso(-3_600_000));
const accessV2 = application('access', 'v2', iso(3_600_000), iso(-60_000));

beforeAll(async () => {
  await migrateService(readModelPool, {
    schema: readModelSchema,
    dir: path.join(import.meta.dirname, '../../services/read-model-worker/migrations'),
  });
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/server/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-server-${run}`);
  const ends = await endOffsetsOf(bus.kafka, [
    'domain.permission-changed',
    'domain.dw-batch-completed',
    'domain.policy-bundle-applied',
  ]);
  await startGroupAt(infra.kafkaBrokers, readModelGroup, ends);
  starts = ends.filter((o) => o.topic !== 'domain.dw-batch-completed');
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
  policy = await startPolicyStub();
  policy.applications = [accessV1, accessV2];
  token = await principalToken(['platform:read']);
}, 120_000);

afterAll(async () => {
  try {
    await server?.close();
    await readModelHttp?.close();
    await readModel?.close();
    await policy?.close();
    await bus?.close();
    await Promise.allSettled([pool.end(), readModelPool.end()]);
  } finally {
    await dropSchemas(infra.databaseUrl, [schema, readModelSchema]);
  }
}, 60_000);

describe('server', () => {
  it('is not ready while the policy service cannot answer; ready once the bundles are rebuilt and the group joined', async () => {
    policy.down = true;
    server = start();
    await eventually(
      async () => policy.requests.length,
      (n) => n >= 2,
    );
    const waiting = await call(app(), 'GET', '/ready');
    expect(waiting).toMatchObject({
      status: 503,
      body: { consumers: { 'bundle-schedule-rebuild': 'starting' } },
    });
    expect(await call(app(), 'GET', '/policy/bundles', { token })).toMatchObject({
      status: 503,
      body: { error: 'unavailable' },
    });
    policy.down = false;
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({
      consumers: { 'bundle-schedule-rebuild': 'ready', [groupId]: 'ready' },
    });
    const asked = policy.requests.at(-1)!;
    expect(asked).toMatchObject({
      path: '/bundle-applications',
      subject: 'server',
      scopes: ['platform:read'],
    });
    expect(Math.abs(Date.parse(asked.from ?? '') - Date.now())).toBeLessThan(10_000);
  }, 60_000);

  it('refuses a missing or forged token, a token without platform:read, and bad input on both routes', async () => {
    const forged = await issuePrincipalToken('another-secret', 'e2e-tester', ['platform:read']);
    const other = await principalToken(['permissions:write']);
    for (const url of [
      '/policy/bundles',
      `/permissions/check?userId=${user(1)}&feature=dw.report&action=read`,
    ]) {
      expect((await call(app(), 'GET', url)).status, url).toBe(401);
      expect((await call(app(), 'GET', url, { token: forged })).status, url).toBe(401);
      expect((await call(app(), 'GET', url, { token: other })).status, url).toBe(403);
    }
    expect(await call(app(), 'GET', '/policy/bundles?at=now', { token })).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/query/at' }] },
    });
    expect(
      await call(app(), 'GET', '/permissions/check?userId=a&feature=-x&action=read', { token }),
    ).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/query/feature' }] },
    });
  });

  it('holds what the policy service listed: the revision in force per bundle and the pending one', async () => {
    expect(await bundles()).toEqual([{ bundleId: bundle('access'), inForce: accessV1, pending: [accessV2] }]);
  });

  it('a bundle applied 2 s ahead takes over at its effectiveAt with no further event; an older application arriving later does not displace a newer one', async () => {
    const publisher = policyBundleAppliedPublisher(bus.events);
    const soon = application('masking', 'v2', iso(2_000), iso(0));
    const now = application('masking', 'v1', iso(-1_000), iso(-1_000));
    await publisher.publish({ type: 'PolicyBundleApplied', payload: now });
    await publisher.publish({ type: 'PolicyBundleApplied', payload: soon });
    // Out of order: a newer and then an older application of one bundle, both past.
    const newer = application('export', 'v9', iso(-600_000));
    const older = application('export', 'v8', iso(-1_200_000));
    await publisher.publish({ type: 'PolicyBundleApplied', payload: newer });
    await publisher.publish({ type: 'PolicyBundleApplied', payload: older });
    await eventually(
      bundles,
      (b) => b.length === 3 && b.find((x) => x.bundleId === bundle('masking'))?.pending.length === 1,
    );
    const handled = await consumed(metrics, groupId, 'handled');
    expect(await inForceOf('masking')).toBe(now.gitHash);
    expect(await inForceOf('export')).toBe(newer.gitHash);
    await sleep(Math.max(0, Date.parse(soon.effectiveAt) - Date.now()) + 50);
    expect(await inForceOf('masking')).toBe(soon.gitHash);
    expect((await bundles()).find((b) => b.bundleId === bundle('masking'))?.pending).toEqual([]);
    // No further event was needed.
    expect(await consumed(metrics, groupId, 'handled')).toBe(handled);
  });

  it('answers permission checks from events and reads other users through from the read model', async () => {
    await permissionChangedPublisher(bus.events).publish({
      type: 'PermissionChanged',
      payload: {
        userId: user(1),
        version: 4,
        permissions: [{ feature: 'dw.report', actions: ['read'] }],
        occurredAt: iso(0),
      },
    });
    const answer = await eventually(
      () => check(user(1), 'dw.report', 'read'),
      (r) => r.body.version === 4,
    );
    expect(answer.body).toEqual({ allowed: true, version: 4, source: 'event' });
    await readModelPool.query(
      `INSERT INTO user_permissions (user_id, version, permissions, occurred_at, event_id)
       VALUES ($1, 2, '[{"feature":"file.download","actions":["read"]}]', now(), 'seeded')`,
      [user(2)],
    );
    expect((await check(user(2), 'file.download', 'read')).body).toEqual({
      allowed: true,
      version: 2,
      source: 'read-model',
    });
  });

  it('after a restart (same group, offsets past the events) rebuilds bundles from the policy service and permissions from the read model', async () => {
    const before = await bundles();
    // The policy service's own list now: what it applied since, as it would answer from=now.
    policy.applications = before.flatMap((b) => (b.inForce ? [b.inForce, ...b.pending] : b.pending));
    await eventually(
      async () =>
        Number(
          (
            await readModelPool.query<{ version: string }>(
              'SELECT version FROM user_permissions WHERE user_id = $1',
              [user(1)],
            )
          ).rows[0]?.version ?? 0,
        ),
      (v) => v === 4,
    );
    const handled = await consumed(metrics, groupId, 'handled');
    const asked = policy.requests.length;
    await server.close();
    server = start();
    await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(policy.requests.length).toBe(asked + 1);
    expect(await bundles()).toEqual(before);
    expect(server.cache.size).toBe(0);
    expect((await check(user(1), 'dw.report', 'read')).body).toEqual({
      allowed: true,
      version: 4,
      source: 'read-model',
    });
    await sleep(1_000);
    expect(await consumed(metrics, groupId, 'handled')).toBe(handled);
  }, 60_000);

  it('a replay of both topics into a fresh group ends with the same bundles and permissions', async () => {
    const before = await bundles();
    const entry = server.cache.peek(user(1));
    await server.close();
    // The policy service lists only what it listed at the very start: the rest must come from the replay.
    policy.applications = [accessV1, accessV2];
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    server = start(fresh);
    // Five bundle applications and one permission change.
    await eventually(
      () => consumed(metrics, fresh, 'handled'),
      (n) => n >= 5,
      60_000,
    );
    expect(await bundles()).toEqual(before);
    expect((await check(user(1), 'dw.report', 'read')).body).toEqual({
      allowed: true,
      version: 4,
      source: 'event',
    });
    expect(entry?.version).toBe(4);
  }, 90_000);
});

describe('server as a process', () => {
  it('runService builds it from the environment (READ_MODEL_URL, POLICY_SERVICE_URL, SERVER_GROUP_ID)', async () => {
    const group = `${groupId}-process`;
    await startGroupAt(
      infra.kafkaBrokers,
      group,
      await endOffsetsOf(bus.kafka, ['domain.permission-changed', 'domain.policy-bundle-applied']),
    );
    const processSchema = `${schema}_process`;
    const asked = policy.requests.length;
    const running = await runService({
      ...serverService(),
      env: processEnv(infra, {
        READ_MODEL_URL: readModelHttp.url,
        POLICY_SERVICE_URL: policy.url,
        SERVER_GROUP_ID: group,
        DATABASE_SCHEMA: processSchema,
      }),
      logger: silent('server'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => getJson(`${base}/ready`),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({
        consumers: { [group]: 'ready', 'bundle-schedule-rebuild': 'ready' },
      });
      expect(policy.requests.slice(asked)).toEqual([
        expect.objectContaining({
          path: '/bundle-applications',
          subject: 'server',
          scopes: ['platform:read'],
        }),
      ]);
      const listed = await getJson(`${base}/policy/bundles`, token);
      expect((listed.body.bundles as { bundleId: string }[]).map((b) => b.bundleId)).toEqual(
        [...new Set(policy.applications.map((a) => a.bundleId))].sort(),
      );
      expect(
        await getJson(`${base}/permissions/check?userId=${user(1)}&feature=dw.report&action=read`, token),
      ).toEqual({
        status: 200,
        body: { allowed: true, version: 4, source: 'read-model' },
      });
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);
});
