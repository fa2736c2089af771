import { sleep } from '../core/sleep.ts';

export interface LeaderProbe {
  /** The leader of each partition of the topic the metadata has now (negative: none yet). */
  readonly leaders: () => Promise<readonly number[]>;
  /** The metadata error as a line of the timeout message. */
  readonly describe: (err: unknown) => string;
  /** A metadata error not worth waiting out (thrown at once); default none. */
  readonly fatal?: (err: unknown) => boolean;
  /** Default 60 s. */
  readonly timeoutMs?: number;
}

/**
 * After creating `topic`: polls its metadata every 200 ms until all `partitions` have a leader,
 * so the first produce or subscribe does not meet a leaderless partition. The one wait both
 * topic admins share.
 */
export async function waitForLeaders(topic: string, partitions: number, probe: LeaderProbe): Promise<void> {
  const timeoutMs = probe.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const leaders = await probe.leaders();
      const led = leaders.filter((leader) => leader >= 0).length;
      if (leaders.length >= partitions && led === leaders.length) return;
      last = `${led} of ${partitions} partitions have a leader`;
    } catch (err) {
      if (probe.fatal?.(err)) {
        throw new Error(
          `topic ${topic} was created but its metadata cannot be read: ${probe.describe(err)}`,
          {
            cause: err,
          },
        );
      }
      last = probe.describe(err);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topic ${topic} was created but not every partition had a leader within ${timeoutMs} ms (${last})`,
      );
    }
    await sleep(200);
  }
}
