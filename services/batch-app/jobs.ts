/**
 * What a DwBatchCompleted leaves behind in the batch application:
 * - SUCCEEDED → one `full-follow-up` job (the dependent steps over the range);
 * - PARTIALLY_SUCCEEDED → one `partial-retry` job (rerun the failed part;
 *   the event does not say which organizations failed, so the job covers the
 *   range and its runner finds them in the warehouse);
 * - FAILED → a `failed_batches` row, no job.
 * Once per run: the unique key (batchId, occurredAt) decides, whatever ce_id
 * carries the run or how often it is delivered (`ON CONFLICT DO NOTHING`).
 */
import type pg from 'pg';
import type { DwBatchCompleted } from '../../generated/index.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export type JobKind = 'full-follow-up' | 'partial-retry';
export type JobStatus = 'scheduled' | 'running' | 'succeeded' | 'failed';

export const JOB_KIND: Record<Exclude<DwBatchCompleted['status'], 'FAILED'>, JobKind> = {
  SUCCEEDED: 'full-follow-up',
  PARTIALLY_SUCCEEDED: 'partial-retry',
};

/** Schedules the run's job, or records its failure; returns whether a row was added. */
export async function handleBatchCompleted(
  db: Queryable,
  event: { readonly id: string; readonly payload: DwBatchCompleted },
): Promise<boolean> {
  const p = event.payload;
  const values = [p.batchId, p.occurredAt, p.orgRange.from, p.orgRange.to, event.id];
  if (p.status === 'FAILED') {
    const { rowCount } = await db.query(
      `INSERT INTO failed_batches (batch_id, run_occurred_at, org_from, org_to, source_event_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (batch_id, run_occurred_at) DO NOTHING`,
      values,
    );
    return rowCount === 1;
  }
  const { rowCount } = await db.query(
    `INSERT INTO batch_jobs (batch_id, run_occurred_at, org_from, org_to, source_event_id, kind)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id, run_occurred_at) DO NOTHING`,
    [...values, JOB_KIND[p.status]],
  );
  return rowCount === 1;
}

export interface JobView {
  readonly jobId: number;
  readonly batchId: string;
  readonly runOccurredAt: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly orgRange: { readonly from: string; readonly to: string };
  readonly sourceEventId: string;
  readonly createdAt: string;
}

export interface JobFilter {
  readonly batchId?: string | undefined;
  readonly status?: JobStatus | undefined;
  readonly kind?: JobKind | undefined;
  /** Jobs with a larger id only. */
  readonly after?: number | undefined;
  readonly limit: number;
}

export async function jobsPage(db: Queryable, filter: JobFilter): Promise<JobView[]> {
  const { rows } = await db.query<{
    id: string;
    batch_id: string;
    run_occurred_at: Date;
    kind: JobKind;
    status: JobStatus;
    org_from: string;
    org_to: string;
    source_event_id: string;
    created_at: Date;
  }>(
    `SELECT id, batch_id, run_occurred_at, kind, status, org_from, org_to, source_event_id, created_at
       FROM batch_jobs
      WHERE ($1::text IS NULL OR batch_id = $1::text)
        AND ($2::text IS NULL OR status = $2::text)
        AND ($3::text IS NULL OR kind = $3::text)
        AND ($4::bigint IS NULL OR id > $4::bigint)
      ORDER BY id LIMIT $5`,
    [filter.batchId ?? null, filter.status ?? null, filter.kind ?? null, filter.after ?? null, filter.limit],
  );
  return rows.map((r) => ({
    jobId: Number(r.id),
    batchId: r.batch_id,
    runOccurredAt: r.run_occurred_at.toISOString(),
    kind: r.kind,
    status: r.status,
    orgRange: { from: r.org_from, to: r.org_to },
    sourceEventId: r.source_event_id,
    createdAt: r.created_at.toISOString(),
  }));
}

export interface FailedBatchView {
  readonly failureId: number;
  readonly batchId: string;
  readonly runOccurredAt: string;
  readonly orgRange: { readonly from: string; readonly to: string };
  readonly sourceEventId: string;
  readonly recordedAt: string;
  /** The occurredAt of the first later run of the batch that got a job (a rerun that succeeded, fully or partly), else null. */
  readonly resolvedByRunAt: string | null;
}

export async function failedBatchesPage(
  db: Queryable,
  filter: {
    readonly batchId?: string | undefined;
    readonly after?: number | undefined;
    readonly limit: number;
  },
): Promise<FailedBatchView[]> {
  const { rows } = await db.query<{
    id: string;
    batch_id: string;
    run_occurred_at: Date;
    org_from: string;
    org_to: string;
    source_event_id: string;
    recorded_at: Date;
    resolved_by_run_at: Date | null;
  }>(
    `SELECT f.id, f.batch_id, f.run_occurred_at, f.org_from, f.org_to, f.source_event_id, f.recorded_at,
            (SELECT min(j.run_occurred_at) FROM batch_jobs j
              WHERE j.batch_id = f.batch_id AND j.run_occurred_at > f.run_occurred_at) AS resolved_by_run_at
       FROM failed_batches f
      WHERE ($1::text IS NULL OR f.batch_id = $1::text)
        AND ($2::bigint IS NULL OR f.id > $2::bigint)
      ORDER BY f.id LIMIT $3`,
    [filter.batchId ?? null, filter.after ?? null, filter.limit],
  );
  return rows.map((r) => ({
    failureId: Number(r.id),
    batchId: r.batch_id,
    runOccurredAt: r.run_occurred_at.toISOString(),
    orgRange: { from: r.org_from, to: r.org_to },
    sourceEventId: r.source_event_id,
    recordedAt: r.recorded_at.toISOString(),
    resolvedByRunAt: r.resolved_by_run_at?.toISOString() ?? null,
  }));
}
