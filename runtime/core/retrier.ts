/**
 * The runtime's one retry loop: run an attempt, and on failure wait the
 * backoff (core's `backoffMs`) and run it again, until it succeeds, the error
 * is not worth retrying, the attempts or the time window are spent, or the
 * signal aborts. Components take a `Retrier` in their options, so tests can
 * inject one that does not wait and production code shares one policy shape.
 */
import { type Backoff, backoffMs } from './backoff.ts';
import { sleep } from './sleep.ts';

export interface RetryPolicy {
  readonly backoff: Backoff;
  /** Attempts in all, the first included; unbounded when absent. */
  readonly maxAttempts?: number;
  /** Stop retrying once this long has passed since the first attempt started; unbounded when absent. */
  readonly windowMs?: number;
}

export interface RetryHooks {
  /** Aborting ends the loop: the wait returns at once and the last error is rethrown. */
  readonly signal?: AbortSignal;
  /** Whether this failure is worth another attempt (default: every failure is). */
  readonly retryable?: (error: unknown, attempt: number) => boolean;
  /** Told of each failure that will be retried, with the delay before the next attempt. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  /**
   * How to wait (default: core's abortable `sleep`). A consumer passes a wait that
   * heartbeats its group; resolving to `false` ends the loop like an abort.
   */
  readonly wait?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

/** Runs `attempt` (given its 1-based number) under a policy; the last error is rethrown when the loop ends. */
export type Retrier = <T>(attempt: (n: number) => Promise<T>, hooks?: RetryHooks) => Promise<T>;

/** A retrier with one policy; `random` feeds the backoff's jitter (tests pin it). */
export function createRetrier(policy: RetryPolicy, random: () => number = Math.random): Retrier {
  const { maxAttempts = Number.POSITIVE_INFINITY, windowMs = Number.POSITIVE_INFINITY } = policy;
  if (!(maxAttempts >= 1))
    throw new RangeError(`retry policy: maxAttempts must be at least 1, got ${maxAttempts}`);
  if (!(windowMs >= 0)) throw new RangeError(`retry policy: windowMs must not be negative, got ${windowMs}`);
  return async <T>(attempt: (n: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> => {
    const started = Date.now();
    for (let n = 1; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        const elapsed = Date.now() - started;
        const left = windowMs - elapsed;
        if (
          hooks.signal?.aborted ||
          n >= maxAttempts ||
          left <= 0 ||
          (hooks.retryable !== undefined && !hooks.retryable(error, n))
        ) {
          throw error;
        }
        const delay = Math.min(backoffMs(policy.backoff, n, random), left);
        await hooks.onRetry?.(error, n, delay);
        const waited = await (hooks.wait ?? sleep)(delay, hooks.signal);
        if (waited === false || hooks.signal?.aborted) throw error;
      }
    }
  };
}

/** A retrier that never waits (tests): the same loop with every delay 0; a given `wait` is still asked whether to go on. */
export function immediateRetrier(policy: Omit<RetryPolicy, 'backoff'> = {}): Retrier {
  const retrier = createRetrier({ ...policy, backoff: { initialMs: 0, maxMs: 0 } });
  return (attempt, hooks = {}) => retrier(attempt, { ...hooks, wait: hooks.wait ?? (async () => true) });
}
