/**
 * The latency benchmark's writer, in a process of its own as a service's would
 * be: events written to an outbox, one PostgreSQL transaction each, paced by
 * `writers` transactions in flight. Started with `fork` and a JSON
 * `LatencyWriterTask` in argv[2]; for each `{ rate, count, from }` it is sent,
 * it writes `count` events at `rate` per second and answers with the moment each COMMIT
 * returned (`wallClockMs`, harness/child.ts: the clock the
 * consumer's side reads too) and the rate it achieved; `exit` ends it.
 */

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { writeToOutbox } from '../../runtime/outbox/write.ts';
import { wallClockMs } from '../harness/child.ts';
import { sleep } from '../harness/resources.ts';
import { consumeFixture } from './consume.ts';

export interface LatencyWriterTask {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly topic: string;
  readonly partitions: number;
  readonly writers: number;
}

export interface LatencyWriterPhase {
  /** Events per second. */
  readonly rate: number;
  readonly count: number;
  /** The first user id of the phase (ids stay distinct across phases). */
  readonly from: number;
}

export interface LatencyWriterReport {
  /** `[event id, commit time]` per event, in commit order. */
  readonly commits: readonly (readonly [string, number])[];
  /** Commits per second the writer achieved. */
  readonly achieved: number;
}

const task = JSON.parse(process.argv[2] ?? '{}') as LatencyWriterTask;
const { topic } = consumeFixture(task.topic, task.partitions);
const pool = new pg.Pool({ connectionString: task.databaseUrl, max: task.writers });
const example = { email: 'user@example.com', display_name: 'user', timestamp: '2026-01-27T09:30:00Z' };

async function write(userId: number, commits: (readonly [string, number])[]): Promise<void> {
  const id = randomUUID();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await writeToOutbox(
      client,
      topic,
      [{ id, type: 'UserRegistered', payload: { ...example, user_id: userId, username: `user${userId}` } }],
      { schema: task.schema },
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  commits.push([id, wallClockMs()]);
}

async function paced({ rate, count, from }: LatencyWriterPhase): Promise<LatencyWriterReport> {
  const commits: (readonly [string, number])[] = [];
  const started = wallClockMs();
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < count; i = next++) {
      const wait = started + (i * 1000) / rate - wallClockMs();
      if (wait > 0) await sleep(wait);
      await write(from + i + 1, commits);
    }
  };
  await Promise.all(Array.from({ length: task.writers }, writer));
  return { commits, achieved: (count * 1000) / (wallClockMs() - started) };
}

process.on('message', (message: LatencyWriterPhase | 'exit') => {
  if (message === 'exit') {
    void pool.end().finally(() => process.exit(0));
    return;
  }
  paced(message).then(
    (report) => process.send?.({ ok: true, report }),
    (err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.send?.({ ready: true });
