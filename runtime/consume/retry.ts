/**
 * Backoff between handler attempts, from the subscription's contract policy:
 * `initialIntervalMs × multiplier^(n-1)` after the n-th failure, ±20 % jitter
 * so members of a group do not retry in lock step, never above `maxIntervalMs`.
 */
import type { RetryPolicy } from '../contract/definitions.ts';
import { backoffMs } from '../core/backoff.ts';
import { sleep } from '../core/sleep.ts';

export const JITTER = 0.2;

/** Delay after the `failedAttempts`-th failed attempt (1 for the first). `random` returns [0, 1). */
export function backoffDelayMs(
  policy: RetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const backoff = {
    initialMs: policy.initialIntervalMs,
    multiplier: policy.multiplier,
    maxMs: policy.maxIntervalMs,
    jitter: JITTER,
  };
  return backoffMs(backoff, Math.max(1, failedAttempts), random);
}

/**
 * Waiting for the infrastructure itself (PostgreSQL unreachable, dead-letter
 * topic not writable): never gives up, grows to 30 s.
 */
export const INFRASTRUCTURE_RETRY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialIntervalMs: 500,
  multiplier: 2,
  maxIntervalMs: 30_000,
};

export interface WaitScope {
  isActive(): boolean;
  heartbeat(): Promise<void>;
}

/**
 * Sleeps `ms` in slices, heartbeating the group between slices so a long
 * backoff does not cost the partition. Returns false as soon as the scope
 * stops being active (consumer stopping): the caller then leaves the record
 * unacknowledged. A heartbeat that reports a rebalance rejects.
 */
export async function waitActive(
  ms: number,
  scope: WaitScope,
  signal: AbortSignal,
  sliceMs = 500,
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (!scope.isActive() || signal.aborted) return false;
    const left = until - Date.now();
    if (left <= 0) return true;
    await sleep(Math.min(left, sliceMs), signal);
    if (!scope.isActive() || signal.aborted) return false;
    await scope.heartbeat();
  }
}
