/**
 * The relay process dies mid-batch (SIGKILL: no stop hook, no clean
 * disconnect) while writers keep writing to the outbox:
 *
 * 1. a lone relay killed three times while draining a backlog, restarted
 *    each time: every event arrives, in order per key (first copies);
 *    duplicates are allowed and counted;
 * 2. two relay processes: one is killed, the survivor takes its lanes over
 *    (PostgreSQL released the dead session's advisory locks) and delivers
 *    everything without a restart.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messageSentEvent } from '../../generated/index.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { endOffsets, startReader } from '../support/kafka-reader.ts';
import { createTopic, deleteTopics, migratedSchema, retargeted, runId } from '../support/outbox-fixtures.ts';
import {
  checkDelivery,
  lanesByInstance,
  lanesOf,
  outboxCounts,
  type RelayProcess,
  SequencedWriters,
  startRelayProcess,
  unpublishedIn,
  waitUntil,
} from './relay-process.ts';

const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const databaseUrl = infra.databaseUrl;
let pool: pg.Pool;
const cleanups: (() => Promise<void>)[] = [];
const relays: RelayProcess[] = [];

beforeAll(() => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
});

afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await pool?.end();
});

async function setUp(prefix: string) {
  const schema = await migratedSchema(databaseUrl, prefix.replace(/-/g, '_'));
  cleanups.push(() => schema.drop());
  const topic = `${prefix}-${runId()}`;
  await createTopic(brokers, topic, 6);
  cleanups.push(() => deleteTopics(brokers, [topic]));
  const writers = new SequencedWriters(pool, schema.schema, retargeted(messageSentEvent, topic), 60);
  await writers.setUp();
  return { schema: schema.schema, topic, writers };
}

function relay(name: string, schema: string, extra: Record<string, string> = {}): RelayProcess {
  const process = startRelayProcess(name, {
    databaseUrl,
    brokers,
    schema,
    extra: {
      RELAY_BATCH_SIZE: '500',
      RELAY_WORKERS: '2',
      RELAY_POLL_INTERVAL_MS: '100',
      // Keep published rows (marked), so the test can count what the relay marked.
      RELAY_RETENTION_MS: '3600000',
      ...extra,
    },
  });
  relays.push(process);
  return process;
}

const published = async (schema: string) => {
  const c = await outboxCounts(pool, schema);
  return c.total - c.unpublished;
};

describe('relay process killed mid-batch', () => {
  it('restarted after SIGKILL: every event arrives, order per key holds, duplicates counted', {
    timeout: 300_000,
  }, async () => {
    const { schema, topic, writers } = await setUp('relay-kill');
    const from = await endOffsets(brokers, [topic]);

    // A backlog first, so the relay is always mid-batch when it is killed; more keeps coming during the kills.
    await Promise.all([writers.run(1000, 5), writers.run(1000, 5)]);
    const writing = Promise.all([writers.run(400, 5, 10), writers.run(400, 5, 10)]);

    // Kill when Kafka holds more of the topic than the outbox marks as published: the relay has
    // sent a batch and not yet marked it (or is sending the next one), which is "mid-batch".
    const admin = createKafka({ brokers, clientId: 'fault-test' }).admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const inKafka = async () =>
      (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0) -
      (from.get(topic) ?? []).reduce((n, p) => n + Number(p.offset), 0);
    // Records in Kafka beyond the rows marked published: copies already counted as duplicates,
    // plus a batch the relay has sent and not yet marked. It grows only while a batch is in that gap.
    const excess = async () => {
      // The outbox first: a batch marked between the two reads cannot hide one still unmarked.
      const marked = await published(schema);
      return (await inKafka()) - marked;
    };
    let kills = 0;
    let killedBetweenSendAndMark = 0;
    let settled = 0;
    for (let round = 0; round < 3; round++) {
      // A fast relay may have drained the backlog (and the writers finished) in an earlier round:
      // every round starts with one, so it has 1000 rows to publish and a batch to be caught in.
      if ((await outboxCounts(pool, schema)).unpublished < 2000) await writers.run(400, 5);
      const before = await published(schema);
      const r = relay(`kill-${round}`, schema);
      await waitUntil(
        async () => (await published(schema)) >= before + 1000,
        60_000,
        `relay ${round} publishing`,
      );
      // Catch it mid-batch: when Kafka is ahead of the outbox, freeze the process (SIGSTOP), let
      // statements already sent finish, and if a sent batch is still unmarked, kill it right there.
      const deadline = Date.now() + 20_000;
      for (;;) {
        if ((await excess()) > settled || Date.now() > deadline) {
          r.child.kill('SIGSTOP');
          await new Promise((resolve) => setTimeout(resolve, 300));
          if ((await excess()) > settled || Date.now() > deadline) break;
          r.child.kill('SIGCONT');
        }
      }
      const exit = await r.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      kills++;
      // Dead now: what Kafka holds beyond the marked rows and earlier copies was sent and never marked.
      const after = await excess();
      if (after > settled) killedBetweenSendAndMark++;
      settled = after;
    }
    await writing;
    const last = relay('kill-final', schema);
    await waitUntil(
      async () => (await outboxCounts(pool, schema)).unpublished === 0,
      120_000,
      'the outbox drained',
    );

    const reader = await startReader(brokers, [topic], from);
    cleanups.push(() => reader.stop());
    await reader
      .waitFor(
        (rs) => new Set(rs.map((r) => r.headers.ce_id)).size >= writers.ids.size,
        60_000,
        'every event',
      )
      .catch(() => {}); // the check below says what is missing
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const check = checkDelivery(writers.ids, reader.records, await writers.lastSequences());
    console.log(
      `[fault relay-kill] kills ${kills} (${killedBetweenSendAndMark} between Kafka's ack and the outbox update); written ${check.written}, delivered ${check.delivered}, missing ${check.missing}, duplicates ${check.duplicates}`,
    );
    expect(check.missing, last.log.slice(-20).join('\n')).toBe(0);
    expect(check.outOfOrder).toEqual([]);
    expect(check.delivered).toBe(check.written);
    expect(writers.failedTransactions).toBe(0);
    // At least one kill landed mid-batch, and its batch was published again after the restart.
    expect(killedBetweenSendAndMark).toBeGreaterThan(0);
    expect(check.duplicates).toBeGreaterThan(0);
  });

  it('two relay processes, one SIGKILLed: the survivor takes its lanes over and delivers everything', {
    timeout: 300_000,
  }, async () => {
    const { schema, topic, writers } = await setUp('relay-takeover');
    const from = await endOffsets(brokers, [topic]);
    const a = relay('A', schema);
    const b = relay('B', schema);
    await waitUntil(
      async () => {
        const lanes = await lanesByInstance(pool, schema);
        return lanes.get('A') === 32 && lanes.get('B') === 32;
      },
      20_000,
      'A and B to hold 32 lanes each',
    );

    const writing = Promise.all([writers.run(800, 5, 2), writers.run(800, 5, 2)]);
    await waitUntil(async () => (await published(schema)) >= 1000, 60_000, 'both relays publishing');
    // Freeze A (its sessions, and so its lanes, stay) until rows of its lanes are waiting: the kill
    // must strand work that only a takeover can deliver, or the test would pass without one.
    a.child.kill('SIGSTOP');
    const lanesOfA = await lanesOf(pool, schema, 'A');
    expect(lanesOfA).toHaveLength(32);
    const stranded = await eventually(
      () => unpublishedIn(pool, schema, lanesOfA),
      (waiting) => waiting.length > 0,
      10_000,
      'unpublished rows in the lanes of the frozen relay A',
      50,
    );
    const exit = await a.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(
      async () => (await lanesByInstance(pool, schema)).get('B') === 64,
      15_000,
      'B to take over all 64 lanes',
    );
    const takeoverMs = Date.now() - killedAt;
    await writing;
    await waitUntil(
      async () => (await outboxCounts(pool, schema)).unpublished === 0,
      120_000,
      'the outbox drained by B alone',
    );

    const reader = await startReader(brokers, [topic], from);
    cleanups.push(() => reader.stop());
    await reader
      .waitFor(
        (rs) => new Set(rs.map((r) => r.headers.ce_id)).size >= writers.ids.size,
        60_000,
        'every event',
      )
      .catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const check = checkDelivery(writers.ids, reader.records, await writers.lastSequences());
    console.log(
      `[fault relay-takeover] ${stranded.length} unpublished row(s) in A's ${lanesOfA.length} lanes when A was killed; lanes taken over in ${takeoverMs} ms; written ${check.written}, delivered ${check.delivered}, missing ${check.missing}, duplicates ${check.duplicates}`,
    );
    expect(check.missing, b.log.slice(-20).join('\n')).toBe(0);
    expect(check.outOfOrder).toEqual([]);
    // What A held unpublished when it was killed was delivered (by B: A never came back).
    const delivered = new Set(reader.records.map((r) => r.headers.ce_id));
    expect(stranded.filter((id) => !delivered.has(id))).toEqual([]);
  });
});
