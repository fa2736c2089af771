/** Summaries of benchmark samples: median, extremes, quartiles, percentiles. */

/** The value at percentile `p` (0–100) of `sorted`, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The value at quantile `q` (0–1) of `sorted`, linearly interpolated (so a median of two is their mean). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export const sortedCopy = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

export const median = (xs: readonly number[]): number => quantile(sortedCopy(xs), 0.5);

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles. */
  readonly q1: number;
  readonly q3: number;
  readonly runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  const s = sortedCopy(samples);
  return {
    median: quantile(s, 0.5),
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    runs: s.length,
  };
}

/** Events per second of `count` events in `ms` milliseconds. */
export const perSecond = (count: number, ms: number): number => (ms > 0 ? (count * 1000) / ms : 0);
