import { describe, expect, it } from 'vitest';
import { EventuallyTimeoutError, eventually } from './eventually.ts';

describe('eventually', () => {
  it('returns the first value that satisfies the condition', async () => {
    let n = 0;
    expect(
      await eventually(
        async () => ++n,
        (v) => v === 3,
        5_000,
        'three',
        1,
      ),
    ).toBe(3);
  });

  it('throws when the time runs out, with the last value it read', async () => {
    const waiting = eventually(
      async () => ({ replayed: 0 }),
      (v) => v.replayed === 5,
      100,
      'five replayed',
      10,
    );
    await expect(waiting).rejects.toBeInstanceOf(EventuallyTimeoutError);
    await expect(waiting).rejects.toThrow(
      /timed out after \d+ ms \(\d+ reads\) waiting for five replayed: last value: \{ replayed: 0 \}/,
    );
  });

  it('keeps reading through errors, and names the last one when it gives up', async () => {
    let n = 0;
    const error = await eventually(
      async () => {
        n++;
        if (n > 1) throw new Error(`connection refused (read ${n})`);
        return 'partial';
      },
      (v) => v === 'complete',
      100,
      'the service',
      10,
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EventuallyTimeoutError);
    expect((error as Error).message).toMatch(
      /last value: 'partial'; the last read threw: connection refused \(read \d+\)/,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('recovers when a read fails and a later one succeeds', async () => {
    let n = 0;
    const value = await eventually(
      async () => {
        if (++n < 3) throw new Error('not yet');
        return n;
      },
      (v) => v >= 3,
      5_000,
      'a value',
      1,
    );
    expect(value).toBe(3);
  });
});
