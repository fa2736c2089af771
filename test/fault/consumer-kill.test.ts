/**
 * A consumer process killed with SIGKILL after an event's effect was committed
 * to PostgreSQL but before its offset was committed to Kafka: after a restart
 * the event is delivered again and has no second effect.
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
const topic = userEventsTestTopic(`it.consumer.kill.${run}`, 1);
const groupId = `it-kill-${run}`;
const CHILD = path.join(import.meta.dirname, 'consumer-child.ts');

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-kill-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  await createTopics(infra.kafkaBrokers, topic);
  producer = await connectProducer(kafka);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await producer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, [topic.name, `${topic.name}.dlq`]);
  await dropSchema(infra.databaseUrl, schema);
});

interface Child {
  readonly process: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

function startChild(mode: 'hang-on-second' | 'normal'): Child {
  // process.execPath is the Node 24 that runs vitest: it runs the TypeScript child directly.
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: infra.databaseUrl,
      CHILD_SCHEMA: schema,
      CHILD_TOPIC: topic.name,
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

it('SIGKILL between the database commit and the offset commit: redelivered, no second effect', async () => {
  const first = registeredRecord(7001);
  const second = registeredRecord(7002);
  await produce(producer, topic.name, [first, second]); // one request: one batch for the consumer

  const doomed = startChild('hang-on-second');
  await waitFor(
    `the child hanging in the second handler (stderr: ${doomed.stderr()})`,
    () => line(doomed, 'hanging'),
    60_000,
  );
  expect(line(doomed, 'hanging')).toEqual({ hanging: second.id });
  // The first event's effect is committed in PostgreSQL...
  await waitFor('the first effect committed', async () =>
    (await effectsOf(pool)).some((e) => e.event_id === first.id),
  );
  // ...and its offset is not committed in Kafka.
  expect((await committedOffsets(kafka, groupId, topic.name)).get(0)).toBe(-1n);

  doomed.process.kill('SIGKILL');
  expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect((await committedOffsets(kafka, groupId, topic.name)).get(0)).toBe(-1n);

  const restarted = startChild('normal');
  await waitFor(
    `the second event handled after the restart (stderr: ${restarted.stderr()})`,
    async () => (await effectsOf(pool)).some((e) => e.event_id === second.id),
    60_000,
  );
  await waitFor(
    'offsets committed',
    async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === 2n,
  );
  restarted.process.kill('SIGTERM');
  expect((await restarted.exited).code).toBe(0);
  const report = line(restarted, 'stopped');

  const effects = await effectsOf(pool);
  expect(effects.filter((e) => e.event_id === first.id)).toHaveLength(1);
  expect(effects.filter((e) => e.event_id === second.id)).toHaveLength(1);
  expect(effects).toHaveLength(2);
  expect(report).toEqual({ stopped: true, handled: 1, duplicate: 1 });
  const processed = await pool.query('SELECT event_id FROM consumer_processed_events WHERE group_id = $1', [
    groupId,
  ]);
  expect(processed.rowCount).toBe(2);
  console.log(
    `[kill] events written 2; killed child: effects committed 1, offsets committed none; restarted child: delivered 2, handled 1, duplicates suppressed 1; effects in the table 2 (one per event)`,
  );
}, 120_000);
