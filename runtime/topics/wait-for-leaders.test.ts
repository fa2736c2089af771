import { describe, expect, it } from 'vitest';
import { waitForLeaders } from './wait-for-leaders.ts';

describe('waitForLeaders', () => {
  it('returns once every partition has a leader, retrying metadata errors meanwhile', async () => {
    const answers: (readonly number[] | Error)[] = [new Error('LEADER_NOT_AVAILABLE'), [1, -1, 1], [1, 1, 1]];
    let calls = 0;
    await waitForLeaders('t', 3, {
      leaders: async () => {
        const answer = answers[calls++]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      describe: (err) => String(err),
    });
    expect(calls).toBe(3);
  });

  it('throws a fatal metadata error at once, and names the last state when time runs out', async () => {
    await expect(
      waitForLeaders('t', 2, {
        leaders: async () => {
          throw new Error('TOPIC_AUTHORIZATION_FAILED');
        },
        describe: (err) => (err as Error).message,
        fatal: () => true,
      }),
    ).rejects.toThrow('topic t was created but its metadata cannot be read: TOPIC_AUTHORIZATION_FAILED');
    await expect(
      waitForLeaders('t', 2, { leaders: async () => [0], describe: String, timeoutMs: 50 }),
    ).rejects.toThrow(
      'topic t was created but not every partition had a leader within 50 ms (1 of 2 partitions have a leader)',
    );
  });
});
