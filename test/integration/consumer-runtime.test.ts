/**
 * The consumer runtime against the real broker and PostgreSQL: retries inside
 * the partition, dead letters byte for byte with Spring's provenance headers,
 * poison records, and duplicate suppression through consumer_processed_events.
 * Each test has its own topics and group ids; all share one migrated schema.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { readDeadLetter } from '../../runtime/consume/dead-letter.ts';
import { pruneProcessedEvents } from '../../runtime/consume/processed-events.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  committedOffsets,
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  metricSum,
  prepareSchema,
  produce,
  profileUpdatedRecord,
  type ReadRecord,
  readTopic,
  recordEffect,
  recordingLogger,
  registeredGroup,
  registeredRecord,
  runId,
  schemaPool,
  testKafka,
  topicEnd,
  userEventsTestTopic,
  type WireRecord,
  waitFor,
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `consumer_it_${run}`;
const topicsCreated: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

function newRuntime(): ConsumerRuntime {
  const runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger: recordingLogger(),
  });
  runtimes.push(runtime);
  return runtime;
}

async function newTopic(label: string, partitions: number) {
  const topic = userEventsTestTopic(`it.consumer.${label}.${run}`, partitions);
  await createTopics(infra.kafkaBrokers, topic);
  topicsCreated.push(topic.name, `${topic.name}.dlq`);
  return topic;
}

/** The records as they must appear in a dead letter: every original header, byte for byte. */
function expectOriginal(dead: ReadRecord, original: WireRecord) {
  expect(dead.key).toEqual(original.key === null ? null : Buffer.from(original.key));
  expect(dead.value).toEqual(original.value);
  for (const [name, value] of Object.entries(original.headers)) {
    expect(dead.headers[name], `header ${name}`).toEqual(Buffer.isBuffer(value) ? value : Buffer.from(value));
  }
}

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-it-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
});

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  await deleteTopics(kafka, topicsCreated);
  await dropSchema(infra.databaseUrl, schema);
});

describe('consumer runtime on a real broker and PostgreSQL', () => {
  it('retries a failing handler inside the partition: handled once, 2 retries counted, one effect, order kept', async () => {
    const topic = await newTopic('retry', 1);
    const groupId = `it-retry-${run}`;
    const flaky = registeredRecord(1001);
    const next = registeredRecord(1001); // same key, after it
    await produce(producer, topic.name, [flaky, next]);

    const calls: { id: string; attempt: number }[] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { attempt, db }) => {
            calls.push({ id: event.id, attempt });
            await recordEffect(db, event.id, groupId, attempt);
            if (event.id === flaky.id && attempt < 3) throw new Error(`transient failure ${attempt}`);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor('both events handled', async () =>
      (await effectsOf(pool)).some((e) => e.event_id === next.id),
    );
    await consumer.stop();

    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects).toEqual([
      { event_id: flaky.id, member: groupId, attempt: 3 },
      { event_id: next.id, member: groupId, attempt: 1 },
    ]);
    expect(calls).toEqual([
      { id: flaky.id, attempt: 1 },
      { id: flaky.id, attempt: 2 },
      { id: flaky.id, attempt: 3 },
      { id: next.id, attempt: 1 },
    ]);
    const m = runtime.metrics;
    expect(await metricSum(m.retried, { group: groupId })).toBe(2);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(2);
    expect(await metricSum(m.deadLettered, { group: groupId })).toBe(0);
    const timed = (await m.handlerDuration.get()).values.find(
      (v) => v.metricName === 'domain_event_handler_duration_seconds_count' && v.labels.group === groupId,
    );
    expect(timed?.value).toBe(4);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    expect((await committedOffsets(kafka, groupId, topic.name)).get(0)).toBe(2n);
    expect(await metricSum(m.consumerLag, { group: groupId })).toBe(0);
    console.log(
      `[retry] events written 2, handler calls ${calls.length}, retries ${await metricSum(m.retried, { group: groupId })}, effects ${effects.length}, dead-lettered 0`,
    );
  });

  it('dead-letters a record that fails every attempt, byte for byte with provenance, and goes on', async () => {
    const topic = await newTopic('dlq', 3);
    const groupId = `it-dlq-${run}`;
    const doomed = registeredRecord(2001, { partition: 2 });
    const after = registeredRecord(2002, { partition: 2 });
    doomed.headers['x-custom-binary'] = Buffer.from([0x00, 0xff, 0x10]);
    await produce(producer, topic.name, [doomed, after]);

    let doomedCalls = 0;
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db }) => {
            await recordEffect(db, event.id, groupId);
            if (event.id === doomed.id) {
              doomedCalls += 1;
              throw new TypeError(`cannot handle user ${event.payload.user_id}`);
            }
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor('the record after the dead letter handled', async () =>
      (await effectsOf(pool)).some((e) => e.event_id === after.id),
    );
    await consumer.stop();

    const dead = await readTopic(kafka, `${topic.name}.dlq`);
    expect(dead).toHaveLength(1);
    const [letter] = dead as [ReadRecord];
    expect(letter.partition).toBe(2);
    expectOriginal(letter, doomed);
    const h = letter.headers;
    expect(h['kafka_dlt-original-topic']?.toString()).toBe(topic.name);
    expect(h['kafka_dlt-original-partition']).toEqual(Buffer.from([0, 0, 0, 2]));
    expect(h['kafka_dlt-original-offset']).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]));
    expect(h['kafka_dlt-original-timestamp']?.length).toBe(8);
    expect(Number(h['kafka_dlt-original-timestamp']!.readBigInt64BE())).toBeGreaterThan(Date.now() - 600_000);
    expect(h['kafka_dlt-original-timestamp-type']?.toString()).toBe('CreateTime');
    expect(h['kafka_dlt-original-consumer-group']?.toString()).toBe(groupId);
    expect(h['kafka_dlt-exception-fqcn']?.toString()).toBe('HandlerFailedError');
    expect(h['kafka_dlt-exception-cause-fqcn']?.toString()).toBe('TypeError');
    expect(h['kafka_dlt-exception-message']?.toString()).toContain('cannot handle user 2001');
    expect(h['kafka_dlt-exception-stacktrace']?.toString()).toMatch(
      /Caused by: TypeError: cannot handle user 2001/,
    );
    expect(h.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 3]));
    expect(h['kafka_dlt-reason']?.toString()).toBe('handler-failed');
    expect(readDeadLetter(h)).toMatchObject({ originalPartition: 2, originalOffset: '0', attempts: 3 });

    expect(doomedCalls).toBe(3);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => e.event_id)).toEqual([after.id]); // the doomed attempts all rolled back
    const m = runtime.metrics;
    expect(await metricSum(m.retried, { group: groupId })).toBe(2);
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'handler-failed' })).toBe(1);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'dead-lettered' })).toBe(1);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(1);
    expect((await committedOffsets(kafka, groupId, topic.name)).get(2)).toBe(2n);
    console.log(
      `[dead letter] events written 2, handler calls for the failing one ${doomedCalls}, dead-lettered ${dead.length}, handled after it 1`,
    );
  });

  it('dead-letters poison records at once with their reason and original bytes; valid records after them are handled', async () => {
    const topic = await newTopic('poison', 1);
    const groupId = `it-poison-${run}`;
    const base = registeredRecord(3001);
    const { email: _email, ...withoutEmail } = JSON.parse(base.value!.toString()) as Record<string, unknown>;
    const { ce_type: _type, ...withoutType } = base.headers;
    const poison: { label: string; reason: string; record: WireRecord; message: RegExp }[] = [
      {
        label: 'not JSON',
        reason: 'undecodable',
        record: {
          key: '3001',
          value: Buffer.from('{"user_id": 3001,'),
          headers: { ...base.headers, ce_id: randomUUID() },
        },
        message: /not JSON/,
      },
      {
        label: 'not UTF-8',
        reason: 'undecodable',
        record: {
          key: '3001',
          value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
          headers: { ...base.headers, ce_id: randomUUID() },
        },
        message: /not UTF-8/,
      },
      {
        label: 'payload missing a field',
        reason: 'schema-invalid',
        record: {
          key: '3001',
          value: Buffer.from(JSON.stringify(withoutEmail)),
          headers: { ...base.headers, ce_id: randomUUID() },
        },
        message: /\/email is required/,
      },
      {
        label: 'ce_id not a UUID',
        reason: 'schema-invalid',
        record: { key: '3001', value: base.value, headers: { ...base.headers, ce_id: 'order-17' } },
        message: /headers breaks its contract: \/ce_id/,
      },
      {
        label: 'unknown event type',
        reason: 'unknown-type',
        record: {
          key: '3001',
          value: base.value,
          headers: { ...base.headers, ce_id: randomUUID(), ce_type: 'UserDeleted' },
        },
        message: /carries no event type "UserDeleted"/,
      },
      {
        label: 'no ce_type header',
        reason: 'unknown-type',
        record: { key: null, value: base.value, headers: { ...withoutType, ce_id: randomUUID() } },
        message: /no ce_type header/,
      },
    ];
    const notSubscribed = profileUpdatedRecord(3001);
    const valid = [registeredRecord(3002), registeredRecord(3003)];
    await produce(producer, topic.name, [...poison.map((p) => p.record), notSubscribed, ...valid]);

    const handled: string[] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db }) => {
            handled.push(event.id);
            await recordEffect(db, event.id, groupId);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor('the valid records handled', () => handled.length === valid.length);
    await waitFor(
      'all committed',
      async () =>
        (await committedOffsets(kafka, groupId, topic.name)).get(0) ===
        BigInt(poison.length + 1 + valid.length),
    );
    await consumer.stop();

    expect(handled).toEqual(valid.map((v) => v.id));
    const dead = await readTopic(kafka, `${topic.name}.dlq`);
    expect(dead).toHaveLength(poison.length);
    poison.forEach((p, i) => {
      const letter = dead[i]!;
      expectOriginal(letter, p.record);
      expect(letter.headers['kafka_dlt-reason']?.toString(), p.label).toBe(p.reason);
      expect(letter.headers['kafka_dlt-exception-message']?.toString(), p.label).toMatch(p.message);
      expect(letter.headers.kafka_deliveryAttempt, p.label).toEqual(Buffer.from([0, 0, 0, 1]));
      expect(letter.headers['kafka_dlt-original-offset']?.readBigInt64BE(), p.label).toBe(BigInt(i));
    });
    const m = runtime.metrics;
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'undecodable' })).toBe(2);
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'schema-invalid' })).toBe(2);
    expect(await metricSum(m.deadLettered, { group: groupId, reason: 'unknown-type' })).toBe(2);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'skipped' })).toBe(1);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(2);
    expect(await metricSum(m.retried, { group: groupId })).toBe(0);
    console.log(
      `[poison] records written ${poison.length + 1 + valid.length}, dead-lettered at once ${dead.length} (undecodable 2, schema-invalid 2, unknown-type 2), skipped 1, handled ${handled.length}`,
    );
  });

  it('suppresses redelivered event ids: no second effect, duplicates counted; another group handles it once', async () => {
    const topic = await newTopic('dup', 3);
    const groupId = `it-dup-${run}`;
    const event = registeredRecord(4001);
    const other = registeredRecord(4002);
    // The relay redelivers after a lost acknowledgement: the same ce_id, a second record.
    await produce(producer, topic.name, [event, other, event]);

    const calls: string[] = [];
    const handlers = (member: string) => ({
      userEvents: {
        UserRegistered: async (e: Registered, { db }: { db: pg.PoolClient }) => {
          calls.push(`${member}:${e.id}`);
          await recordEffect(db, e.id, member);
        },
      },
    });
    const runtime = newRuntime();
    const consumer = runtime.create(registeredGroup(groupId, topic), handlers(groupId), { groupId });
    await consumer.ready;
    const m = runtime.metrics;
    await waitFor(
      'first duplicate counted',
      async () => (await metricSum(m.consumed, { group: groupId, outcome: 'duplicate' })) === 1,
    );
    // Later, once more (a replay of the topic, another relay instance, ...).
    await produce(producer, topic.name, [event]);
    await waitFor(
      'second duplicate counted',
      async () => (await metricSum(m.consumed, { group: groupId, outcome: 'duplicate' })) === 2,
    );
    await consumer.stop();

    // An independent group has its own processed rows: it handles the event once too.
    const otherGroup = `it-dup-other-${run}`;
    const second = runtime.create(registeredGroup(otherGroup, topic), handlers(otherGroup), {
      groupId: otherGroup,
    });
    await second.ready;
    await waitFor('other group done', async () => (await metricSum(m.consumed, { group: otherGroup })) === 4);
    await second.stop();

    const effects = await effectsOf(pool);
    const count = (member: string, id: string) =>
      effects.filter((e) => e.member === member && e.event_id === id).length;
    expect(count(groupId, event.id)).toBe(1);
    expect(count(groupId, other.id)).toBe(1);
    expect(count(otherGroup, event.id)).toBe(1);
    expect(count(otherGroup, other.id)).toBe(1);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(2);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'duplicate' })).toBe(2);
    expect(await metricSum(m.consumed, { group: otherGroup, outcome: 'duplicate' })).toBe(2);
    const rows = await pool.query(
      'SELECT group_id, event_id FROM consumer_processed_events WHERE group_id = $1',
      [groupId],
    );
    expect(rows.rowCount).toBe(2);
    expect(calls.filter((c) => c.startsWith(`${groupId}:`))).toHaveLength(2);
    console.log(
      `[duplicates] records written 4 (2 event ids), delivered to the group 4, handled 2, duplicates suppressed 2; other group handled 2, suppressed 2`,
    );
  });

  it('a handler failing in the middle of a batch: the records before it commit in one transaction, it is retried, the records after it are handled once', async () => {
    const topic = await newTopic('midbatch', 1);
    const groupId = `it-midbatch-${run}`;
    const labels = ['a0', 'a1', 'a2', 'flaky', 'b0', 'doomed', 'c0', 'c1'];
    const all = labels.map((_, i) => registeredRecord(9000 + i));
    const name = new Map(all.map((r, i) => [r.id, labels[i]!]));
    const doomed = all[labels.indexOf('doomed')]!;
    await produce(producer, topic.name, all); // one request, fetched as one batch

    const calls: string[] = [];
    /** What other sessions saw committed when the flaky record's second attempt started. */
    let atRetry: { effects: string[]; claims: string[]; offset: bigint | undefined } | undefined;
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { attempt, db }) => {
            const label = name.get(event.id)!;
            calls.push(`${label}:${attempt}`);
            await recordEffect(db, event.id, groupId, attempt);
            if (label === 'flaky' && attempt === 2) {
              const effects = await pool.query<{ event_id: string }>(
                'SELECT event_id FROM effects WHERE member = $1 ORDER BY seq',
                [groupId],
              );
              const claims = await pool.query<{ event_id: string }>(
                'SELECT event_id FROM consumer_processed_events WHERE group_id = $1',
                [groupId],
              );
              atRetry = {
                effects: effects.rows.map((r) => name.get(r.event_id)!),
                claims: claims.rows.map((r) => name.get(r.event_id)!).sort(),
                offset: (await committedOffsets(kafka, groupId, topic.name)).get(0),
              };
            }
            if (label === 'flaky' && attempt < 3) throw new Error(`flaky attempt ${attempt}`);
            if (label === 'doomed') throw new Error('doomed');
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'every record finished and committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(all.length),
    );
    await consumer.stop();

    // In order, each record once, the failing ones retried in place before anything after them.
    expect(calls).toEqual([
      'a0:1',
      'a1:1',
      'a2:1',
      'flaky:1',
      'flaky:2',
      'flaky:3',
      'b0:1',
      'doomed:1',
      'doomed:2',
      'doomed:3',
      'c0:1',
      'c1:1',
    ]);
    // When the flaky record was retried, the records before it were committed (effects, claims, offsets),
    // and no claim of the batch's other records was: not its own, not those after it.
    expect(atRetry).toEqual({ effects: ['a0', 'a1', 'a2'], claims: ['a0', 'a1', 'a2'], offset: 3n });
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => `${name.get(e.event_id)}:${e.attempt}`)).toEqual([
      'a0:1',
      'a1:1',
      'a2:1',
      'flaky:3',
      'b0:1',
      'c0:1',
      'c1:1',
    ]);
    // Every claim has its effect and vice versa; the records around the failures shared transactions.
    const claims = await pool.query<{ event_id: string; tx: string }>(
      'SELECT event_id, xmin::text AS tx FROM consumer_processed_events WHERE group_id = $1',
      [groupId],
    );
    const txOf = new Map(claims.rows.map((r) => [name.get(r.event_id)!, r.tx]));
    expect([...txOf.keys()].sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'c0', 'c1', 'flaky']);
    expect(new Set([txOf.get('a0'), txOf.get('a1'), txOf.get('a2')]).size).toBe(1);
    expect(txOf.get('c0')).toBe(txOf.get('c1'));
    expect(new Set([txOf.get('a0'), txOf.get('flaky'), txOf.get('b0'), txOf.get('c0')]).size).toBe(4);

    const dead = await readTopic(kafka, `${topic.name}.dlq`);
    expect(dead).toHaveLength(1);
    expectOriginal(dead[0]!, doomed);
    expect(dead[0]!.headers.kafka_deliveryAttempt).toEqual(Buffer.from([0, 0, 0, 3]));
    const m = runtime.metrics;
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'handled' })).toBe(7);
    expect(await metricSum(m.consumed, { group: groupId, outcome: 'dead-lettered' })).toBe(1);
    expect(await metricSum(m.retried, { group: groupId })).toBe(4);
    console.log(
      `[mid-batch failure] records written 8 in one batch; transactions: a0-a2 together, flaky alone (attempt 3), b0, c0-c1 together; dead-lettered 1 after 3 attempts; effects 7, claims 7, none without the other`,
    );
  });

  it('a handler that swallows a failed statement in the middle of a batch fails that record only: the others are untouched', async () => {
    const topic = await newTopic('swallow', 1);
    const groupId = `it-swallow-${run}`;
    const [before, sloppy, after] = [registeredRecord(9200), registeredRecord(9201), registeredRecord(9202)];
    await produce(producer, topic.name, [before, sloppy, after]);

    const calls: string[] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { attempt, db }) => {
            calls.push(
              `${event.id === sloppy.id ? 'sloppy' : event.id === before.id ? 'before' : 'after'}:${attempt}`,
            );
            await recordEffect(db, event.id, groupId, attempt);
            if (event.id === sloppy.id && attempt === 1) {
              // The statement fails, the handler goes on as if nothing happened: its transaction is aborted.
              await db.query('SELECT * FROM no_such_table').catch(() => {});
            }
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'all committed',
      async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === 3n,
    );
    await consumer.stop();

    expect(calls).toEqual(['before:1', 'sloppy:1', 'sloppy:2', 'after:1']);
    const effects = (await effectsOf(pool)).filter((e) => e.member === groupId);
    expect(effects.map((e) => [e.event_id, e.attempt])).toEqual([
      [before.id, 1],
      [sloppy.id, 2],
      [after.id, 1],
    ]);
    const claims = await pool.query('SELECT event_id FROM consumer_processed_events WHERE group_id = $1', [
      groupId,
    ]);
    expect(claims.rowCount).toBe(3);
    expect(await metricSum(runtime.metrics.retried, { group: groupId })).toBe(1);
    console.log(
      '[swallowed statement error] records written 3 in one batch; the sloppy handler counted failed at attempt 1 (its write rolled back), handled at attempt 2; the records around it handled once',
    );
  });

  it('bounds each transaction by record count and by time', async () => {
    const topic = await newTopic('bounds', 1);
    const records = Array.from({ length: 7 }, (_, i) => registeredRecord(9100 + i));
    await produce(producer, topic.name, records);

    const transactions = async (groupId: string) => {
      const rows = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1
         GROUP BY xmin::text ORDER BY min(kafka_offset)`,
        [groupId],
      );
      return rows.rows.map((r) => Number(r.n));
    };
    const consumeAll = async (groupId: string, options: { count?: number; ms?: number; sleepMs: number }) => {
      const runtime = createConsumerRuntime({
        kafka: testKafkaClients(),
        pool,
        deadLetterProducer,
        logger: recordingLogger(),
        ...(options.count !== undefined ? { maxRecordsPerTransaction: options.count } : {}),
        ...(options.ms !== undefined ? { maxTransactionMs: options.ms } : {}),
      });
      runtimes.push(runtime);
      const consumer = runtime.create(
        registeredGroup(groupId, topic),
        {
          userEvents: {
            UserRegistered: async (event: Registered, { db }) => {
              await recordEffect(db, event.id, groupId);
              await new Promise((resolve) => setTimeout(resolve, options.sleepMs));
            },
          },
        },
        { groupId },
      );
      await consumer.ready;
      await waitFor(
        'all committed',
        async () => (await committedOffsets(kafka, groupId, topic.name)).get(0) === BigInt(records.length),
      );
      await consumer.stop();
      return transactions(groupId);
    };

    const byCount = await consumeAll(`it-bound-count-${run}`, { count: 3, sleepMs: 0 });
    expect(byCount).toEqual([3, 3, 1]);
    // 60 ms per record, 100 ms per transaction: a transaction takes a second record, never a third.
    const byTime = await consumeAll(`it-bound-time-${run}`, { ms: 100, sleepMs: 60 });
    expect(byTime.reduce((a, b) => a + b, 0)).toBe(records.length);
    expect(Math.max(...byTime)).toBeLessThanOrEqual(2);
    console.log(
      `[transaction bounds] 7 records: by count (3) transactions of ${byCount.join(', ')}; by time (100 ms, 60 ms handlers) ${byTime.join(', ')}`,
    );
  });

  it('prunes processed-event rows older than the retention, in batches, and no others', async () => {
    const groupId = `it-prune-${run}`;
    await pool.query(
      `INSERT INTO consumer_processed_events (group_id, event_id, topic, kafka_partition, kafka_offset, processed_at)
       SELECT $1, 'old-' || n, 't', 0, n, now() - interval '15 days' FROM generate_series(1, 25) AS n
       UNION ALL
       SELECT $1, 'new-' || n, 't', 0, n, now() - interval '1 day' FROM generate_series(1, 5) AS n`,
      [groupId],
    );
    const deleted = await pruneProcessedEvents(pool, {
      olderThanMs: 14 * 86_400_000,
      batchSize: 10,
      groupId,
    });
    expect(deleted).toBe(25);
    const left = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM consumer_processed_events WHERE group_id = $1 ORDER BY event_id',
      [groupId],
    );
    expect(left.rows.map((r) => r.event_id)).toEqual(['new-1', 'new-2', 'new-3', 'new-4', 'new-5']);
  });

  it('refuses to start without the processed-events table, and says why', async () => {
    const topic = await newTopic('nomigration', 1);
    const bare = schemaPool(infra.databaseUrl, `no_such_schema_${run}`, 1);
    try {
      const runtime = createConsumerRuntime({
        kafka: testKafkaClients(),
        pool: bare,
        deadLetterProducer,
        logger: recordingLogger(),
      });
      const consumer = runtime.create(
        registeredGroup(`it-nomig-${run}`, topic),
        { userEvents: { UserRegistered: async () => {} } },
        { groupId: `it-nomig-${run}` },
      );
      await expect(consumer.ready).rejects.toThrow(/consumer_processed_events does not exist/);
      await consumer.stop();
    } finally {
      await bare.end();
    }
  });

  it('refuses a handler map missing a subscribed event type', () => {
    const runtime = newRuntime();
    const topic = userEventsTestTopic(`it.consumer.unused.${run}`, 1);
    expect(() => runtime.create(registeredGroup('g', topic), { userEvents: {} })).toThrow(
      /no handler for userEvents\.UserRegistered/,
    );
  });
});
