/**
 * The dw-integration service (platform DW integration module,
 * `backend/dw-integration`): data-warehouse batches over organization ranges
 * and their runs, each run's end published as DwBatchCompleted.
 *
 * - POST /batches                        dw:write  { batchId, orgRange: { from, to } }
 *        → 201 { batch } with run 1 RUNNING; 409 when the batchId exists (a rerun is POST /batches/:batchId/runs)
 * - POST /batches/:batchId/runs          dw:write  (no body) → 201 { batch } with the next run RUNNING;
 *        only after a FAILED or PARTIALLY_SUCCEEDED run (409 while a run is running or after SUCCEEDED)
 * - POST /batches/:batchId/completion    dw:write  { status: SUCCEEDED | PARTIALLY_SUCCEEDED | FAILED, run? }
 *        → 200 { batch } and DwBatchCompleted; once per run: 409 (nothing written) when the current
 *        run is already completed, or when `run` is given and is not the current run
 * - GET  /batches/:batchId               platform:read → { batch: { …, runs: [...] } }
 * - GET  /batches?status&limit&cursor    platform:read → { batches, nextCursor } newest first;
 *        `status` is the latest run's (RUNNING included); `cursor` is a `nextCursor` this service
 *        issued (signed: any other is 400)
 *
 * A rerun keeps the batchId (the contract's partition key), so the failed
 * run's DwBatchCompleted and the rerun's are consumed in that order. Every
 * change of a batch locks its row first: runs are numbered without gaps and
 * the outbox rows of a batch are inserted in run order. Sending `run` with a
 * completion is recommended: a retried completion of an earlier run then
 * gets 409 instead of completing the rerun. The organization range is
 * inclusive and `from` must sort before or equal to `to` byte-wise (code
 * points of the UTF-8, PostgreSQL's COLLATE "C"): numeric codes compare as
 * numbers only with equal widths (`0999` < `1000`, but `999` > `1000`).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { dwBatchCompletedOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { conflict, notFound, validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import { batchCursor } from './cursor.ts';
import {
  type BatchStatus,
  batchParamsSchema,
  completionSchema,
  createBatchSchema,
  listQuerySchema,
} from './schemas.ts';

export const READ_SCOPE = 'platform:read';
export const WRITE_SCOPE = 'dw:write';

export interface DwIntegrationServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface DwIntegrationService extends BuiltService {
  readonly service: ServiceApp;
}

export interface BatchRun {
  run: number;
  status: BatchStatus;
  startedAt: string;
  startedBy: string;
  completedAt: string | null;
  completedBy: string | null;
  /** ce_id of the run's DwBatchCompleted; null while running. */
  eventId: string | null;
}

export interface BatchSummary {
  batchId: string;
  orgRange: { from: string; to: string };
  /** The latest run and its status. */
  run: number;
  status: BatchStatus;
  createdAt: string;
  createdBy: string;
}

export interface Batch extends BatchSummary {
  runs: BatchRun[];
}

interface BatchRow {
  seq: string;
  batch_id: string;
  org_from: string;
  org_to: string;
  run: number;
  status: BatchStatus;
  created_at: Date;
  created_by: string;
}

interface RunRow {
  run: number;
  status: BatchStatus;
  started_at: Date;
  started_by: string;
  completed_at: Date | null;
  completed_by: string | null;
  event_id: string | null;
}

const BATCH_COLUMNS = 'seq, batch_id, org_from, org_to, run, status, created_at, created_by';
const RUN_COLUMNS = 'run, status, started_at, started_by, completed_at, completed_by, event_id';
const NOW_MS = "date_trunc('milliseconds', clock_timestamp())";

const summaryView = (b: BatchRow): BatchSummary => ({
  batchId: b.batch_id,
  orgRange: { from: b.org_from, to: b.org_to },
  run: b.run,
  status: b.status,
  createdAt: b.created_at.toISOString(),
  createdBy: b.created_by,
});

const runView = (r: RunRow): BatchRun => ({
  run: r.run,
  status: r.status,
  startedAt: r.started_at.toISOString(),
  startedBy: r.started_by,
  completedAt: r.completed_at?.toISOString() ?? null,
  completedBy: r.completed_by,
  eventId: r.event_id,
});

/** Byte-wise order of the UTF-8 (code-point order), as COLLATE "C" compares. */
const sortsAfter = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0;

type Queryable = Pick<pg.ClientBase, 'query'>;

async function batchWithRuns(db: Queryable, row: BatchRow): Promise<Batch> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM batch_runs WHERE batch_id = $1 ORDER BY run`,
    [row.batch_id],
  );
  return { ...summaryView(row), runs: rows.map(runView) };
}

/** The batch row, locked until the transaction ends; 404 when there is none. */
async function lockBatch(db: Queryable, batchId: string): Promise<BatchRow> {
  const { rows } = await db.query<BatchRow>(
    `SELECT ${BATCH_COLUMNS} FROM batches WHERE batch_id = $1 FOR UPDATE`,
    [batchId],
  );
  if (!rows[0]) throw notFound(`no batch ${batchId}`);
  return rows[0];
}

export function createDwIntegrationService(options: DwIntegrationServiceOptions): DwIntegrationService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'dw-integration',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const batchEvents = dwBatchCompletedOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const cursors = batchCursor(options.authSecret);
  const read = requirePrincipal(options.authSecret, READ_SCOPE);
  const write = requirePrincipal(options.authSecret, WRITE_SCOPE);

  app.post('/batches', write, jsonBody(createBatchSchema), async (c) => {
    const body = c.req.valid('json');
    const by = c.get('principal').subject;
    if (sortsAfter(body.orgRange.from, body.orgRange.to)) {
      throw validationError([
        {
          path: '/body/orgRange',
          message: 'from must sort before or equal to to (byte-wise order of the codes)',
        },
      ]);
    }
    const batch = await withTransaction(pool, async (db) => {
      const inserted = await db.query<BatchRow>(
        `INSERT INTO batches (batch_id, org_from, org_to, run, status, created_at, created_by)
           VALUES ($1, $2, $3, 1, 'RUNNING', ${NOW_MS}, $4)
           ON CONFLICT (batch_id) DO NOTHING
           RETURNING ${BATCH_COLUMNS}`,
        [body.batchId, body.orgRange.from, body.orgRange.to, by],
      );
      const row = inserted.rows[0];
      if (!row) {
        const existing = await db.query<BatchRow>(
          `SELECT ${BATCH_COLUMNS} FROM batches WHERE batch_id = $1`,
          [body.batchId],
        );
        throw conflict(`batch ${body.batchId} exists; a rerun is POST /batches/${body.batchId}/runs`, {
          batch: existing.rows[0] ? summaryView(existing.rows[0]) : null,
        });
      }
      await db.query(
        `INSERT INTO batch_runs (batch_id, run, status, started_at, started_by) VALUES ($1, 1, 'RUNNING', $2, $3)`,
        [row.batch_id, row.created_at, by],
      );
      return batchWithRuns(db, row);
    });
    return c.json({ batch }, 201);
  });

  app.post('/batches/:batchId/runs', write, pathParams(batchParamsSchema), async (c) => {
    const { batchId } = c.req.valid('param');
    const by = c.get('principal').subject;
    const batch = await withTransaction(pool, async (db) => {
      const current = await lockBatch(db, batchId);
      if (current.status === 'RUNNING')
        throw conflict(`run ${current.run} of batch ${batchId} is still running`);
      if (current.status === 'SUCCEEDED') {
        throw conflict(
          `run ${current.run} of batch ${batchId} succeeded; only a failed or partial run is rerun`,
        );
      }
      const next = current.run + 1;
      await db.query(
        `INSERT INTO batch_runs (batch_id, run, status, started_at, started_by) VALUES ($1, $2, 'RUNNING', ${NOW_MS}, $3)`,
        [batchId, next, by],
      );
      const updated = await db.query<BatchRow>(
        `UPDATE batches SET run = $2, status = 'RUNNING' WHERE batch_id = $1 RETURNING ${BATCH_COLUMNS}`,
        [batchId, next],
      );
      return batchWithRuns(db, updated.rows[0]!);
    });
    return c.json({ batch }, 201);
  });

  app.post(
    '/batches/:batchId/completion',
    write,
    pathParams(batchParamsSchema),
    jsonBody(completionSchema),
    async (c) => {
      const { batchId } = c.req.valid('param');
      const body = c.req.valid('json');
      const by = c.get('principal').subject;
      const batch = await withTransaction(pool, async (db) => {
        const current = await lockBatch(db, batchId);
        if (body.run !== undefined && body.run !== current.run) {
          throw conflict(
            `run ${body.run} is not the current run of batch ${batchId} (run ${current.run} is)`,
            {
              run: current.run,
              status: current.status,
            },
          );
        }
        if (current.status !== 'RUNNING') {
          throw conflict(`run ${current.run} of batch ${batchId} is already completed (${current.status})`, {
            run: current.run,
            status: current.status,
          });
        }
        const eventId = randomUUID();
        const completed = await db.query<{ completed_at: Date }>(
          `UPDATE batch_runs SET status = $3, completed_at = ${NOW_MS}, completed_by = $4, event_id = $5
            WHERE batch_id = $1 AND run = $2 AND status = 'RUNNING'
           RETURNING completed_at`,
          [batchId, current.run, body.status, by, eventId],
        );
        const at = completed.rows[0]?.completed_at;
        if (!at) throw new Error(`dw-integration: run ${current.run} of ${batchId} was not running`);
        const updated = await db.query<BatchRow>(
          `UPDATE batches SET status = $2 WHERE batch_id = $1 RETURNING ${BATCH_COLUMNS}`,
          [batchId, body.status],
        );
        await batchEvents.write(
          db,
          {
            type: 'DwBatchCompleted',
            payload: {
              batchId,
              orgRange: { from: current.org_from, to: current.org_to },
              status: body.status,
              occurredAt: at.toISOString(),
            },
          },
          { id: eventId, time: at },
        );
        return batchWithRuns(db, updated.rows[0]!);
      });
      return c.json({ batch });
    },
  );

  app.get('/batches/:batchId', read, pathParams(batchParamsSchema), queryParams(noQuerySchema), async (c) => {
    const { batchId } = c.req.valid('param');
    const batch = await withTransaction(pool, async (db) => {
      // The batch and its runs from one snapshot.
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await db.query<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches WHERE batch_id = $1`, [
        batchId,
      ]);
      if (!rows[0]) throw notFound(`no batch ${batchId}`);
      return batchWithRuns(db, rows[0]);
    });
    return c.json({ batch });
  });

  app.get('/batches', read, queryParams(listQuerySchema), async (c) => {
    const query = c.req.valid('query');
    let before: string | null = null;
    if (query.cursor !== undefined) {
      before = cursors.decode(query.cursor) ?? null;
      if (before === null) {
        throw validationError([{ path: '/query/cursor', message: 'is not a cursor this service issued' }]);
      }
    }
    const { rows } = await pool.query<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM batches
        WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR seq < $2)
        ORDER BY seq DESC LIMIT $3`,
      [query.status ?? null, before, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      batches: page.map(summaryView),
      nextCursor: rows.length > query.limit && last ? cursors.encode(last.seq) : null,
    });
  });

  return { service, close: async () => {} };
}
