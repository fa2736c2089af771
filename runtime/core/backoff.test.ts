import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.ts';
import { sleep } from './sleep.ts';

describe('backoffMs', () => {
  it.each<[string, { failures: number; want: number }]>([
    ['nothing before a failure', { failures: 0, want: 0 }],
    ['the initial delay after the first', { failures: 1, want: 100 }],
    ['doubling', { failures: 3, want: 400 }],
    ['capped', { failures: 10, want: 1000 }],
    ['capped without overflow', { failures: 5000, want: 1000 }],
  ])('%s', (_name, { failures, want }) => {
    expect(backoffMs({ initialMs: 100, maxMs: 1000 }, failures)).toBe(want);
  });

  it('jitters either side of the delay and never past the cap', () => {
    const policy = { initialMs: 100, multiplier: 3, maxMs: 250, jitter: 0.2 };
    expect(backoffMs(policy, 2, () => 0)).toBe(200);
    expect(backoffMs(policy, 2, () => 0.999)).toBe(250);
    expect(backoffMs(policy, 1, () => 0.5)).toBe(100);
  });
});

describe('sleep', () => {
  it('ends at once when its signal aborts, and never rejects', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, abort.signal);
    abort.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
    await sleep(10_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
