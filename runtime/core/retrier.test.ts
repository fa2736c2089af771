import { describe, expect, it } from 'vitest';
import { createRetrier, immediateRetrier } from './retrier.ts';

const fails = (times: number) => {
  let calls = 0;
  return async (n: number) => {
    calls++;
    if (calls <= times) throw new Error(`failure ${n}`);
    return `ok after ${n}`;
  };
};

describe('createRetrier', () => {
  it('retries until the attempt succeeds, waiting the backoff between attempts', async () => {
    const waits: number[] = [];
    const retry = createRetrier({ backoff: { initialMs: 10, maxMs: 35 } });
    const result = await retry(fails(3), {
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toBe('ok after 4');
    expect(waits).toEqual([10, 20, 35]);
  });

  it('rethrows the last error once the attempts are spent', async () => {
    const retry = createRetrier({ backoff: { initialMs: 1, maxMs: 1 }, maxAttempts: 2 });
    await expect(retry(fails(5))).rejects.toThrow('failure 2');
  });

  it('does not retry what `retryable` refuses, and tells `onRetry` of what it does retry', async () => {
    const retried: number[] = [];
    const retry = immediateRetrier();
    const attempt = async (n: number) => {
      throw new Error(n < 3 ? 'transient' : 'fatal');
    };
    await expect(
      retry(attempt, {
        retryable: (error) => (error as Error).message === 'transient',
        onRetry: (_error, n) => {
          retried.push(n);
        },
      }),
    ).rejects.toThrow('fatal');
    expect(retried).toEqual([1, 2]);
  });

  it('never waits past the window, and stops when it is spent', async () => {
    const waits: number[] = [];
    const retry = createRetrier({ backoff: { initialMs: 1000, maxMs: 1000 }, windowMs: 30 });
    await expect(
      retry(
        async () => {
          throw new Error('down');
        },
        {
          wait: async (ms) => {
            waits.push(ms);
            await new Promise((r) => setTimeout(r, ms));
          },
        },
      ),
    ).rejects.toThrow('down');
    expect(waits.length).toBeGreaterThanOrEqual(1);
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(30);
  });

  it('ends at once when the signal aborts or the wait says stop', async () => {
    const controller = new AbortController();
    const retry = createRetrier({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const started = Date.now();
    const pending = retry(
      async () => {
        throw new Error('still down');
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow('still down');
    expect(Date.now() - started).toBeLessThan(5_000);

    let attempts = 0;
    await expect(
      immediateRetrier()(
        async () => {
          attempts++;
          throw new Error('stop me');
        },
        { wait: async () => false },
      ),
    ).rejects.toThrow('stop me');
    expect(attempts).toBe(1);
  });

  it('refuses a policy without a first attempt', () => {
    expect(() => createRetrier({ backoff: { initialMs: 1, maxMs: 1 }, maxAttempts: 0 })).toThrow(
      /maxAttempts must be at least 1/,
    );
  });
});
