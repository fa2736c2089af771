/**
 * The batch-status read model: `batch_status`, the latest run of each DW
 * batch. A rerun keeps its batchId; a DwBatchCompleted replaces the row only
 * when its run is later — by occurredAt, then by the event's ce_time — so an
 * older run delivered late, a redelivery or a replay changes nothing.
 */
import type pg from 'pg';
import type { DwBatchCompleted } from '../../generated/index.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export type BatchStatus = DwBatchCompleted['status'];

export interface BatchView {
  readonly batchId: string;
  readonly orgRange: { readonly from: string; readonly to: string };
  readonly status: BatchStatus;
  readonly occurredAt: string;
  readonly updatedAt: string;
}

interface Row {
  batch_id: string;
  org_from: string;
  org_to: string;
  status: BatchStatus;
  occurred_at: Date;
  updated_at: Date;
}

const COLUMNS = 'batch_id, org_from, org_to, status, occurred_at, updated_at';

function view(row: Row): BatchView {
  return {
    batchId: row.batch_id,
    orgRange: { from: row.org_from, to: row.org_to },
    status: row.status,
    occurredAt: row.occurred_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Stores the run unless a later one (occurredAt, then ce_time) is already held; returns whether it did. */
export async function applyBatchCompleted(
  db: Queryable,
  event: { readonly id: string; readonly time: string; readonly payload: DwBatchCompleted },
): Promise<boolean> {
  const p = event.payload;
  const { rowCount } = await db.query(
    `INSERT INTO batch_status (batch_id, org_from, org_to, status, occurred_at, event_time, event_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
     ON CONFLICT (batch_id) DO UPDATE SET
       org_from = EXCLUDED.org_from,
       org_to = EXCLUDED.org_to,
       status = EXCLUDED.status,
       occurred_at = EXCLUDED.occurred_at,
       event_time = EXCLUDED.event_time,
       event_id = EXCLUDED.event_id,
       updated_at = EXCLUDED.updated_at
     WHERE (batch_status.occurred_at, batch_status.event_time) < (EXCLUDED.occurred_at, EXCLUDED.event_time)`,
    [p.batchId, p.orgRange.from, p.orgRange.to, p.status, p.occurredAt, event.time, event.id],
  );
  return rowCount === 1;
}

export async function batch(db: Queryable, batchId: string): Promise<BatchView | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM batch_status WHERE batch_id = $1`, [batchId]);
  return rows[0] ? view(rows[0]) : undefined;
}

export interface BatchFilter {
  readonly status?: BatchStatus | undefined;
  /** Only batches whose orgRange covers this code (from ≤ code ≤ to, byte order). */
  readonly orgCode?: string | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

/** One page in batch id order (byte order). */
export async function batchesPage(db: Queryable, filter: BatchFilter): Promise<BatchView[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM batch_status
      WHERE ($1::text IS NULL OR status = $1::text)
        AND ($2::text IS NULL OR (org_from <= $2::text COLLATE "C" AND org_to >= $2::text COLLATE "C"))
        AND ($3::text IS NULL OR batch_id > $3::text)
      ORDER BY batch_id LIMIT $4`,
    [filter.status ?? null, filter.orgCode ?? null, filter.after ?? null, filter.limit],
  );
  return rows.map(view);
}
