/**
 * The consumer's retry policies, for core's one retrier (runtime/core/retrier.ts):
 *
 * - handler retries, from the subscription's contract policy: `maxAttempts` in all,
 *   `initialIntervalMs × multiplier^(n-1)` after the n-th failure, ±20 % jitter so
 *   members of a group do not retry in lock step, never above `maxIntervalMs`;
 * - infrastructure waits (PostgreSQL unreachable, dead-letter topic not writable):
 *   never give up, 500 ms doubling to 30 s, same jitter.
 *
 * Every wait heartbeats the group (`heartbeatingWait`), so a long backoff does not
 * cost the partition, and ends as soon as the consumer stops.
 */
import type { RetryPolicy as ContractRetryPolicy } from '../contract/definitions.ts';
import { backoffMs } from '../core/backoff.ts';
import { createRetrier, type Retrier, type RetryPolicy } from '../core/retrier.ts';
import { sleep } from '../core/sleep.ts';

export const JITTER = 0.2;

/** Makes the retrier of one policy: `createRetrier` by default; tests pass `immediateRetrier`. */
export type RetrierFactory = (policy: RetryPolicy) => Retrier;

/** The retrier factory of production code; `random` feeds the jitter. */
export function defaultRetrierFactory(random?: () => number): RetrierFactory {
  return (policy) => createRetrier(policy, random);
}

/** A subscription's contract policy as a retrier policy. */
export function handlerRetryPolicy(policy: ContractRetryPolicy): RetryPolicy {
  return {
    maxAttempts: policy.maxAttempts,
    backoff: {
      initialMs: policy.initialIntervalMs,
      multiplier: policy.multiplier,
      maxMs: policy.maxIntervalMs,
      jitter: JITTER,
    },
  };
}

/** Delay after the `failedAttempts`-th failed attempt (1 for the first) under a contract policy. `random` returns [0, 1). */
export function backoffDelayMs(
  policy: ContractRetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  return backoffMs(handlerRetryPolicy(policy).backoff, Math.max(1, failedAttempts), random);
}

/** Waiting for the infrastructure itself: never gives up, grows to 30 s. */
export const INFRASTRUCTURE_RETRY: RetryPolicy = {
  backoff: { initialMs: 500, multiplier: 2, maxMs: 30_000, jitter: JITTER },
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

/** The retrier's `wait` for a consumer: `waitActive` on the batch's scope. */
export function heartbeatingWait(scope: WaitScope, signal: AbortSignal): (ms: number) => Promise<boolean> {
  return (ms) => waitActive(ms, scope, signal);
}

/** Thrown inside a retried step when the consumer stopped or the partition went stale: ends the loop, not retried. */
export class Interrupted extends Error {
  constructor() {
    super('consumer stopping or partition revoked');
    this.name = 'Interrupted';
  }
}

/** The shared instance (no stack needed: it never leaves the runtime). */
export const INTERRUPTED = new Interrupted();

/** What a step retried by `whileInfrastructureFails` throws for a failure of the infrastructure (retried). */
export class InfrastructureFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * Runs `step` until it does not throw an `InfrastructureFailure`, waiting the
 * infrastructure policy (heartbeating) between tries; `interrupted` as soon as
 * the consumer stops or the partition goes stale. Any other error (a heartbeat
 * reporting a rebalance) propagates.
 */
export async function whileInfrastructureFails<T>(
  retrier: Retrier,
  scope: WaitScope,
  signal: AbortSignal,
  step: () => Promise<T>,
  onRetry: (error: unknown, delayMs: number) => void,
): Promise<T | 'interrupted'> {
  try {
    return await retrier(
      async () => {
        if (!scope.isActive()) throw INTERRUPTED;
        return step();
      },
      {
        signal,
        wait: heartbeatingWait(scope, signal),
        retryable: (error) => error instanceof InfrastructureFailure,
        onRetry: (error, _attempt, delayMs) => onRetry((error as InfrastructureFailure).error, delayMs),
      },
    );
  } catch (error) {
    // The policy never gives up: the loop ended because the consumer stopped or the partition went stale.
    if (error === INTERRUPTED || error instanceof InfrastructureFailure) return 'interrupted';
    throw error;
  }
}
