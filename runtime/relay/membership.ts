/**
 * Lane membership on a worker's session (the planning is lanes.ts'): join as
 * a member (the shared member lock), and rebalance: read who holds what from
 * pg_locks, release the lanes above this worker's share, try the free ones
 * below it.
 */
import type pg from 'pg';
import { LANES, MEMBER_LOCK_KEY, planLanes } from './lanes.ts';
import type { RelayStatements } from './statements.ts';

export interface Rebalanced {
  /** The lanes this session holds now, ascending. */
  readonly lanes: number[];
  readonly members: number;
  readonly target: number;
  readonly released: number;
  readonly acquired: number;
  /** Fewer lanes than the share because another member took some first: look again soon. */
  readonly short: boolean;
}

/** Joins the session as a member of the relay of `lockClass`; returns its backend pid. */
export async function joinMembers(
  client: pg.ClientBase,
  sql: RelayStatements,
  lockClass: number,
): Promise<number> {
  const { rows } = await client.query<{ pid: number }>(sql.join, [lockClass, MEMBER_LOCK_KEY]);
  return rows[0]!.pid;
}

/** One rebalance of the session `pid` (see the module comment). */
export async function rebalanceLanes(
  client: pg.ClientBase,
  sql: RelayStatements,
  lockClass: number,
  pid: number,
): Promise<Rebalanced> {
  const { rows } = await client.query<{ key: string; pid: number }>(sql.members, [lockClass]);
  const members = new Set<number>();
  const heldByOthers = new Set<number>();
  const mine: number[] = [];
  for (const row of rows) {
    const key = Number(row.key);
    if (key === MEMBER_LOCK_KEY) members.add(row.pid);
    else if (key >= 0 && key < LANES) {
      if (row.pid === pid) mine.push(key);
      else heldByOthers.add(key);
    }
  }
  // Each member starts looking at its own slice (rank × share), so members that
  // rebalance at the same moment do not all reach for the same free lanes.
  const rank = [...members].sort((a, b) => a - b).indexOf(pid);
  const plan = planLanes({
    lanes: LANES,
    members: members.size,
    mine,
    heldByOthers,
    start: Math.max(0, rank) * Math.ceil(LANES / Math.max(1, members.size)),
  });
  if (plan.release.length > 0) await client.query(sql.release, [lockClass, plan.release]);
  let acquired: number[] = [];
  if (plan.acquire.length > 0) {
    acquired = (await client.query<{ lane: number }>(sql.acquire, [lockClass, plan.acquire])).rows.map(
      (r) => r.lane,
    );
  }
  const released = new Set(plan.release);
  return {
    lanes: [...mine.filter((l) => !released.has(l)), ...acquired].sort((a, b) => a - b),
    members: members.size,
    target: plan.target,
    released: plan.release.length,
    acquired: acquired.length,
    short: acquired.length < plan.acquire.length,
  };
}
