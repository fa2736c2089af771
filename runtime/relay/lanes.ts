/**
 * Lanes: how several relay workers share the outbox without ever publishing
 * one key from two places at once. Pure planning; membership.ts runs it on a worker's session.
 *
 * Every outbox row carries `lane` = first byte of md5(topic || ' ' || key)
 * mod 64 (a generated column), so all rows of a key are in one lane. A worker
 * publishes a lane only while it holds the session-level advisory lock
 * (namespace, lane) on its own PostgreSQL connection. Workers also hold a
 * shared "member" lock, so each can count the live workers in pg_locks and
 * aim at its fair share, ceil(64 / members): it releases lanes above its share
 * (between batches, never with a batch in flight) and takes free lanes below
 * it. A worker that dies loses its connection, PostgreSQL drops its locks, and
 * the others pick its lanes up at their next rebalance.
 */
import { createHash } from 'node:crypto';

/** Lanes in the outbox; fixed by the `lane` column's definition (& 63). */
export const LANES = 64;

/** Second advisory-lock key of the shared member lock (lanes use 0..63). */
export const MEMBER_LOCK_KEY = 1_000_000;

export interface LanePlanInput {
  readonly lanes: number;
  /** Live workers, this one included. */
  readonly members: number;
  /** Lanes this worker holds. */
  readonly mine: readonly number[];
  /** Lanes other workers hold. */
  readonly heldByOthers: ReadonlySet<number>;
  /** Where to start looking for free lanes (spreads workers that rebalance at the same moment). */
  readonly start?: number;
}

export interface LanePlan {
  readonly target: number;
  readonly release: number[];
  /** Free lanes to try, in order; as many as the share is short. */
  readonly acquire: number[];
}

export function planLanes(input: LanePlanInput): LanePlan {
  const target = Math.ceil(input.lanes / Math.max(1, input.members));
  const mine = [...input.mine].sort((a, b) => a - b);
  if (mine.length > target) return { target, release: mine.slice(target), acquire: [] };
  const want = target - mine.length;
  const owned = new Set(mine);
  const acquire: number[] = [];
  const start = (((input.start ?? 0) % input.lanes) + input.lanes) % input.lanes;
  for (let i = 0; i < input.lanes && acquire.length < want; i++) {
    const lane = (start + i) % input.lanes;
    if (!owned.has(lane) && !input.heldByOthers.has(lane)) acquire.push(lane);
  }
  return { target, release: [], acquire };
}

/** The lane of a key (of the event id, for a keyless event), as the outbox's generated column computes it. */
export function laneOf(topic: string, key: string | null, eventId?: string): number {
  return (
    createHash('md5')
      .update(`${topic} ${key ?? eventId ?? ''}`, 'utf8')
      .digest()[0]! &
    (LANES - 1)
  );
}
