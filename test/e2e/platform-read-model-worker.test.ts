/**
 * The read-model-worker against the real PostgreSQL and Kafka: a consumer
 * group of its own started at the end of the three topics; PermissionChanged
 * written through a test schema's outbox (the generated writer, the runtime's
 * relay) and published directly; DwBatchCompleted and PolicyBundleApplied
 * published directly. Proves the version guard (an older version arriving
 * after a newer, different event ids), the claim (the same ce_id twice, even
 * with another payload), the batch-run order, the routes' refusals, and that
 * a replay of everything into a fresh group changes no row.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dwBatchCompletedPublisher,
  permissionChangedOutbox,
  permissionChangedPublisher,
  permissionChangedTopic,
  policyBundleAppliedPublisher,
  topicSpecs,
} from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { readModelWorkerService } from '../../services/read-model-worker/definition.ts';
import {
  createReadModelWorkerService,
  type ReadModelWorkerService,
} from '../../services/read-model-worker/service.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService, withTransaction } from '../../services/shared/db.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  consumed,
  endOffsetsOf,
  gitHash,
  principalToken,
  processEnv,
  startGroupAt,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `read_model_${run}`;
const authSchema = `auth_${run}`;
const groupId = `read-model-worker-e2e-${run}`;
const TOPICS = ['domain.permission-changed', 'domain.dw-batch-completed', 'domain.policy-bundle-applied'];

const pool = createServicePool(infra.databaseUrl, schema, 6);
const authPool = createServicePool(infra.databaseUrl, authSchema, 2);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let relay: OutboxRelay;
let worker: ReadModelWorkerService;
let starts: TopicOffsets[];
let token: string;

const user = (n: number) => `u-${run}-${n}`;
const batchId = (n: number) => `nightly-${run}-${n}`;
const bundleId = `access-${run}`;
/** Event times of this run's own, in the past. */
const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1, 12) + minutes * 60_000).toISOString();

const start = (group = groupId) =>
  createReadModelWorkerService({
    pool,
    logger: silent('read-model-worker'),
    authSecret: TEST_SECRET,
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: bus.deadLetterProducer,
      metrics,
    }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

const app = () => worker.service.app;
const get = <T = Record<string, unknown>>(url: string, bearer: string | undefined = token) =>
  call<T>(app(), 'GET', url, bearer ? { token: bearer } : {});

interface PermissionsBody {
  userId: string;
  version: number;
  permissions: { feature: string; actions: string[] }[];
  occurredAt: string;
  updatedAt: string;
}

const versionOf = async (userId: string) => {
  const res = await get<PermissionsBody>(`/permissions/${userId}`);
  return res.status === 200 ? res.body.version : 0;
};

beforeAll(async () => {
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/read-model-worker/migrations'),
  });
  await migrate(authPool, { schema: authSchema });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-read-model-${run}`);
  starts = await endOffsetsOf(bus.kafka, TOPICS);
  await startGroupAt(infra.kafkaBrokers, groupId, starts);
  const relayProducer = testKafkaClients().producer();
  await relayProducer.connect();
  relay = new OutboxRelay({
    database: infra.databaseUrl,
    schema: authSchema,
    producer: relayProducer,
    pollIntervalMs: 200,
  });
  await relay.start();
  token = await principalToken(['platform:read']);
  worker = start();
}, 120_000);

afterAll(async () => {
  try {
    await worker?.close();
    await relay?.stop();
    await bus?.close();
    await Promise.allSettled([pool.end(), authPool.end()]);
  } finally {
    await dropSchemas(infra.databaseUrl, [schema, authSchema]);
  }
}, 60_000);

describe('read-model-worker', () => {
  it('is ready once its consumer group has joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({ database: true, consumers: { [groupId]: 'ready' } });
  });

  it('refuses a missing or forged token (401) and a token without platform:read (403) on every route', async () => {
    const forged = await issuePrincipalToken('another-secret', 'e2e-tester', ['platform:read']);
    const writer = await principalToken(['permissions:write']);
    for (const url of [
      `/permissions/${user(1)}`,
      '/permissions',
      `/batches/${batchId(1)}`,
      '/batches',
      `/bundles/${bundleId}`,
    ]) {
      expect((await call(app(), 'GET', url)).status, url).toBe(401);
      expect((await get(url, forged)).status, url).toBe(401);
      expect(await get(url, writer), url).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    }
  });

  it('refuses bad input on every route with 400 and the field path', async () => {
    const cases: [string, string][] = [
      [`/permissions/${'x'.repeat(129)}`, '/params/userId'],
      ['/permissions?limit=0', '/query/limit'],
      ['/permissions?limit=1e3', '/query/limit'],
      ['/permissions?limit=1001', '/query/limit'],
      ['/permissions?cursor=%21%21', '/query/cursor'],
      // Base64url, but not of anything this service returns (decodes to NUL).
      ['/permissions?cursor=AA', '/query/cursor'],
      ['/permissions?limit=1&limit=2', '/query/limit'],
      ['/permissions?bogus=1', '/query/bogus'],
      [`/batches/${'b'.repeat(129)}`, '/params/batchId'],
      ['/batches?status=DONE', '/query/status'],
      [`/batches?orgCode=${'9'.repeat(65)}`, '/query/orgCode'],
      ['/batches?orgCode=%01', '/query/orgCode'],
      ['/batches?limit=-1', '/query/limit'],
      ['/bundles/Not-Lower', '/params/bundleId'],
      ['/bundles/%00', '/params/bundleId'],
    ];
    for (const [url, field] of cases) {
      const res = await get<{ error: string; fields: { path: string }[] }>(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error, url).toBe('validation');
      expect(
        res.body.fields.map((f) => f.path),
        url,
      ).toContain(field);
    }
    expect(await get(`/permissions/${user(999)}`)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(await get(`/batches/${batchId(999)}`)).toMatchObject({ status: 404 });
    expect(await get(`/bundles/none-${run}`)).toMatchObject({ status: 404 });
  });

  it('stores a user’s permissions from the outbox (writer + relay), each version replacing the last', async () => {
    const outbox = permissionChangedOutbox(createOutboxWriter({ schema: authSchema }));
    const sets = [
      {
        userId: user(1),
        version: 1,
        permissions: [{ feature: 'dw.report', actions: ['read'] }],
        occurredAt: at(1),
      },
      {
        userId: user(1),
        version: 2,
        permissions: [
          { feature: 'dw.report', actions: ['read', 'export'] },
          { feature: 'file.download', actions: ['read'] },
        ],
        occurredAt: at(2),
      },
    ];
    for (const payload of sets) {
      await withTransaction(authPool, (db) => outbox.write(db, { type: 'PermissionChanged', payload }));
    }
    await eventually(
      () => versionOf(user(1)),
      (v) => v === 2,
    );
    const res = await get<PermissionsBody>(`/permissions/${user(1)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: user(1),
      version: 2,
      permissions: sets[1]!.permissions,
      occurredAt: sets[1]!.occurredAt,
      updatedAt: expect.any(String),
    });
  });

  it('an older version arriving after a newer one (another ce_id) changes nothing: the version guard decides', async () => {
    const publisher = permissionChangedPublisher(bus.events);
    const handledBefore = await consumed(metrics, groupId, 'handled');
    const newer = await publisher.publish({
      type: 'PermissionChanged',
      payload: {
        userId: user(2),
        version: 7,
        permissions: [{ feature: 'dw.report', actions: ['read'] }],
        occurredAt: at(7),
      },
    });
    const older = await publisher.publish({
      type: 'PermissionChanged',
      payload: {
        userId: user(2),
        version: 6,
        permissions: [{ feature: 'dw.admin', actions: ['delete'] }],
        occurredAt: at(6),
      },
    });
    await eventually(
      () => consumed(metrics, groupId, 'handled'),
      (n) => n >= handledBefore + 2,
    );
    // Both were handled (two claims), and the row is version 7's.
    const claims = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM consumer_processed_events WHERE group_id = $1 AND event_id = ANY($2::text[])',
      [groupId, [newer.id, older.id]],
    );
    expect(claims.rows).toHaveLength(2);
    const res = await get<PermissionsBody>(`/permissions/${user(2)}`);
    expect(res.body).toMatchObject({
      version: 7,
      permissions: [{ feature: 'dw.report', actions: ['read'] }],
      occurredAt: '2025-01-01T12:07:00.000Z',
    });
  });

  it('the same ce_id twice is suppressed by the claim, even when the second copy carries a higher version', async () => {
    const duplicatesBefore = await consumed(metrics, groupId, 'duplicate');
    const payload = {
      userId: user(3),
      version: 3,
      permissions: [{ feature: 'file.download', actions: ['read'] }],
      occurredAt: at(3),
    };
    // The very same record twice (same key, value and headers).
    const id = await bus.sendRaw(
      permissionChangedTopic,
      { type: 'PermissionChanged', payload },
      { times: 2 },
    );
    // Then a third record with that ce_id but another payload: only the claim can refuse it.
    await bus.sendRaw(
      permissionChangedTopic,
      { type: 'PermissionChanged', payload: { ...payload, version: 99, permissions: [] } },
      { id },
    );
    await eventually(
      () => consumed(metrics, groupId, 'duplicate'),
      (n) => n >= duplicatesBefore + 2,
    );
    expect(await consumed(metrics, groupId, 'duplicate')).toBe(duplicatesBefore + 2);
    const res = await get<PermissionsBody>(`/permissions/${user(3)}`);
    expect(res.body).toMatchObject({ version: 3, permissions: payload.permissions });
    const row = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM user_permissions WHERE user_id = $1',
      [user(3)],
    );
    expect(row.rows[0]?.event_id).toBe(id);
  });

  it('pages the permission snapshot in user id order with versions', async () => {
    const first = await get<{ permissions: PermissionsBody[]; nextCursor: string | null }>(
      '/permissions?limit=2',
    );
    expect(first.status).toBe(200);
    expect(first.body.permissions.map((p) => [p.userId, p.version])).toEqual([
      [user(1), 2],
      [user(2), 7],
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get<{ permissions: PermissionsBody[]; nextCursor: string | null }>(
      `/permissions?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body).toEqual({
      permissions: [expect.objectContaining({ userId: user(3), version: 3 })],
      nextCursor: null,
    });
  });

  it('keeps the latest run of a batch (occurredAt, then ce_time); an older run arriving later changes nothing', async () => {
    const publisher = dwBatchCompletedPublisher(bus.events);
    const range = { from: '1000', to: '1999' };
    const publish = (
      status: 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED',
      occurredAt: string,
      time: string,
    ) =>
      publisher.publish(
        { type: 'DwBatchCompleted', payload: { batchId: batchId(1), orgRange: range, status, occurredAt } },
        { time: new Date(time) },
      );
    await publish('FAILED', at(10), at(10));
    await publish('SUCCEEDED', at(20), at(20));
    // An older run delivered after the newer one.
    await publish('PARTIALLY_SUCCEEDED', at(15), at(15));
    // The same occurredAt, an earlier ce_time: older.
    await publish('FAILED', at(20), at(19));
    // Another batch: the same occurredAt, a later ce_time wins.
    await dwBatchCompletedPublisher(bus.events).publish(
      {
        type: 'DwBatchCompleted',
        payload: {
          batchId: batchId(2),
          orgRange: { from: '2000', to: '2999' },
          status: 'FAILED',
          occurredAt: at(30),
        },
      },
      { time: new Date(at(30)) },
    );
    const last = await dwBatchCompletedPublisher(bus.events).publish(
      {
        type: 'DwBatchCompleted',
        payload: {
          batchId: batchId(2),
          orgRange: { from: '2000', to: '2999' },
          status: 'PARTIALLY_SUCCEEDED',
          occurredAt: at(30),
        },
      },
      { time: new Date(at(31)) },
    );
    await eventually(
      async () =>
        (
          await pool.query('SELECT 1 FROM consumer_processed_events WHERE group_id = $1 AND event_id = $2', [
            groupId,
            last.id,
          ])
        ).rowCount,
      (n) => n === 1,
    );
    expect((await get(`/batches/${batchId(1)}`)).body).toEqual({
      batchId: batchId(1),
      orgRange: range,
      status: 'SUCCEEDED',
      occurredAt: '2025-01-01T12:20:00.000Z',
      updatedAt: expect.any(String),
    });
    expect((await get(`/batches/${batchId(2)}`)).body).toMatchObject({
      status: 'PARTIALLY_SUCCEEDED',
      occurredAt: '2025-01-01T12:30:00.000Z',
    });
  });

  it('lists batches by status and by an organization code their range covers (bounds inclusive)', async () => {
    const ids = async (query: string) =>
      (await get<{ batches: { batchId: string }[] }>(`/batches?${query}`)).body.batches.map((b) => b.batchId);
    expect(await ids('orgCode=1000')).toEqual([batchId(1)]);
    expect(await ids('orgCode=1999')).toEqual([batchId(1)]);
    expect(await ids('orgCode=2500')).toEqual([batchId(2)]);
    expect(await ids('orgCode=3000')).toEqual([]);
    expect(await ids('status=SUCCEEDED')).toEqual([batchId(1)]);
    expect(await ids('status=FAILED')).toEqual([]);
    expect(await ids('status=PARTIALLY_SUCCEEDED&orgCode=2000')).toEqual([batchId(2)]);
    const page = await get<{ batches: { batchId: string }[]; nextCursor: string }>('/batches?limit=1');
    expect(page.body.batches.map((b) => b.batchId)).toEqual([batchId(1)]);
    expect(await ids(`limit=1&cursor=${page.body.nextCursor}`)).toEqual([batchId(2)]);
  });

  it('records each bundle application once and says which is in force', async () => {
    const publisher = policyBundleAppliedPublisher(bus.events);
    const older = { bundleId, gitHash: gitHash(`older-${run}`), effectiveAt: at(35), occurredAt: at(35) };
    const past = { bundleId, gitHash: gitHash(`past-${run}`), effectiveAt: at(40), occurredAt: at(40) };
    const future = {
      bundleId,
      gitHash: gitHash(`future-${run}`),
      effectiveAt: new Date(Date.now() + 86_400_000).toISOString(),
      occurredAt: at(41),
    };
    await publisher.publish({ type: 'PolicyBundleApplied', payload: past });
    await publisher.publish({ type: 'PolicyBundleApplied', payload: future });
    // An earlier application arriving late: recorded, not in force.
    await publisher.publish({ type: 'PolicyBundleApplied', payload: older });
    // The same application under another ce_id.
    const again = await publisher.publish({ type: 'PolicyBundleApplied', payload: past });
    await eventually(
      async () =>
        (
          await pool.query('SELECT 1 FROM consumer_processed_events WHERE group_id = $1 AND event_id = $2', [
            groupId,
            again.id,
          ])
        ).rowCount,
      (n) => n === 1,
    );
    const res = await get<{ inForce: { gitHash: string }; applications: { gitHash: string }[] }>(
      `/bundles/${bundleId}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.inForce).toMatchObject({
      gitHash: past.gitHash,
      effectiveAt: '2025-01-01T12:40:00.000Z',
    });
    expect(res.body.applications.map((a) => a.gitHash)).toEqual([
      older.gitHash,
      past.gitHash,
      future.gitHash,
    ]);
  });

  it('a replay of every topic into a fresh group changes no row', async () => {
    const snapshot = async () =>
      Promise.all([
        get('/permissions?limit=1000'),
        get(`/batches/${batchId(1)}`),
        get(`/batches/${batchId(2)}`),
        get(`/bundles/${bundleId}`),
        pool.query('SELECT * FROM user_permissions ORDER BY user_id'),
        pool.query('SELECT * FROM batch_status ORDER BY batch_id'),
        pool.query('SELECT * FROM bundle_applications ORDER BY bundle_id, effective_at'),
      ]).then((all) => all.map((r) => ('rows' in r ? r.rows : r.body)));
    const before = await snapshot();
    const handled = async (group: string) =>
      Number(
        (
          await pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1',
            [group],
          )
        ).rows[0]?.n,
      );
    const events = await handled(groupId);
    expect(events).toBe(15);
    await worker.close();
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    worker = start(fresh);
    expect(
      await eventually(
        () => handled(fresh),
        (n) => n >= events,
        60_000,
      ),
    ).toBe(events);
    expect(await snapshot()).toEqual(before);
  }, 90_000);
});

describe('read-model-worker as a process', () => {
  it('runService builds it from the environment (READ_MODEL_WORKER_GROUP_ID, DATABASE_SCHEMA): migrated, ready, consuming, serving', async () => {
    const processSchema = `read_model_${run}_process`;
    const group = `${groupId}-process`;
    await startGroupAt(infra.kafkaBrokers, group, await endOffsetsOf(bus.kafka, TOPICS));
    const running = await runService({
      ...readModelWorkerService(),
      env: processEnv(infra, { READ_MODEL_WORKER_GROUP_ID: group, DATABASE_SCHEMA: processSchema }),
      logger: silent('read-model-worker'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => fetch(`${base}/ready`).then(async (r) => ({ status: r.status, body: await r.json() })),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({ consumers: { [group]: 'ready' } });
      await permissionChangedPublisher(bus.events).publish({
        type: 'PermissionChanged',
        payload: { userId: user(50), version: 1, permissions: [], occurredAt: at(50) },
      });
      const found = await eventually(
        () => fetch(`${base}/permissions/${user(50)}`, { headers: { authorization: `Bearer ${token}` } }),
        (r) => r.status === 200,
      );
      expect(await found.json()).toMatchObject({ userId: user(50), version: 1, permissions: [] });
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);
});
