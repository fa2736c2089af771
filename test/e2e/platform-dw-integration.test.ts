/**
 * The dw-integration service against the real PostgreSQL and Kafka: a batch
 * recorded and completed with DwBatchCompleted in the same transaction, once
 * per run; reruns of a failed batch under the same batchId, their
 * completions in run order on the topic; the listing with its status filter
 * and signed cursor; refusals (duplicates, completed runs, a stale run,
 * missing scopes, hostile input); a failure at commit that rolls back the
 * completion and its event; the relayed records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DW_INTEGRATION_MIGRATIONS } from '../../services/dw-integration/definition.ts';
import {
  type Batch,
  type BatchSummary,
  createDwIntegrationService,
  type DwIntegrationService,
} from '../../services/dw-integration/service.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { useInfrastructure } from '../support/context.ts';
import {
  expectAuthRefusals,
  expectValidationRefusals,
  failCommitsOf,
  type HostileCase,
  outboxEvents,
  type PrincipalTokens,
  type PublisherHarness,
  principalTokens,
  startPublisherHarness,
  tableCounts,
} from './platform-publisher-support.ts';
import { call, silent, TEST_SECRET } from './support.ts';

const infra = useInfrastructure();
const TOPIC = 'domain.dw-batch-completed';
const TABLES = ['batches', 'batch_runs'];

let h: PublisherHarness;
let dw: DwIntegrationService;
let tokens: PrincipalTokens;

const app = () => dw.service.app;
const batch = (name: string) => `${name}-${h.run}`;
const path = (batchId: string, tail = '') => `/batches/${encodeURIComponent(batchId)}${tail}`;
const counts = () => tableCounts(h.pool, h.schema, TABLES);

const create = (batchId: string, from = '1000', to = '1999', token = tokens.writer) =>
  call<{ batch: Batch }>(app(), 'POST', '/batches', { token, body: { batchId, orgRange: { from, to } } });
const complete = (batchId: string, status: string, run?: number, token = tokens.writer) =>
  call<{ batch: Batch }>(app(), 'POST', path(batchId, '/completion'), {
    token,
    body: run === undefined ? { status } : { status, run },
  });
const rerun = (batchId: string, token = tokens.writer) =>
  call<{ batch: Batch }>(app(), 'POST', path(batchId, '/runs'), { token });
const get = (batchId: string) =>
  call<{ batch: Batch }>(app(), 'GET', path(batchId), { token: tokens.reader });
const list = (query: string) =>
  call<{ batches: BatchSummary[]; nextCursor: string | null }>(app(), 'GET', `/batches${query}`, {
    token: tokens.reader,
  });

beforeAll(async () => {
  h = await startPublisherHarness(infra, {
    prefix: 'dw_integration',
    migrationsDir: DW_INTEGRATION_MIGRATIONS,
    topic: TOPIC,
  });
  tokens = await principalTokens('dw:write');
  dw = createDwIntegrationService({
    pool: h.pool,
    schema: h.schema,
    logger: silent('dw-integration'),
    authSecret: TEST_SECRET,
    defaultMetrics: false,
  });
});

afterAll(async () => {
  await dw?.close();
  await h?.close();
});

describe('dw-integration service', () => {
  it('records a batch (run 1 running, no event) and completes it once with DwBatchCompleted in the same transaction', async () => {
    const id = batch('nightly-a');
    const created = await create(id, '1000', '1999');
    expect(created).toMatchObject({
      status: 201,
      body: {
        batch: {
          batchId: id,
          orgRange: { from: '1000', to: '1999' },
          run: 1,
          status: 'RUNNING',
          createdBy: 'admin-e2e',
          runs: [{ run: 1, status: 'RUNNING', completedAt: null, eventId: null }],
        },
      },
    });
    expect(await outboxEvents(h.pool, h.schema, id)).toEqual([]);

    const done = await complete(id, 'SUCCEEDED', 1);
    expect(done).toMatchObject({ status: 200, body: { batch: { run: 1, status: 'SUCCEEDED' } } });
    const run = done.body.batch.runs[0]!;
    expect(run).toMatchObject({ run: 1, status: 'SUCCEEDED', completedBy: 'admin-e2e' });
    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventId: run.eventId,
      type: 'DwBatchCompleted',
      topic: TOPIC,
      payload: {
        batchId: id,
        orgRange: { from: '1000', to: '1999' },
        status: 'SUCCEEDED',
        occurredAt: run.completedAt,
      },
      headers: { ce_time: run.completedAt },
    });
    const { rows } = await h.pool.query<{ xmin: string }>(
      'SELECT xmin::text AS xmin FROM batch_runs WHERE batch_id = $1 AND run = 1',
      [id],
    );
    expect(rows[0]?.xmin).toBe(events[0]?.xmin);
    expect((await get(id)).body).toEqual(done.body);
  });

  it('a second completion of a run is 409 and writes nothing; a succeeded batch is not rerun', async () => {
    const id = batch('nightly-a');
    const before = await counts();
    expect(await complete(id, 'FAILED')).toMatchObject({
      status: 409,
      body: { error: 'conflict', run: 1, status: 'SUCCEEDED' },
    });
    expect(await complete(id, 'SUCCEEDED', 1)).toMatchObject({ status: 409 });
    expect(await rerun(id)).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('succeeded') },
    });
    expect(await create(id, '1000', '1999')).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('/runs'), batch: { batchId: id, status: 'SUCCEEDED' } },
    });
    expect(await counts()).toEqual(before);
  });

  it('reruns a failed batch under the same batchId; completions in run order; a stale run is 409', async () => {
    const id = batch('nightly-b');
    await create(id, '2000', '2999');
    expect(await rerun(id)).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('running') },
    });
    expect((await complete(id, 'FAILED', 1)).body.batch.status).toBe('FAILED');
    const second = await rerun(id);
    expect(second).toMatchObject({
      status: 201,
      body: {
        batch: {
          run: 2,
          status: 'RUNNING',
          runs: [
            { run: 1, status: 'FAILED' },
            { run: 2, status: 'RUNNING' },
          ],
        },
      },
    });
    // A retried completion of run 1 must not complete run 2.
    const before = await counts();
    expect(await complete(id, 'FAILED', 1)).toMatchObject({
      status: 409,
      body: { run: 2, status: 'RUNNING' },
    });
    expect(await counts()).toEqual(before);
    expect((await complete(id, 'PARTIALLY_SUCCEEDED', 2)).body.batch).toMatchObject({
      run: 2,
      status: 'PARTIALLY_SUCCEEDED',
    });
    expect((await rerun(id)).body.batch.run).toBe(3);
    const final = await complete(id, 'SUCCEEDED');
    expect(final.body.batch).toMatchObject({
      run: 3,
      status: 'SUCCEEDED',
      runs: [
        { run: 1, status: 'FAILED' },
        { run: 2, status: 'PARTIALLY_SUCCEEDED' },
        { run: 3, status: 'SUCCEEDED' },
      ],
    });
    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events.map((e) => e.payload.status)).toEqual(['FAILED', 'PARTIALLY_SUCCEEDED', 'SUCCEEDED']);
    expect(events.map((e) => e.eventId)).toEqual(final.body.batch.runs.map((r) => r.eventId));
    for (const e of events)
      expect(e.payload).toMatchObject({ batchId: id, orgRange: { from: '2000', to: '2999' } });

    const records = await h.recordsOf([id], 3);
    const sorted = [...records].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
    expect(new Set(sorted.map((r) => r.partition)).size).toBe(1);
    expect(sorted.map((r) => (JSON.parse(r.value!) as { status: string }).status)).toEqual([
      'FAILED',
      'PARTIALLY_SUCCEEDED',
      'SUCCEEDED',
    ]);
  });

  it('concurrent completions of one run: exactly one wins, one event', async () => {
    const id = batch('raced');
    await create(id);
    // Hold the batch row while the completions arrive, so they all overlap (none has finished
    // before the others start), then let them go.
    const holder = await h.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM batches WHERE batch_id = $1 FOR UPDATE', [id]);
    const pending = Promise.all(
      ['SUCCEEDED', 'FAILED', 'PARTIALLY_SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED'].map((s) =>
        complete(id, s, 1),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await holder.query('COMMIT');
    holder.release();
    const results = await pending;
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body.batch;
    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events.map((e) => e.payload.status)).toEqual([winner.status]);
  });

  it('lists batches newest first, by status, page by page with the cursor it issues', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => batch(`page-${i}`));
    for (const id of ids) await create(id, 'A', 'B');
    for (const id of ids.slice(0, 3)) await complete(id, 'FAILED');

    const seen: string[] = [];
    let query = '?limit=3';
    for (let page = 0; page < 100; page++) {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(res.body.batches.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.batches.map((b) => b.batchId));
      if (!res.body.nextCursor) break;
      query = `?limit=3&cursor=${res.body.nextCursor}`;
    }
    const mine = seen.filter((b) => ids.includes(b));
    expect(mine).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const failed = await list('?status=FAILED&limit=100');
    expect(failed.body.batches.filter((b) => ids.includes(b.batchId)).map((b) => b.batchId)).toEqual(
      ids.slice(0, 3).reverse(),
    );
    expect(failed.body.batches.every((b) => b.status === 'FAILED')).toBe(true);
    const running = await list('?status=RUNNING&limit=2');
    expect(running.body.batches.every((b) => b.status === 'RUNNING')).toBe(true);
    expect(running.body.nextCursor).not.toBeNull();
    const nextRunning = await list(`?status=RUNNING&limit=2&cursor=${running.body.nextCursor}`);
    expect(nextRunning.body.batches.map((b) => b.batchId)).not.toContain(running.body.batches[0]?.batchId);

    // A cursor edited by hand, made up, or signed with another secret is refused.
    const cursor = running.body.nextCursor!;
    const [seq, mac] = cursor.split('.') as [string, string];
    const other = createDwIntegrationService({
      pool: h.pool,
      schema: h.schema,
      logger: silent('dw-integration'),
      authSecret: 'another-secret',
      defaultMetrics: false,
    });
    const otherToken = await issuePrincipalToken('another-secret', 'viewer', ['platform:read']);
    const foreign = (
      await call<{ nextCursor: string }>(other.service.app, 'GET', '/batches?limit=1', { token: otherToken })
    ).body.nextCursor;
    for (const forged of [
      `${Number(seq) + 1}.${mac}`,
      `${seq}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${seq}.AAAAAAAAAAAAAAAAAAAAAA`,
      foreign,
    ]) {
      expect(await list(`?cursor=${forged}`), forged).toMatchObject({
        status: 400,
        body: { fields: [{ path: '/query/cursor' }] },
      });
    }
  });

  it('refuses from after to (byte-wise) and unknown batches, writing nothing', async () => {
    const before = await counts();
    expect(await create(batch('backwards'), '1999', '1000')).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/orgRange' }] },
    });
    // Byte-wise: "999" sorts after "1000".
    expect(await create(batch('widths'), '999', '1000')).toMatchObject({ status: 400 });
    expect(await complete(batch('unknown'), 'SUCCEEDED')).toMatchObject({ status: 404 });
    expect(await rerun(batch('unknown'))).toMatchObject({ status: 404 });
    expect(await get(batch('unknown'))).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await counts()).toEqual(before);
    // Equal bounds and non-numeric codes are fine.
    expect((await create(batch('single'), 'ORG-7', 'ORG-7')).status).toBe(201);
    expect((await create(batch('unicode'), 'Å', 'Ö')).status).toBe(201);
  });

  it('every route: 401 without or with a forged token, 403 without its scope, nothing written', async () => {
    const id = batch('nightly-b');
    const before = await counts();
    const routes = [
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: batch('scoped'), orgRange: { from: '1', to: '2' } },
      },
      { method: 'POST', path: path(batch('raced'), '/runs') },
      { method: 'POST', path: path(batch('single'), '/completion'), body: { status: 'FAILED' } },
      { method: 'GET', path: path(id), read: true },
      { method: 'GET', path: '/batches', read: true },
    ];
    await expectAuthRefusals(app(), tokens, routes);
    expect(await counts()).toEqual(before);
  });

  it('hostile input on every route: 400 naming the field, nothing written', async () => {
    const id = batch('single');
    const before = await counts();
    const cases: HostileCase[] = [
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: '', orgRange: { from: '1', to: '2' } },
        field: '/body/batchId',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'b'.repeat(129), orgRange: { from: '1', to: '2' } },
        field: '/body/batchId',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: ' padded', orgRange: { from: '1', to: '2' } },
        field: '/body/batchId',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'a\u0000b', orgRange: { from: '1', to: '2' } },
        field: '/body/batchId',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'a\u0007b', orgRange: { from: '1', to: '2' } },
        field: '/body/batchId',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: { from: '', to: '2' } },
        field: '/body/orgRange/from',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: { from: '1', to: '9'.repeat(65) } },
        field: '/body/orgRange/to',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: { from: 1, to: 2 } },
        field: '/body/orgRange/from',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: { from: '1' } },
        field: '/body/orgRange/to',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: ['1', '2'] },
        field: '/body/orgRange',
      },
      {
        method: 'POST',
        path: '/batches',
        body: { batchId: 'x', orgRange: { from: '1', to: '2', step: 1 } },
        field: '/body/orgRange/step',
      },
      { method: 'POST', path: '/batches', body: { batchId: 'x' }, field: '/body/orgRange' },
      { method: 'POST', path: '/batches', raw: 'batchId=x', field: '/body' },
      { method: 'POST', path: path(id, '/completion'), body: { status: 'DONE' }, field: '/body/status' },
      { method: 'POST', path: path(id, '/completion'), body: { status: 'RUNNING' }, field: '/body/status' },
      { method: 'POST', path: path(id, '/completion'), body: { status: 'succeeded' }, field: '/body/status' },
      { method: 'POST', path: path(id, '/completion'), body: {}, field: '/body/status' },
      {
        method: 'POST',
        path: path(id, '/completion'),
        body: { status: 'FAILED', run: 0 },
        field: '/body/run',
      },
      {
        method: 'POST',
        path: path(id, '/completion'),
        body: { status: 'FAILED', run: 1.5 },
        field: '/body/run',
      },
      {
        method: 'POST',
        path: path(id, '/completion'),
        body: { status: 'FAILED', run: '1' },
        field: '/body/run',
      },
      {
        method: 'POST',
        path: path('b'.repeat(129), '/completion'),
        body: { status: 'FAILED' },
        field: '/params/batchId',
      },
      { method: 'POST', path: '/batches/%01/runs', field: '/params/batchId' },
      { method: 'GET', path: '/batches/%20x', field: '/params/batchId' },
      { method: 'GET', path: `${path(id)}?run=1`, field: '/query/run' },
      { method: 'GET', path: '/batches?status=DONE', field: '/query/status' },
      { method: 'GET', path: '/batches?limit=0', field: '/query/limit' },
      { method: 'GET', path: '/batches?limit=101', field: '/query/limit' },
      { method: 'GET', path: '/batches?limit=1e1', field: '/query/limit' },
      { method: 'GET', path: '/batches?limit=Infinity', field: '/query/limit' },
      { method: 'GET', path: '/batches?limit=5&limit=6', field: '/query/limit' },
      { method: 'GET', path: '/batches?cursor=12', field: '/query/cursor' },
      { method: 'GET', path: '/batches?cursor=%00', field: '/query/cursor' },
      { method: 'GET', path: '/batches?sort=asc', field: '/query/sort' },
    ];
    await expectValidationRefusals(app(), tokens.writer, cases);
    expect(
      await call(app(), 'POST', '/batches', {
        token: tokens.writer,
        body: { batchId: 'huge', orgRange: { from: '1', to: '2' }, padding: 'x'.repeat(1_100_000) },
      }),
    ).toMatchObject({ status: 413 });
    expect(await counts()).toEqual(before);
    expect((await get(id)).body.batch).toMatchObject({ run: 1, status: 'RUNNING' });
  });

  it('a failure at commit rolls back the completion and its event together', async () => {
    const id = `doomed-${h.run}`;
    await create(id);
    await failCommitsOf(h.pool, h.schema, { table: 'batch_runs', column: 'batch_id', pattern: id });
    const before = await counts();
    expect(await complete(id, 'SUCCEEDED', 1)).toMatchObject({ status: 500, body: { error: 'internal' } });
    expect(await counts()).toEqual(before);
    expect(await outboxEvents(h.pool, h.schema, id)).toEqual([]);
    expect((await get(id)).body.batch).toMatchObject({
      run: 1,
      status: 'RUNNING',
      runs: [{ run: 1, status: 'RUNNING', completedAt: null, eventId: null }],
    });
  });

  it('the relay publishes each event keyed by batchId with the CloudEvents headers and the payload as written', async () => {
    const id = batch('nightly-a');
    const written = await outboxEvents(h.pool, h.schema, id);
    const records = await h.recordsOf([id], written.length);
    expect(records).toHaveLength(1);
    expect(records[0]!.key).toBe(id);
    expect(records[0]!.headers).toMatchObject({
      ce_id: written[0]!.eventId,
      ce_type: 'DwBatchCompleted',
      ce_source: 'urn:contract-events:platform:dw-integration',
      ce_specversion: '1.0',
      ce_schemaversion: '1',
      ce_subject: id,
      ce_time: written[0]!.payload.occurredAt,
      'content-type': 'application/json',
    });
    expect(JSON.parse(records[0]!.value ?? 'null')).toEqual(written[0]!.payload);
  });
});
