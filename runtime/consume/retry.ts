/**
 * Backoff between handler attempts, from the subscription's contract policy:
 * `initialIntervalMs × multiplier^(n-1)` after the n-th failure, ±20 % jitter
 * so members of a group do not retry in lock step, never above `maxIntervalMs`.
 */
import type { RetryPolicy } from '../contract/definitions.ts';

export const JITTER = 0.2;

/** Delay after the `failedAttempts`-th failed attempt (1 for the first). `random` returns [0, 1). */
export function backoffDelayMs(
  policy: RetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const base = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** exponent);
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  return Math.max(0, Math.round(Math.min(policy.maxIntervalMs, jittered)));
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
