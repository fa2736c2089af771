/**
 * The policy bundle applications the read-model-worker saw
 * (`bundle_applications`), and which of them is in force: the last with
 * effectiveAt ≤ now in (effectiveAt, occurredAt, gitHash) order — the rule
 * of ../dw-gateway/bundle-schedule.ts, evaluated in SQL.
 */
import type pg from 'pg';
import type { PolicyBundleApplied } from '../../generated/index.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface BundleApplicationView {
  readonly gitHash: string;
  readonly effectiveAt: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
}

export interface BundleView {
  readonly bundleId: string;
  readonly inForce: BundleApplicationView | null;
  /** Every application seen, in (effectiveAt, occurredAt, gitHash) order. */
  readonly applications: readonly BundleApplicationView[];
}

interface Row {
  git_hash: string;
  effective_at: Date;
  occurred_at: Date;
  received_at: Date;
  in_force: boolean;
}

/** Records the application once, whatever event id carries it. */
export async function recordBundleApplication(
  db: Queryable,
  event: { readonly id: string; readonly payload: PolicyBundleApplied },
): Promise<void> {
  const p = event.payload;
  await db.query(
    `INSERT INTO bundle_applications (bundle_id, git_hash, effective_at, occurred_at, event_id)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [p.bundleId, p.gitHash, p.effectiveAt, p.occurredAt, event.id],
  );
}

export async function bundle(db: Queryable, bundleId: string): Promise<BundleView | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT git_hash, effective_at, occurred_at, received_at,
            (effective_at, occurred_at, git_hash) = (
              SELECT effective_at, occurred_at, git_hash FROM bundle_applications
               WHERE bundle_id = $1 AND effective_at <= clock_timestamp()
               ORDER BY effective_at DESC, occurred_at DESC, git_hash DESC LIMIT 1
            ) IS TRUE AS in_force
       FROM bundle_applications WHERE bundle_id = $1
      ORDER BY effective_at, occurred_at, git_hash`,
    [bundleId],
  );
  if (rows.length === 0) return undefined;
  const applications = rows.map((r) => ({
    gitHash: r.git_hash,
    effectiveAt: r.effective_at.toISOString(),
    occurredAt: r.occurred_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
  }));
  const current = rows.findIndex((r) => r.in_force);
  return { bundleId, inForce: current >= 0 ? applications[current]! : null, applications };
}
