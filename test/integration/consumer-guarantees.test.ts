/**
 * Promises of runtime/consume/README.md that had no test, each checked so that
 * removing the behaviour fails it: a stop while a record waits for its retry,
 * PostgreSQL unreachable mid-stream (and a stop during it), a COMMIT PostgreSQL
 * refuses (the transaction's fault) or fails with a serialization failure (the
 * infrastructure's), and the consumed counter's values by outcome. Real broker, real PostgreSQL; each test
 * has its own topic and group, all share one migrated schema.
 */
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { readDeadLetter } from '../../runtime/consume/dead-letter.ts';
import type { RetryPolicy } from '../../runtime/contract/definitions.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { parsePrometheusText, sampleSum } from '../support/prometheus.ts';
import {
  committedOffsets,
  connectProducer,
  createTopics,
  deleteTopics,
  dropSchema,
  effectsOf,
  FAST_RETRY,
  metricSum,
  prepareSchema,
  produce,
  profileUpdatedRecord,
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
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `consumer_guarantees_${run}`;
const topicsCreated: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
const runtimes: ConsumerRuntime[] = [];

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;

function newRuntime(
  runtimePool: pg.Pool = pool,
  optimistic = false,
  logger: ReturnType<typeof recordingLogger> = recordingLogger(),
): ConsumerRuntime {
  const runtime = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool: runtimePool,
    optimistic,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger,
  });
  runtimes.push(runtime);
  return runtime;
}

async function newTopic(label: string, partitions: number) {
  const topic = userEventsTestTopic(`it.consumer.guarantees.${label}.${run}`, partitions);
  await createTopics(infra.kafkaBrokers, topic);
  topicsCreated.push(topic.name, `${topic.name}.dlq`);
  return topic;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

const committedTotal = async (groupId: string, topic: string) =>
  [...(await committedOffsets(kafka, groupId, topic)).values()].reduce((s, o) => s + (o > 0n ? o : 0n), 0n);

/**
 * A pool whose connection settings are given apart (not a connection string), so new connections
 * can be sent to a closed port (`pool.options.port = 1`) and back; `applicationName` finds its backends.
 */
function reroutablePool(applicationName: string): { pool: pg.Pool; port: number; errors: Error[] } {
  const url = new URL(infra.databaseUrl);
  const port = Number(url.port || 5432);
  const reroutable = new pg.Pool({
    host: url.hostname,
    port,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    max: 4,
    application_name: applicationName,
    options: `-c search_path=${schema}`,
  });
  const errors: Error[] = [];
  reroutable.on('error', (error) => errors.push(error)); // idle clients whose backend was terminated
  return { pool: reroutable, port, errors };
}

/** Terminates every backend of the pools with this application name; how many. */
async function terminateBackends(applicationName: string): Promise<number> {
  const result = await pool.query<{ n: string }>(
    'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return Number(result.rows[0]!.n);
}

/** Per partition, the committed offset against the records below it the group has a processed row for: each mismatch. */
async function offsetsHandled(
  groupId: string,
  topic: string,
): Promise<{ committed: Map<number, bigint>; violations: string[] }> {
  const committed = await committedOffsets(kafka, groupId, topic);
  const violations: string[] = [];
  for (const [partition, offset] of committed) {
    if (offset <= 0n) continue;
    const below = Number(
      (
        await pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1 AND topic = $2 AND kafka_partition = $3 AND kafka_offset < $4',
          [groupId, topic, partition, String(offset)],
        )
      ).rows[0]!.n,
    );
    if (BigInt(below) !== offset)
      violations.push(`partition ${partition}: committed ${offset}, handled below it ${below}`);
  }
  return { committed, violations };
}

beforeAll(async () => {
  kafka = testKafka(infra.kafkaBrokers, `consumer-guarantees-${run}`);
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

describe('consumer runtime guarantees', () => {
  it('a stop while a failed record waits for its retry leaves it for redelivery: no early dead letter, nothing committed past it, the next member handles it', async () => {
    const topic = await newTopic('stop-retry', 1);
    const groupId = `it-guarantees-stop-retry-${run}`;
    // A back-off far longer than the test waits: the stop has to end the wait, not outlast it.
    const slowRetry: RetryPolicy = {
      maxAttempts: 3,
      initialIntervalMs: 20_000,
      multiplier: 1,
      maxIntervalMs: 20_000,
    };
    const group = registeredGroup(groupId, topic, slowRetry);
    const before = Array.from({ length: 5 }, (_, i) => registeredRecord(7000 + i));
    const failing = registeredRecord(7100);
    const after = Array.from({ length: 5 }, (_, i) => registeredRecord(7200 + i));
    await produce(producer, topic.name, [...before, failing, ...after]);
    const ours = new Set([...before, failing, ...after].map((r) => r.id));
    const ourEffects = async () => (await effectsOf(pool)).filter((e) => ours.has(e.event_id));

    const attempts: number[] = [];
    const first = newRuntime();
    const firstConsumer = first.create(
      group,
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db, attempt }) => {
            if (event.id === failing.id) {
              attempts.push(attempt);
              throw new Error('the first member cannot handle this one');
            }
            await recordEffect(db, event.id, 'first', attempt);
          },
        },
      },
      { groupId },
    );
    await firstConsumer.ready;
    // Attempt 1 failed and the retrier is in its back-off (onRetry counts before it waits).
    await eventually(
      () => metricSum(first.metrics.retried, { topic: topic.name }),
      (n) => n === 1,
      20_000,
      'the failing record waiting for its second attempt',
    );
    const stopStarted = Date.now();
    await firstConsumer.stop();
    const stopMs = Date.now() - stopStarted;

    // The stop ended the 20 s back-off instead of waiting it out, and spent no further attempt.
    expect(stopMs).toBeLessThan(10_000);
    expect(attempts).toEqual([1]);
    // Not dead-lettered early: nothing on the dead-letter topic, nothing counted.
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    expect(await metricSum(first.metrics.deadLettered)).toBe(0);
    expect(await metricSum(first.metrics.consumed, { outcome: 'dead-lettered' })).toBe(0);
    // The records before it are committed; nothing at or past it is.
    expect((await committedOffsets(kafka, groupId, topic.name)).get(0)).toBe(BigInt(before.length));
    expect((await ourEffects()).filter((e) => e.member === 'first').map((e) => e.event_id)).toEqual(
      before.map((r) => r.id),
    );
    expect(
      await count(
        'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1 AND event_id = $2',
        [groupId, failing.id],
      ),
    ).toBe(0);

    // The next member starts at the waiting record, from attempt 1, and handles it and the rest once.
    const second = newRuntime();
    const secondConsumer = second.create(
      group,
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db, attempt }) => {
            await recordEffect(db, event.id, 'second', attempt);
          },
        },
      },
      { groupId },
    );
    await secondConsumer.ready;
    const total = before.length + 1 + after.length;
    await eventually(
      () => committedTotal(groupId, topic.name),
      (n) => n === BigInt(total),
      20_000,
      'the whole topic committed by the second member',
    );
    await secondConsumer.stop();

    const secondEffects = (await ourEffects()).filter((e) => e.member === 'second');
    expect(secondEffects.map((e) => e.event_id)).toEqual([failing, ...after].map((r) => r.id));
    expect(secondEffects[0]!.attempt).toBe(1);
    expect(await metricSum(second.metrics.consumed, { outcome: 'duplicate' })).toBe(0);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    console.log(
      `[stop during retry] stop took ${stopMs} ms of a 20 s back-off; attempts before stop ${attempts.length}; committed at stop ${before.length}; dead letters 0; second member handled ${secondEffects.length} starting at attempt ${secondEffects[0]!.attempt}`,
    );
  });
  it('PostgreSQL unreachable mid-stream: nothing skipped or dead-lettered, no offset past an unhandled record, every event handled exactly once after', async () => {
    const topic = await newTopic('pg-outage', 2);
    const groupId = `it-guarantees-pg-outage-${run}`;
    const EVENTS = 400;
    const applicationName = `guarantees-outage-${run}`;
    const { pool: outagePool, port, errors: poolErrors } = reroutablePool(applicationName);
    const records = Array.from({ length: EVENTS }, (_, i) => registeredRecord(8000 + i));
    await produce(producer, topic.name, records);
    const ours = new Set(records.map((r) => r.id));

    const runtime = newRuntime(outagePool);
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db }) => {
            await recordEffect(db, event.id, 'outage');
            await new Promise((resolve) => setTimeout(resolve, 10)); // still in the transaction
          },
        },
      },
      { groupId, partitionsConsumedConcurrently: 2 },
    );

    const ourEffects = () => count(`SELECT count(*) AS n FROM effects WHERE member = 'outage'`);
    const offsetsCovered = () => offsetsHandled(groupId, topic.name);

    await consumer.ready;
    await eventually(ourEffects, (n) => n >= 80, 20_000, 'a fifth of the stream handled');

    // The outage: new connections go to a closed port, and every backend of the consumer's pool is terminated.
    const terminate = () => terminateBackends(applicationName);
    let terminated = 0;
    let samples = 0;
    let handledAtOutage = 0;
    try {
      outagePool.options.port = 1;
      terminated += await terminate();
      handledAtOutage = await ourEffects();
      const outageEnds = Date.now() + 3_000;
      while (Date.now() < outageEnds) {
        terminated += await terminate();
        const { violations } = await offsetsCovered();
        expect(violations).toEqual([]);
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // Nothing was handled while PostgreSQL was unreachable, nothing was dead-lettered.
      expect(await ourEffects()).toBe(handledAtOutage);
      expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    } finally {
      outagePool.options.port = port;
    }
    expect(handledAtOutage).toBeLessThan(EVENTS); // really mid-stream

    await eventually(
      () => committedTotal(groupId, topic.name),
      (n) => n === BigInt(EVENTS),
      25_000,
      'the whole stream committed after the outage',
    );
    await consumer.stop();
    expect((await offsetsCovered()).violations).toEqual([]);

    const effects = (await effectsOf(pool)).filter((e) => ours.has(e.event_id));
    expect(effects).toHaveLength(EVENTS);
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(EVENTS);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    expect(await metricSum(runtime.metrics.consumed, { outcome: 'handled' })).toBe(EVENTS);
    expect(await metricSum(runtime.metrics.consumed, { outcome: 'dead-lettered' })).toBe(0);
    expect(await metricSum(runtime.metrics.deadLettered)).toBe(0);
    await outagePool.end();
    console.log(
      `[postgres outage] events ${EVENTS}; handled before the outage ${handledAtOutage}; backends terminated ${terminated}; offset checks during the outage ${samples}; effects after ${effects.length} (distinct ${EVENTS}); dead letters 0; pool errors ${poolErrors.length}`,
    );
  });

  it('a stop while PostgreSQL is unreachable ends the wait at once and commits nothing unhandled; the next member handles every event once', async () => {
    const topic = await newTopic('pg-outage-stop', 2);
    const groupId = `it-guarantees-pg-outage-stop-${run}`;
    const EVENTS = 600;
    const applicationName = `guarantees-outage-stop-${run}`;
    const { pool: outagePool, port } = reroutablePool(applicationName);
    const records = Array.from({ length: EVENTS }, (_, i) => registeredRecord(8500 + i));
    await produce(producer, topic.name, records);
    const ours = new Set(records.map((r) => r.id));
    const handler =
      (member: string) =>
      async (event: Registered, { db }: { db: pg.ClientBase }) => {
        await recordEffect(db, event.id, member);
        await new Promise((resolve) => setTimeout(resolve, 10)); // still in the transaction
      };
    const handledBy = (member: string) =>
      count('SELECT count(*) AS n FROM effects WHERE member = $1', [member]);
    const firstMember = `outage-stop-first-${run}`;
    const secondMember = `outage-stop-second-${run}`;

    const logger = recordingLogger();
    const first = newRuntime(outagePool, false, logger);
    const firstConsumer = first.create(
      registeredGroup(groupId, topic),
      { userEvents: { UserRegistered: handler(firstMember) } },
      { groupId, partitionsConsumedConcurrently: 2 },
    );
    await firstConsumer.ready;
    await eventually(
      () => handledBy(firstMember),
      (n) => n >= 40,
      20_000,
      'a fifth of the stream handled',
    );

    outagePool.options.port = 1;
    await terminateBackends(applicationName);
    // The runtime found PostgreSQL gone and is in its infrastructure wait (500 ms doubling).
    await eventually(
      () => logger.lines.filter((l) => l.level === 'error' && l.message.includes('retrying')).length,
      (n) => n >= 2,
      10_000,
      'the runtime waiting for PostgreSQL',
    );
    await terminateBackends(applicationName);
    const handledAtStop = await handledBy(firstMember);
    const stopStarted = Date.now();
    await firstConsumer.stop();
    const stopMs = Date.now() - stopStarted;
    outagePool.options.port = port;
    await outagePool.end();

    expect(stopMs).toBeLessThan(10_000);
    expect(handledAtStop).toBeLessThan(EVENTS);
    expect(await handledBy(firstMember)).toBe(handledAtStop);
    const atStop = await offsetsHandled(groupId, topic.name);
    expect(atStop.violations).toEqual([]);
    const committedAtStop = [...atStop.committed.values()].reduce((a, o) => a + (o > 0n ? o : 0n), 0n);
    expect(Number(committedAtStop)).toBe(handledAtStop);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);

    const second = newRuntime();
    const secondConsumer = second.create(
      registeredGroup(groupId, topic),
      { userEvents: { UserRegistered: handler(secondMember) } },
      { groupId, partitionsConsumedConcurrently: 2 },
    );
    await secondConsumer.ready;
    await eventually(
      () => committedTotal(groupId, topic.name),
      (n) => n === BigInt(EVENTS),
      20_000,
      'the whole stream committed by the second member',
    );
    await secondConsumer.stop();
    const effects = (await effectsOf(pool)).filter((e) => ours.has(e.event_id));
    expect(effects).toHaveLength(EVENTS);
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(EVENTS);
    expect(await handledBy(secondMember)).toBe(EVENTS - handledAtStop);
    expect(await metricSum(second.metrics.consumed, { outcome: 'duplicate' })).toBe(0);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    console.log(
      `[stop during postgres outage] events ${EVENTS}; handled before the outage ${handledAtStop}; stop took ${stopMs} ms; committed at stop ${committedAtStop}; second member handled ${EVENTS - handledAtStop}; effects ${effects.length} distinct ${EVENTS}; dead letters 0`,
    );
  });

  it.each([
    ['fenced', false],
    ['unfenced first (optimistic)', true],
  ] as const)(
    'a COMMIT PostgreSQL refuses (a deferred constraint trigger), %s: the record is not acknowledged as handled, keeps no effect, and is retried then dead-lettered per policy; the others are handled once',
    async (mode, optimistic) => {
      const topic = await newTopic(`commit-refused-${optimistic ? 'optimistic' : 'fenced'}`, 1);
      const groupId = `it-guarantees-commit-refused-${optimistic ? 'optimistic' : 'fenced'}-${run}`;
      // Checked only at COMMIT: the handler's INSERT succeeds, its transaction's COMMIT fails.
      await pool.query(`
      CREATE TABLE IF NOT EXISTS guarded (event_id text PRIMARY KEY, refuse boolean NOT NULL DEFAULT false);
      CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.refuse THEN RAISE EXCEPTION 'refused at commit: %', NEW.event_id; END IF;
          RETURN NULL;
        END $$;
      DROP TRIGGER IF EXISTS refuse_at_commit ON guarded;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON guarded
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
    `);
      const base = optimistic ? 50 : 0;
      const before = Array.from({ length: 4 }, (_, i) => registeredRecord(9500 + base + i));
      const refused = registeredRecord(9600 + base);
      const after = Array.from({ length: 4 }, (_, i) => registeredRecord(9700 + base + i));
      const records = [...before, refused, ...after];
      await produce(producer, topic.name, records);
      const ours = new Set(records.map((r) => r.id));

      const attempts: number[] = [];
      const runtime = newRuntime(pool, optimistic);
      const consumer = runtime.create(
        registeredGroup(groupId, topic),
        {
          userEvents: {
            UserRegistered: async (event: Registered, { db, attempt }) => {
              if (event.id === refused.id) attempts.push(attempt);
              await recordEffect(db, event.id, 'commit-refused', attempt);
              await db.query(
                'INSERT INTO guarded (event_id, refuse) VALUES ($1, $2) ON CONFLICT DO NOTHING',
                [event.id, event.id === refused.id],
              );
            },
          },
        },
        { groupId },
      );
      await consumer.ready;
      await eventually(
        () => committedTotal(groupId, topic.name),
        (n) => n === BigInt(records.length),
        25_000,
        'every record committed (the refused one dead-lettered)',
      );
      await consumer.stop();

      const dead = await readTopic(kafka, `${topic.name}.dlq`);
      expect(dead).toHaveLength(1);
      const letter = readDeadLetter(dead[0]!.headers);
      expect(letter).toMatchObject({
        originalTopic: topic.name,
        originalPartition: 0,
        originalOffset: String(before.length),
        attempts: FAST_RETRY.maxAttempts,
        reason: 'handler-failed',
      });
      expect(dead[0]!.headers['kafka_dlt-exception-message']?.toString()).toContain('refused at commit');
      // In the batch (attempt 1; unfenced, then fenced), then on its own per policy (attempts 1 to 3): none committed.
      expect(attempts).toEqual(optimistic ? [1, 1, 1, 2, 3] : [1, 1, 2, 3]);
      const effects = (await effectsOf(pool)).filter((e) => ours.has(e.event_id));
      expect(effects.map((e) => e.event_id)).toEqual([...before, ...after].map((r) => r.id));
      const claims = await pool.query<{ event_id: string }>(
        'SELECT event_id FROM consumer_processed_events WHERE group_id = $1',
        [groupId],
      );
      expect(new Set(claims.rows.map((r) => r.event_id))).toEqual(
        new Set([...before, ...after].map((r) => r.id)),
      );
      expect(await metricSum(runtime.metrics.consumed, { outcome: 'handled' })).toBe(records.length - 1);
      expect(await metricSum(runtime.metrics.consumed, { outcome: 'dead-lettered' })).toBe(1);
      expect(await metricSum(runtime.metrics.retried)).toBe(FAST_RETRY.maxAttempts - 1);
      console.log(
        `[commit refused, ${mode}] records ${records.length}; refused record's attempts ${attempts.join(',')}; dead-lettered with attempts ${letter.attempts}; effects ${effects.length} (none of the refused one); claims ${claims.rowCount}`,
      );
    },
  );

  it("a COMMIT failing with a serialization failure is the infrastructure's: the whole run is run again, no attempt spent, nothing dead-lettered", async () => {
    const topic = await newTopic('commit-serialization', 1);
    const groupId = `it-guarantees-commit-serialization-${run}`;
    // The first two COMMITs fail with 40001 (a sequence: its values survive the rollback), later ones pass.
    await pool.query(`
      CREATE SEQUENCE IF NOT EXISTS commit_faults;
      CREATE TABLE IF NOT EXISTS contended (event_id text PRIMARY KEY);
      CREATE OR REPLACE FUNCTION fail_first_commits() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('commit_faults') <= 2 THEN
            RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';
          END IF;
          RETURN NULL;
        END $$;
      DROP TRIGGER IF EXISTS fail_first_commits ON contended;
      CREATE CONSTRAINT TRIGGER fail_first_commits AFTER INSERT ON contended
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_first_commits();
    `);
    const records = Array.from({ length: 5 }, (_, i) => registeredRecord(9900 + i));
    await produce(producer, topic.name, records);
    const ours = new Set(records.map((r) => r.id));

    const attempts: number[] = [];
    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db, attempt }) => {
            attempts.push(attempt);
            // member: the transaction, to tell one transaction for the run from one per record.
            await db.query(
              'INSERT INTO effects (event_id, member, attempt) VALUES ($1, txid_current()::text, $2)',
              [event.id, attempt],
            );
            await db.query('INSERT INTO contended (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await eventually(
      () => committedTotal(groupId, topic.name),
      (n) => n === BigInt(records.length),
      20_000,
      'every record committed',
    );
    await consumer.stop();

    const effects = (await effectsOf(pool)).filter((e) => ours.has(e.event_id));
    expect(effects.map((e) => e.event_id)).toEqual(records.map((r) => r.id));
    // Run again as one transaction, as a whole: not cut into one transaction per record.
    expect(new Set(effects.map((e) => e.member)).size).toBe(1);
    expect(attempts.every((a) => a === 1)).toBe(true);
    expect(attempts).toHaveLength(3 * records.length);
    expect(await metricSum(runtime.metrics.retried)).toBe(0);
    expect(await metricSum(runtime.metrics.consumed, { outcome: 'handled' })).toBe(records.length);
    expect(await topicEnd(kafka, `${topic.name}.dlq`)).toBe(0n);
    console.log(
      `[commit serialization failure] records ${records.length}; handler calls ${attempts.length} (the run 3 times, all attempt 1); transactions committed 1; retries 0; dead letters 0`,
    );
  });

  it('domain_events_consumed_total counts each outcome exactly as often as it happened (handled, duplicate, skipped, dead-lettered)', async () => {
    const topic = await newTopic('metrics', 1);
    const groupId = `it-guarantees-metrics-${run}`;
    const r = Array.from({ length: 6 }, (_, i) => registeredRecord(9800 + i));
    const profiles = Array.from({ length: 3 }, (_, i) => profileUpdatedRecord(9850 + i));
    const poison = {
      key: '9860',
      value: Buffer.from('{"user_id": 9860,'),
      headers: { ...registeredRecord(9860).headers },
    };
    const doomed = registeredRecord(9870);
    const again = (record: (typeof r)[number], userId: number) => registeredRecord(userId, { id: record.id });
    const records = [
      r[0]!,
      r[1]!,
      profiles[0]!,
      r[2]!,
      poison,
      again(r[1]!, 9801),
      doomed,
      profiles[1]!,
      r[3]!,
      r[4]!,
      again(r[3]!, 9803),
      profiles[2]!,
      r[5]!,
    ];
    await produce(producer, topic.name, records);

    const runtime = newRuntime();
    const consumer = runtime.create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db, attempt }) => {
            if (event.id === doomed.id) throw new Error('never handled');
            await recordEffect(db, event.id, 'metrics', attempt);
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await eventually(
      () => committedTotal(groupId, topic.name),
      (n) => n === BigInt(records.length),
      20_000,
      'every record committed',
    );
    await consumer.stop();

    // What /metrics would answer, parsed: values by label, not only the names.
    const samples = parsePrometheusText(await runtime.metrics.registry.metrics());
    const consumed = (labels: Record<string, string>) =>
      sampleSum(samples, 'domain_events_consumed_total', { group: groupId, topic: topic.name, ...labels });
    const byOutcome = {
      handled: consumed({ outcome: 'handled' }),
      duplicate: consumed({ outcome: 'duplicate' }),
      skipped: consumed({ outcome: 'skipped' }),
      deadLettered: consumed({ outcome: 'dead-lettered' }),
    };
    expect(byOutcome).toEqual({ handled: 6, duplicate: 2, skipped: 3, deadLettered: 2 });
    expect(consumed({ outcome: 'handled', event_type: 'UserRegistered' })).toBe(6);
    expect(consumed({ outcome: 'duplicate', event_type: 'UserRegistered' })).toBe(2);
    expect(consumed({ outcome: 'skipped', event_type: 'UserProfileUpdated' })).toBe(3);
    expect(consumed({})).toBe(records.length);
    const deadLettered = (reason: string) =>
      sampleSum(samples, 'domain_events_dead_lettered_total', { group: groupId, topic: topic.name, reason });
    expect(deadLettered('undecodable')).toBe(1);
    expect(deadLettered('handler-failed')).toBe(1);
    expect(sampleSum(samples, 'domain_events_dead_lettered_total', { group: groupId })).toBe(2);
    // The doomed record: attempt 1 in the batch, then 2 retries; the 6 handled records once each.
    expect(sampleSum(samples, 'domain_events_retried_total', { group: groupId })).toBe(
      FAST_RETRY.maxAttempts - 1,
    );
    expect(sampleSum(samples, 'domain_event_handler_duration_seconds_count', { group: groupId })).toBe(
      6 + FAST_RETRY.maxAttempts,
    );
    // And the counts agree with what happened.
    const effects = (await effectsOf(pool)).filter((e) => e.member === 'metrics');
    expect(effects).toHaveLength(6);
    expect(await readTopic(kafka, `${topic.name}.dlq`)).toHaveLength(2);
    console.log(
      `[metrics] records ${records.length}: consumed_total handled ${byOutcome.handled}, duplicate ${byOutcome.duplicate}, skipped ${byOutcome.skipped}, dead-lettered ${byOutcome.deadLettered}; dead_lettered_total undecodable 1, handler-failed 1; retried 2; handler calls ${6 + FAST_RETRY.maxAttempts}`,
    );
  });
});
