/**
 * `npm run dlq` on the real broker and PostgreSQL: a handler fails every attempt, its records are
 * dead-lettered; the handler is fixed; a replay makes the effect happen exactly once; a second
 * replay is refused, and a forced one is suppressed by the consumer's idempotency; a discarded
 * record is not replayed; an unfinished replay (ledger says `replaying`) is completed; list counts
 * are exact; reading commits no offsets and leaves no group behind; bad input exits 2 without a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import { runDlqCli } from '../../runtime/dead-letters/cli.ts';
import type { ActionReport, TopicSummary } from '../../runtime/dead-letters/dead-letters.ts';
import { Ledger } from '../../runtime/dead-letters/ledger.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  metricSum,
  prepareSchema,
  produce,
  recordEffect,
  recordingLogger,
  registeredGroup,
  registeredRecord,
  runId,
  schemaPool,
  testKafka,
  topicEnd,
  userEventsTestTopic,
  waitFor,
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `dlq_replay_it_${run}`;
const ledgerSchema = `dlq_ledger_it_${run}`;
const topic = userEventsTestTopic(`it.dlq.replay.${run}`, 3);
const dlq = `${topic.name}.dlq`;
const groupId = `it-dlq-replay-${run}`;

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
let runtime: ConsumerRuntime;

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  DATABASE_URL: infra.databaseUrl,
  DLQ_LEDGER_SCHEMA: ledgerSchema,
  USER: 'alice',
});

/** Runs the CLI in this process, as `npm run dlq -- …` would. */
async function dlqCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDlqCli(argv, env(), { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function dlqJson<T>(...argv: string[]): Promise<T> {
  const result = await dlqCli(...argv, '--json');
  if (result.code !== 0) throw new Error(`dlq ${argv.join(' ')} exited ${result.code}: ${result.err}`);
  return JSON.parse(result.out) as T;
}

/** The real script, through npm, as the runbook runs it. */
function npmDlq(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'dlq', '--', ...argv], { env: env(), stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

const a = registeredRecord(8001, { partition: 0 });
const b = registeredRecord(8002, { partition: 1 });
const c = registeredRecord(8003, { partition: 0 });
const ok = registeredRecord(8004, { partition: 2 });
const doomed = new Set([a.id, b.id, c.id]);
let broken = true;

const effectCount = async (id: string) =>
  (await effectsOf(pool)).filter((e) => e.event_id === id && e.member === groupId).length;

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `dlq-replay-it-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
  await createTopics(infra.kafkaBrokers, topic);
  runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger: recordingLogger(),
  });
  const consumer = runtime.create(
    registeredGroup(groupId, topic),
    {
      userEvents: {
        UserRegistered: async (event: Registered, { db }) => {
          if (broken && doomed.has(event.id))
            throw new TypeError(`profile store rejected ${event.payload.user_id}`);
          await recordEffect(db, event.id, groupId);
        },
      },
    },
    { groupId },
  );
  await consumer.ready;
  await produce(producer, topic.name, [a, b, c, ok]);
  await waitFor('three dead letters', async () => (await topicEnd(kafka, dlq)) === 3n || undefined, 60_000);
  await waitFor('the good record handled', async () => (await effectCount(ok.id)) === 1 || undefined);
});

afterAll(async () => {
  await runtime?.stopAll();
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, [topic.name, dlq]);
  await dropSchema(infra.databaseUrl, schema);
  await dropSchema(infra.databaseUrl, ledgerSchema);
});

describe('npm run dlq on a real broker and PostgreSQL', () => {
  it('lists, shows, replays once, refuses a second replay, discards, completes an unfinished replay', async () => {
    // ---- list: exact counts, before anything was done
    const before = await dlqJson<{ topics: TopicSummary[] }>('list', dlq);
    expect(before.topics).toHaveLength(1);
    expect(before.topics[0]).toMatchObject({
      topic: dlq,
      exists: true,
      records: 3,
      replayed: 0,
      discarded: 0,
    });
    expect(before.topics[0]!.rows).toEqual([
      {
        reason: 'handler-failed',
        exception: 'HandlerFailedError ← TypeError',
        group: groupId,
        records: 3,
        replayed: 0,
        discarded: 0,
        pending: 0,
      },
    ]);

    // ---- show: one record decoded, by position and by event id
    const shown = await dlqJson<{ records: Record<string, unknown>[] }>('show', dlq, '0:0');
    expect(shown.records).toHaveLength(1);
    expect(shown.records[0]).toMatchObject({
      position: '0:0',
      eventId: a.id,
      eventType: 'UserRegistered',
      key: '8001',
      provenance: {
        originalTopic: topic.name,
        originalPartition: 0,
        originalOffset: '0',
        originalConsumerGroup: groupId,
        exceptionFqcn: 'HandlerFailedError',
        exceptionCauseFqcn: 'TypeError',
        attempts: 3,
        reason: 'handler-failed',
      },
      value: { kind: 'json', json: { user_id: 8001 } },
      ledger: null,
    });
    const text = await dlqCli('show', dlq, '--event-id', b.id);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`${dlq} 1:0`);
    expect(text.out).toMatch(/reason\s+handler-failed/);
    expect(text.out).toMatch(/attempts\s+3/);
    expect(text.out).toContain('TypeError: profile store rejected 8002');
    expect(text.out).toContain('"user_id": 8002');

    // ---- the handler is fixed; replay A: handled exactly once
    broken = false;
    const sourceEnd = await topicEnd(kafka, topic.name);
    const first = await dlqJson<ActionReport>('replay', dlq, '--event-id', a.id, '--note', 'fixed in 1.4.2');
    expect(first.counts).toEqual({ replayed: 1 });
    expect(first.items[0]).toMatchObject({ position: '0:0', eventId: a.id, outcome: 'replayed' });
    expect(first.items[0]!.replayedTo).toMatch(new RegExp(`^${topic.name.replace(/\./g, '\\.')}:0:\\d+$`));
    await waitFor('A handled after its replay', async () => (await effectCount(a.id)) === 1 || undefined);
    expect(await topicEnd(kafka, topic.name)).toBe(sourceEnd + 1n);

    // ---- a second replay changes nothing
    const second = await dlqJson<ActionReport>('replay', dlq, '--event-id', a.id);
    expect(second.counts).toEqual({ skipped: 1 });
    expect(second.items[0]!.note).toMatch(/already replayed .* by alice \(fixed in 1\.4\.2\)/);
    expect(await topicEnd(kafka, topic.name)).toBe(sourceEnd + 1n);

    // ---- forced: sent again, and the consumer's idempotency suppresses the effect
    const duplicatesBefore = await metricSum(runtime.metrics.consumed, {
      group: groupId,
      outcome: 'duplicate',
    });
    const forced = await dlqJson<ActionReport>('replay', dlq, '--event-id', a.id, '--force');
    expect(forced.counts).toEqual({ replayed: 1 });
    expect(await topicEnd(kafka, topic.name)).toBe(sourceEnd + 2n);
    await waitFor(
      'the forced copy seen as a duplicate',
      async () =>
        (await metricSum(runtime.metrics.consumed, { group: groupId, outcome: 'duplicate' })) ===
          duplicatesBefore + 1 || undefined,
    );
    expect(await effectCount(a.id)).toBe(1);

    // ---- discard B: never replayed afterwards
    const missingReason = await dlqCli('discard', dlq, '--event-id', b.id);
    expect(missingReason.code).toBe(2);
    const discarded = await dlqJson<ActionReport>(
      'discard',
      dlq,
      '--event-id',
      b.id,
      '--reason',
      'user deleted',
    );
    expect(discarded.counts).toEqual({ discarded: 1 });

    // ---- C: a replay that crashed after its ledger row and before (or after) its send
    const ledger = new Ledger(pool, ledgerSchema);
    await ledger.replaying(dlq, [{ partition: 0, offset: '1', eventId: c.id }], {
      operator: 'bob',
      reason: null,
      forced: false,
    });
    const pending = await dlqJson<{ topics: TopicSummary[] }>('list', dlq);
    expect(pending.topics[0]).toMatchObject({ records: 3, replayed: 1, discarded: 1, pending: 1 });

    const dry = await dlqJson<ActionReport>('replay', dlq, '--all', '--dry-run');
    expect(dry.counts).toEqual({ skipped: 2, 'would-replay': 1 });
    expect(await topicEnd(kafka, topic.name)).toBe(sourceEnd + 2n);

    const all = await dlqJson<ActionReport>('replay', dlq, '--all');
    expect(all.items.map((i) => [i.position, i.outcome])).toEqual([
      ['0:0', 'skipped'],
      ['0:1', 'replayed'],
      ['1:0', 'skipped'],
    ]);
    expect(all.items[1]!.note).toMatch(/did not finish/);
    expect(all.items[2]!.note).toMatch(/discarded .* by alice \(user deleted\)/);
    await waitFor('C handled after its replay', async () => (await effectCount(c.id)) === 1 || undefined);
    expect(await effectCount(b.id)).toBe(0);
    expect(await topicEnd(kafka, topic.name)).toBe(sourceEnd + 3n);

    // ---- an offset range: everything in it is done already
    const range = await dlqJson<ActionReport>('replay', dlq, '--partition', '0', '--from', '0', '--to', '1');
    expect(range.selected).toBe(2);
    expect(range.counts).toEqual({ skipped: 2 });

    // ---- list: exact counts after
    const after = await dlqJson<{ topics: TopicSummary[] }>('list', dlq);
    expect(after.topics[0]).toMatchObject({ records: 3, replayed: 2, discarded: 1, pending: 0 });
    expect(after.topics[0]!.rows).toEqual([
      {
        reason: 'handler-failed',
        exception: 'HandlerFailedError ← TypeError',
        group: groupId,
        records: 3,
        replayed: 2,
        discarded: 1,
        pending: 0,
      },
    ]);

    // ---- the ledger, as the runbook queries it
    const admin = new pg.Client({ connectionString: infra.databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `SELECT dlq_partition, dlq_offset::text, action, operator, reason, replays, event_id
           FROM ${quoteIdent(ledgerSchema)}.dead_letter_ledger WHERE dlq_topic = $1
          ORDER BY dlq_partition, dlq_offset`,
        [dlq],
      );
      expect(rows).toEqual([
        {
          dlq_partition: 0,
          dlq_offset: '0',
          action: 'replayed',
          operator: 'alice',
          reason: 'fixed in 1.4.2',
          replays: 2,
          event_id: a.id,
        },
        {
          dlq_partition: 0,
          dlq_offset: '1',
          action: 'replayed',
          operator: 'alice',
          reason: null,
          replays: 1,
          event_id: c.id,
        },
        {
          dlq_partition: 1,
          dlq_offset: '0',
          action: 'discarded',
          operator: 'alice',
          reason: 'user deleted',
          replays: 0,
          event_id: b.id,
        },
      ]);
      const history = await admin.query(
        `SELECT action, forced FROM ${quoteIdent(ledgerSchema)}.dead_letter_ledger_history
          WHERE dlq_topic = $1 ORDER BY id`,
        [dlq],
      );
      expect(
        history.rows.map((r: { action: string; forced: boolean }) => `${r.action}${r.forced ? '!' : ''}`),
      ).toEqual([
        'replaying',
        'replayed',
        'replaying!',
        'replayed!',
        'discarded',
        'replaying',
        'replaying',
        'replayed',
      ]);
    } finally {
      await admin.end();
    }

    // ---- reading disturbed nothing: no committed offsets on the dead-letter topic, no group left
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId);
      expect(groups.filter((g) => g.startsWith('dlq-tool-reader'))).toEqual([]);
      for (const group of groups) {
        const [offsets] = await kafkaAdmin.fetchOffsets({ groupId: group, topics: [dlq] });
        expect(offsets?.partitions.map((p) => p.offset) ?? [], `group ${group}`).toEqual(['-1', '-1', '-1']);
      }
    } finally {
      await kafkaAdmin.disconnect();
    }

    console.log(
      `[dlq replay] 3 dead letters; replay → effect 1; second replay skipped; forced replay → duplicate, effect still 1; discarded 1; unfinished replay completed; list: 3 records, 2 replayed, 1 discarded`,
    );
  }, 240_000);

  it('skips dead letters it cannot send back: no original topic header, or a topic that is gone', async () => {
    const orphans = `it.dlq.orphans.${run}.dlq`;
    await createTopics(infra.kafkaBrokers, {
      ...userEventsTestTopic(`it.dlq.orphans.${run}`, 1),
    });
    const base = registeredRecord(8101);
    await produce(producer, orphans, [
      { key: base.key, value: base.value, headers: { ...base.headers } },
      {
        key: base.key,
        value: base.value,
        headers: {
          ...base.headers,
          'kafka_dlt-original-topic': `it.gone.${run}`,
          'kafka_dlt-reason': 'handler-failed',
        },
      },
    ]);
    const report = await dlqJson<ActionReport>('replay', orphans, '--all');
    expect(report.items.map((i) => [i.position, i.outcome, i.note])).toEqual([
      ['0:0', 'skipped', 'no kafka_dlt-original-topic header: nowhere to replay it to'],
      ['0:1', 'skipped', `original topic it.gone.${run} does not exist on the broker`],
    ]);
    await deleteTopics(kafka, [`it.dlq.orphans.${run}`, orphans]);
  }, 60_000);

  it('refuses bad input with exit code 2 and a clear message, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['list', 'no.such.topic'], /unknown dead-letter topic no\.such\.topic/],
      [['list', 'no.such.topic.dlq'], /dead-letter topic no\.such\.topic\.dlq does not exist on the broker/],
      [
        ['list', 'user.events'],
        /user\.events is an event topic, not a dead-letter topic: its dead letters are in user\.events\.dlq/,
      ],
      [['show', dlq, '0:99'], /no record at 0:99: partition 0 of .* holds offsets 0–1/],
      [['show', dlq, 'zero'], /partition:offset/],
      [
        ['replay', dlq, '--partition', '0', '--from', '5', '--to', '2'],
        /bad offset range: --from 5 is after --to 2/,
      ],
      [['replay', dlq, '--partition', '0', '--from', '9'], /bad offset range: --from 9 is past the end/],
      [['replay', dlq, '--partition', '7'], /has no partition 7 \(partitions 0–2\)/],
      [['replay', dlq, '--from', '1'], /give --partition too/],
      [['replay', dlq], /say which records/],
      [['replay', dlq, '--all', '--group', 'g'], /--all selects every record/],
      [['discard', dlq, '--all'], /discard needs --reason/],
      [['frobnicate'], /unknown command frobnicate/],
      [['list', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const result = await dlqCli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err, argv.join(' ')).toMatch(message);
      expect(result.err, argv.join(' ')).not.toMatch(/\n\s+at /);
    }
    // The real script through npm: exit code and output as an operator sees them.
    const bad = await npmDlq('replay', dlq, '--partition', '0', '--from', '5', '--to', '2');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('dlq: bad offset range: --from 5 is after --to 2');
    expect(bad.err).not.toMatch(/\n\s+at /);
    const listed = await npmDlq('list', dlq, '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { topics: TopicSummary[] }).topics[0]).toMatchObject({ records: 3 });
    const table = await npmDlq('list', dlq);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/REASON\s+EXCEPTION\s+GROUP\s+RECORDS\s+REPLAYED\s+DISCARDED\s+UNFINISHED/);
    expect(table.out).toMatch(
      new RegExp(`handler-failed\\s+HandlerFailedError ← TypeError\\s+${groupId}\\s+3\\s+2\\s+1\\s+0`),
    );
  }, 120_000);
});
