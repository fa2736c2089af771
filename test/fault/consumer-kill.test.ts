/**
 * A consumer process killed with SIGKILL at the points that matter for a batch
 * transaction: after the batch's effects were committed to PostgreSQL but before
 * its offsets were committed to Kafka; in the middle of the batch transaction; and
 * while a record that failed in the middle of its batch is being retried. After a
 * restart every event has exactly one effect and one claim: no effect without its
 * claim, no claim without its effect.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  committedOffsets,
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  prepareSchema,
  produce,
  registeredRecord,
  runId,
  schemaPool,
  testKafka,
  userEventsTestTopic,
  waitFor,
} from '../integration/consumer-support.ts';
import { useInfrastructure } from '../support/context.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `consumer_kill_${run}`;
const CHILD = path.join(import.meta.dirname, 'consumer-child.ts');

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
const children: ChildProcess[] = [];
const topics: string[] = [];

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-kill-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await producer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, topics);
  await dropSchema(infra.databaseUrl, schema);
});

interface Child {
  readonly process: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

type Mode = 'normal' | 'hang-on-second' | 'fail-then-hang-on-second' | 'hang-before-offset-commit';

/** A topic and a group of the scenario's own, and the two events written to it in one request (one batch). */
async function scenario(label: string) {
  const topic = userEventsTestTopic(`it.consumer.kill.${label}.${run}`, 1);
  topics.push(topic.name, `${topic.name}.dlq`);
  await createTopics(infra.kafkaBrokers, topic);
  const groupId = `it-kill-${label}-${run}`;
  const first = registeredRecord(7001);
  const second = registeredRecord(7002);
  await produce(producer, topic.name, [first, second]);
  const offset = async () => (await committedOffsets(kafka, groupId, topic.name)).get(0);
  const effects = async () =>
    (await effectsOf(pool)).filter((e) => e.event_id === first.id || e.event_id === second.id);
  const claims = async () =>
    (
      await pool.query<{ event_id: string }>(
        'SELECT event_id FROM consumer_processed_events WHERE group_id = $1',
        [groupId],
      )
    ).rows.map((r) => r.event_id);
  const start = (mode: Mode) => startChild(mode, topic.name, groupId);
  /** Restarts a normal member, waits for both events and both offsets, stops it: what it reported. */
  const restart = async () => {
    const restarted = start('normal');
    await waitFor(
      `both events handled after the restart (stderr: ${restarted.stderr()})`,
      async () => (await effects()).length >= 2,
      60_000,
    );
    await waitFor('offsets committed', async () => (await offset()) === 2n);
    restarted.process.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
    return line(restarted, 'stopped');
  };
  /** Exactly one effect and one claim per event. */
  const expectExactlyOnce = async () => {
    const all = await effects();
    expect(all.filter((e) => e.event_id === first.id)).toHaveLength(1);
    expect(all.filter((e) => e.event_id === second.id)).toHaveLength(1);
    expect(all).toHaveLength(2);
    expect((await claims()).sort()).toEqual([first.id, second.id].sort());
  };
  return { first, second, offset, effects, claims, start, restart, expectExactlyOnce };
}

function startChild(mode: Mode, topic: string, groupId: string): Child {
  // process.execPath is the Node 24 that runs vitest: it runs the TypeScript child directly.
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: infra.databaseUrl,
      CHILD_SCHEMA: schema,
      CHILD_TOPIC: topic,
      CHILD_GROUP: groupId,
      CHILD_MODE: mode,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr += `${line}\n`;
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, lines, exited, stderr: () => stderr };
}

const line = (child: Child, key: string) => child.lines.find((l) => key in l);

const kill = async (child: Child) => {
  child.process.kill('SIGKILL');
  expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
};

it("SIGKILL between the batch's database commit and its offset commit: redelivered, no second effect", async () => {
  const s = await scenario('aftercommit');
  const doomed = s.start('hang-before-offset-commit');
  await waitFor(
    `the child hanging after its batch (stderr: ${doomed.stderr()})`,
    () => line(doomed, 'hanging'),
    60_000,
  );
  expect(line(doomed, 'hanging')).toEqual({ hanging: 'offset-commit', records: 2 });
  // Both effects and both claims are committed in PostgreSQL, the offsets are not committed in Kafka.
  expect((await s.effects()).map((e) => e.event_id)).toEqual([s.first.id, s.second.id]);
  expect(await s.offset()).toBe(-1n);

  await kill(doomed);
  expect(await s.offset()).toBe(-1n);
  const report = await s.restart();
  await s.expectExactlyOnce();
  expect(report).toEqual({ stopped: true, handled: 0, duplicate: 2 });
  console.log(
    '[kill after commit] events written 2 in one batch; killed child: effects committed 2, offsets committed none; restarted child: delivered 2, handled 0, duplicates suppressed 2; effects 2, claims 2',
  );
}, 120_000);

it('SIGKILL in the middle of a batch transaction: nothing of it committed, each event handled once after the restart', async () => {
  const s = await scenario('midtx');
  const doomed = s.start('hang-on-second');
  await waitFor(
    `the child hanging in the second handler (stderr: ${doomed.stderr()})`,
    () => line(doomed, 'hanging'),
    60_000,
  );
  expect(line(doomed, 'hanging')).toEqual({ hanging: s.second.id });
  // The first event was handled in the same, still open, transaction: neither its effect nor its claim is visible.
  expect(await s.effects()).toEqual([]);
  expect(await s.claims()).toEqual([]);
  expect(await s.offset()).toBe(-1n);

  await kill(doomed);
  const report = await s.restart();
  await s.expectExactlyOnce();
  expect(report).toEqual({ stopped: true, handled: 2, duplicate: 0 });
  console.log(
    '[kill mid-transaction] events written 2 in one batch; killed child with the first handled and the second in flight: committed effects 0, claims 0; restarted child: handled 2; effects 2, claims 2',
  );
}, 120_000);

it('SIGKILL while a record that failed mid-batch is retried: the records before it stay committed, its claim does not exist', async () => {
  const s = await scenario('retrying');
  const doomed = s.start('fail-then-hang-on-second');
  await waitFor(
    `the child hanging in the second attempt (stderr: ${doomed.stderr()})`,
    () => line(doomed, 'hanging'),
    60_000,
  );
  expect(line(doomed, 'hanging')).toEqual({ hanging: s.second.id });
  // The first event committed with its batch (effect, claim, offset); the second has neither effect nor claim.
  expect((await s.effects()).map((e) => e.event_id)).toEqual([s.first.id]);
  expect(await s.claims()).toEqual([s.first.id]);
  expect(await s.offset()).toBe(1n);

  await kill(doomed);
  const report = await s.restart();
  await s.expectExactlyOnce();
  expect(report).toEqual({ stopped: true, handled: 1, duplicate: 0 });
  console.log(
    '[kill while retrying] events written 2 in one batch; killed child: first committed (effect, claim, offset), second failed once and in flight: no effect, no claim; restarted child: handled 1; effects 2, claims 2',
  );
}, 120_000);
