/**
 * The runtime's one backoff: `initialMs × multiplier^(n-1)` after the n-th
 * failure, never above `maxMs`, with optional ±`jitter` so that members of a
 * group or instances of a relay do not retry in lock step. Used by handler
 * retries (the contract's policy), the relay's row back-off, and the Kafka
 * adapters' reconnect and resubscribe loops.
 */
export interface Backoff {
  readonly initialMs: number;
  /** Growth per failure; 2 when absent. */
  readonly multiplier?: number;
  readonly maxMs: number;
  /** Fraction of the delay drawn at random either side (0.2: ±20 %); none when absent. */
  readonly jitter?: number;
}

/** Delay after the `failures`-th failure (1 for the first); 0 before any. `random` returns [0, 1). */
export function backoffMs(backoff: Backoff, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const base = Math.min(backoff.maxMs, backoff.initialMs * (backoff.multiplier ?? 2) ** (failures - 1));
  const jitter = backoff.jitter ?? 0;
  if (jitter === 0) return base;
  const jittered = base * (1 - jitter + 2 * jitter * random());
  return Math.max(0, Math.round(Math.min(backoff.maxMs, jittered)));
}
