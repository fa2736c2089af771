/**
 * Polls until a condition holds, and fails when it does not in time: a test
 * waiting for something that never happens must fail, not go on with a value
 * that does not satisfy it.
 */
import { inspect } from 'node:util';

export class EventuallyTimeoutError extends Error {
  override readonly name = 'EventuallyTimeoutError';
}

const describeValue = (value: unknown): string =>
  inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 2_000 });

/**
 * Calls `read` every `intervalMs` until `done(value)` is true and returns that
 * value. A `read` that throws is tried again. After `timeoutMs` it throws an
 * `EventuallyTimeoutError` naming `what`, the last value read and, when the
 * last read threw, that error (also its `cause`).
 */
export async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  what = 'the condition',
  intervalMs = 200,
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let reads = 0;
  let last: { value: T } | undefined;
  let lastError: unknown;
  let failedLast = false;
  for (;;) {
    reads++;
    try {
      const value = await read();
      if (done(value)) return value;
      last = { value };
      failedLast = false;
    } catch (err) {
      lastError = err;
      failedLast = true;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
  const seen = last ? `last value: ${describeValue(last.value)}` : 'no value was read';
  const error = failedLast
    ? `; the last read threw: ${lastError instanceof Error ? lastError.message : describeValue(lastError)}`
    : '';
  throw new EventuallyTimeoutError(
    `timed out after ${Date.now() - started} ms (${reads} reads) waiting for ${what}: ${seen}${error}`,
    failedLast ? { cause: lastError } : undefined,
  );
}
