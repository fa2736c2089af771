import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../contract/definitions.ts';
import { backoffDelayMs } from './retry.ts';

const contractDefault: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 200,
  multiplier: 2,
  maxIntervalMs: 5000,
};

describe('backoffDelayMs', () => {
  const cases: [string, { failed: number; random: number; want: number }][] = [
    ['first failure, no jitter (random 0.5)', { failed: 1, random: 0.5, want: 200 }],
    ['second failure doubles', { failed: 2, random: 0.5, want: 400 }],
    ['fifth failure', { failed: 5, random: 0.5, want: 3200 }],
    ['capped at maxIntervalMs', { failed: 6, random: 0.5, want: 5000 }],
    ['far beyond the cap', { failed: 40, random: 0.5, want: 5000 }],
    ['lowest jitter is -20 %', { failed: 1, random: 0, want: 160 }],
    ['highest jitter is +20 %', { failed: 1, random: 0.999999, want: 240 }],
    ['jitter never exceeds the cap', { failed: 10, random: 0.999999, want: 5000 }],
    ['jitter goes below the cap', { failed: 10, random: 0, want: 4000 }],
  ];
  it.each(cases)('%s', (_name, { failed, random, want }) => {
    expect(backoffDelayMs(contractDefault, failed, () => random)).toBe(want);
  });

  it('grows monotonically without jitter until the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(contractDefault, n, () => 0.5));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});
