/**
 * The batch application against the real PostgreSQL and Kafka: a consumer
 * group of its own at the end of domain.dw-batch-completed, DwBatchCompleted
 * published directly (and as raw records). Proves: SUCCEEDED schedules a
 * full follow-up, PARTIALLY_SUCCEEDED a partial retry, FAILED is recorded
 * (and shown resolved once a rerun succeeds); one row per batch run — a
 * redelivered record (the claim), the same run under another ce_id (the unique
 * key) and a replay into a fresh group add nothing, while a rerun is a run of
 * its own; the routes' refusals and paging.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwBatchCompletedPublisher, dwBatchCompletedTopic, topicSpecs } from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { batchAppService } from '../../services/batch-app/definition.ts';
import { type BatchAppService, createBatchAppService } from '../../services/batch-app/service.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  consumed,
  endOffsetsOf,
  principalToken,
  processEnv,
  startGroupAt,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `batch_app_${run}`;
const groupId = `batch-app-e2e-${run}`;

const pool = createServicePool(infra.databaseUrl, schema, 4);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let batchApp: BatchAppService;
let starts: TopicOffsets[];
let token: string;

const batch = (name: string) => `${name}-${run}`;
const at = (minutes: number) => new Date(Date.UTC(2025, 2, 1, 3) + minutes * 60_000).toISOString();
type Status = 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED';
const payload = (name: string, status: Status, minutes: number, from = '1000', to = '1999') => ({
  batchId: batch(name),
  orgRange: { from, to },
  status,
  occurredAt: at(minutes),
});

const start = (group = groupId) =>
  createBatchAppService({
    pool,
    logger: silent('batch-app'),
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

const app = () => batchApp.service.app;
interface Job {
  jobId: number;
  batchId: string;
  runOccurredAt: string;
  kind: string;
  status: string;
  orgRange: { from: string; to: string };
  sourceEventId: string;
}
interface Failed {
  failureId: number;
  batchId: string;
  runOccurredAt: string;
  resolvedByRunAt: string | null;
}
const jobs = async (query = '') => {
  const res = await call<{ jobs: Job[]; nextCursor: number | null }>(app(), 'GET', `/jobs${query}`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.body;
};
const failed = async (query = '') => {
  const res = await call<{ failedBatches: Failed[]; nextCursor: number | null }>(
    app(),
    'GET',
    `/failed-batches${query}`,
    {
      token,
    },
  );
  expect(res.status).toBe(200);
  return res.body;
};
const claimed = async (group: string) =>
  Number(
    (
      await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1',
        [group],
      )
    ).rows[0]?.n,
  );

beforeAll(async () => {
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/batch-app/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-batch-app-${run}`);
  starts = await endOffsetsOf(bus.kafka, ['domain.dw-batch-completed']);
  await startGroupAt(infra.kafkaBrokers, groupId, starts);
  token = await principalToken(['platform:read']);
  batchApp = start();
}, 120_000);

afterAll(async () => {
  try {
    await batchApp?.close();
    await bus?.close();
    await pool.end();
  } finally {
    await dropSchemas(infra.databaseUrl, [schema]);
  }
}, 60_000);

describe('batch-app', () => {
  it('is ready once its consumer group has joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({ consumers: { [groupId]: 'ready' } });
  });

  it('refuses a missing or forged token, a token without platform:read, and bad input on both routes', async () => {
    const forged = await issuePrincipalToken('another-secret', 'e2e-tester', ['platform:read']);
    const other = await principalToken(['dw:write']);
    for (const url of ['/jobs', '/failed-batches']) {
      expect((await call(app(), 'GET', url)).status, url).toBe(401);
      expect((await call(app(), 'GET', url, { token: forged })).status, url).toBe(401);
      expect((await call(app(), 'GET', url, { token: other })).status, url).toBe(403);
    }
    const cases: [string, string][] = [
      ['/jobs?status=done', '/query/status'],
      ['/jobs?kind=rerun', '/query/kind'],
      [`/jobs?batchId=${'b'.repeat(129)}`, '/query/batchId'],
      ['/jobs?cursor=0', '/query/cursor'],
      ['/jobs?cursor=9007199254740992', '/query/cursor'],
      ['/jobs?limit=abc', '/query/limit'],
      ['/jobs?limit=1001', '/query/limit'],
      ['/failed-batches?batchId=%00', '/query/batchId'],
      ['/failed-batches?cursor=1.5', '/query/cursor'],
      ['/failed-batches?status=FAILED', '/query/status'],
    ];
    for (const [url, field] of cases) {
      const res = await call<{ fields: { path: string }[] }>(app(), 'GET', url, { token });
      expect(res.status, url).toBe(400);
      expect(
        res.body.fields.map((f) => f.path),
        url,
      ).toContain(field);
    }
  });

  it('schedules a full follow-up on SUCCEEDED, a partial retry on PARTIALLY_SUCCEEDED, records FAILED; a rerun resolves the failure', async () => {
    const publisher = dwBatchCompletedPublisher(bus.events);
    const failedRun = await publisher.publish({
      type: 'DwBatchCompleted',
      payload: payload('nightly-a', 'FAILED', 0),
    });
    const partial = await publisher.publish({
      type: 'DwBatchCompleted',
      payload: payload('nightly-b', 'PARTIALLY_SUCCEEDED', 5, '2000', '2999'),
    });
    await eventually(
      () => claimed(groupId),
      (n) => n >= 2,
    );
    expect((await failed()).failedBatches).toEqual([
      expect.objectContaining({
        batchId: batch('nightly-a'),
        runOccurredAt: at(0),
        orgRange: { from: '1000', to: '1999' },
        sourceEventId: failedRun.id,
        resolvedByRunAt: null,
      }),
    ]);
    const rerun = await publisher.publish({
      type: 'DwBatchCompleted',
      payload: payload('nightly-a', 'SUCCEEDED', 60),
    });
    await eventually(
      () => claimed(groupId),
      (n) => n >= 3,
    );
    const all = await jobs();
    expect(all.jobs.map((j) => [j.batchId, j.runOccurredAt, j.kind, j.status, j.sourceEventId])).toEqual([
      [batch('nightly-b'), at(5), 'partial-retry', 'scheduled', partial.id],
      [batch('nightly-a'), at(60), 'full-follow-up', 'scheduled', rerun.id],
    ]);
    expect(all.nextCursor).toBeNull();
    expect((await failed()).failedBatches[0]?.resolvedByRunAt).toBe(at(60));
  });

  it('one row per run: a redelivered record is a claim duplicate, the same run under another ce_id meets the unique key', async () => {
    const duplicates = await consumed(metrics, groupId, 'duplicate');
    const claims = await claimed(groupId);
    // The same record three times (same ce_id).
    await bus.sendRaw(
      dwBatchCompletedTopic,
      { type: 'DwBatchCompleted', payload: payload('nightly-c', 'SUCCEEDED', 10) },
      { times: 3 },
    );
    // Runs already scheduled or recorded, published again under new ce_ids.
    const publisher = dwBatchCompletedPublisher(bus.events);
    await publisher.publish({
      type: 'DwBatchCompleted',
      payload: payload('nightly-b', 'PARTIALLY_SUCCEEDED', 5, '2000', '2999'),
    });
    await publisher.publish({ type: 'DwBatchCompleted', payload: payload('nightly-a', 'FAILED', 0) });
    await eventually(
      () => consumed(metrics, groupId, 'duplicate'),
      (n) => n >= duplicates + 2,
    );
    await eventually(
      () => claimed(groupId),
      (n) => n >= claims + 3,
    );
    expect(await consumed(metrics, groupId, 'duplicate')).toBe(duplicates + 2);
    expect(await claimed(groupId)).toBe(claims + 3);
    expect((await jobs()).jobs.map((j) => [j.batchId, j.kind])).toEqual([
      [batch('nightly-b'), 'partial-retry'],
      [batch('nightly-a'), 'full-follow-up'],
      [batch('nightly-c'), 'full-follow-up'],
    ]);
    expect((await failed()).failedBatches).toHaveLength(1);
  });

  it('filters jobs by batch, status and kind, and pages them', async () => {
    expect((await jobs(`?batchId=${batch('nightly-a')}`)).jobs.map((j) => j.runOccurredAt)).toEqual([at(60)]);
    expect((await jobs('?kind=partial-retry')).jobs.map((j) => j.batchId)).toEqual([batch('nightly-b')]);
    expect((await jobs('?status=scheduled')).jobs).toHaveLength(3);
    expect((await jobs('?status=running')).jobs).toEqual([]);
    const first = await jobs('?limit=2');
    expect(first.jobs).toHaveLength(2);
    expect(first.nextCursor).toBe(first.jobs[1]!.jobId);
    const second = await jobs(`?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({
      jobs: [expect.objectContaining({ batchId: batch('nightly-c') })],
      nextCursor: null,
    });
    expect((await failed(`?batchId=${batch('nightly-b')}`)).failedBatches).toEqual([]);
  });

  it('a failure after a successful run of the batch stays unresolved until a later run succeeds', async () => {
    const publisher = dwBatchCompletedPublisher(bus.events);
    await publisher.publish({ type: 'DwBatchCompleted', payload: payload('nightly-d', 'SUCCEEDED', 100) });
    await publisher.publish({ type: 'DwBatchCompleted', payload: payload('nightly-d', 'FAILED', 130) });
    await eventually(
      async () => (await failed(`?batchId=${batch('nightly-d')}`)).failedBatches,
      (f) => f.length === 1,
    );
    expect((await failed(`?batchId=${batch('nightly-d')}`)).failedBatches).toEqual([
      expect.objectContaining({ runOccurredAt: at(130), resolvedByRunAt: null }),
    ]);
  });

  it('a replay of the topic into a fresh group adds no job and no failure', async () => {
    const snapshot = async () => [
      (await pool.query('SELECT * FROM batch_jobs ORDER BY id')).rows,
      (await pool.query('SELECT * FROM failed_batches ORDER BY id')).rows,
    ];
    const before = await snapshot();
    const events = await claimed(groupId);
    expect(events).toBe(8);
    await batchApp.close();
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    batchApp = start(fresh);
    expect(
      await eventually(
        () => claimed(fresh),
        (n) => n >= events,
        60_000,
      ),
    ).toBe(events);
    expect(await snapshot()).toEqual(before);
  }, 90_000);
});

describe('batch-app as a process', () => {
  it('runService builds it from the environment (BATCH_APP_GROUP_ID): migrated, ready, scheduling', async () => {
    const group = `${groupId}-process`;
    await startGroupAt(
      infra.kafkaBrokers,
      group,
      await endOffsetsOf(bus.kafka, ['domain.dw-batch-completed']),
    );
    const processSchema = `${schema}_process`;
    const running = await runService({
      ...batchAppService(),
      env: processEnv(infra, { BATCH_APP_GROUP_ID: group, DATABASE_SCHEMA: processSchema }),
      logger: silent('batch-app'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => fetch(`${base}/ready`).then(async (r) => ({ status: r.status, body: await r.json() })),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({ consumers: { [group]: 'ready' } });
      await dwBatchCompletedPublisher(bus.events).publish({
        type: 'DwBatchCompleted',
        payload: payload('nightly-p', 'SUCCEEDED', 90),
      });
      const listed = await eventually(
        async () =>
          (await (
            await fetch(`${base}/jobs?batchId=${batch('nightly-p')}`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).json()) as { jobs: Job[] },
        (b) => b.jobs.length === 1,
      );
      expect(listed.jobs[0]).toMatchObject({
        kind: 'full-follow-up',
        status: 'scheduled',
        runOccurredAt: at(90),
      });
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);
});
