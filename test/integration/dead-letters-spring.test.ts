/**
 * Java interop on the real broker: the platform's subscribers are Spring Kafka listeners, so
 *
 * 1. a Spring @KafkaListener (interop/spring-kafka, spring-kafka 3.3.10, headers through
 *    DefaultKafkaHeaderMapper and @Header(KafkaHeaders.DLT_*), required by default) reads every kind
 *    of dead letter our consumer runtime writes, and decodes what we wrote;
 * 2. Spring's DeadLetterPublishingRecoverer dead-letters a record; `npm run dlq` shows it decoded
 *    and replays it, and our consumer then handles it once;
 * 3. Spring dead-letters one of our dead letters again (a copy replayed with its headers kept):
 *    `npm run dlq` reports Spring's exception without our earlier reason and attempt count.
 *
 * The Java program is built with Maven on first use (cached outside the clone); without java or
 * mvn the test fails saying so.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSpringInterop, type SpringInterop } from '../../interop/spring-kafka/build.ts';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { NonRetriableError, type ReceivedEvent } from '../../runtime/contract/events.ts';
import { runDlqCli } from '../../runtime/dead-letters/cli.ts';
import type { ActionReport, TopicSummary } from '../../runtime/dead-letters/dead-letters.ts';
import type { DeadLetterView } from '../../runtime/dead-letters/view.ts';
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
  prepareSchema,
  produce,
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
const schema = `dlq_spring_it_${run}`;
const ledgerSchema = `dlq_spring_ledger_it_${run}`;
const topicsCreated: string[] = [];

let kafka: Kafka;
let pool: pg.Pool;
let producer: Producer;
let deadLetterProducer: KafkaProducerPort;
let spring: SpringInterop;
const runtimes: ConsumerRuntime[] = [];

type Registered = ReceivedEvent<'UserRegistered', { user_id: number }, Record<string, string>>;
class PermissionRuleViolation extends NonRetriableError {}

const SPRING_LEFE = 'org.springframework.kafka.listener.ListenerExecutionFailedException';

async function newTopic(label: string, partitions: number) {
  const topic = userEventsTestTopic(`it.dlq.spring.${label}.${run}`, partitions);
  await createTopics(infra.kafkaBrokers, topic);
  topicsCreated.push(topic.name, `${topic.name}.dlq`);
  return topic;
}

async function dlqJson<T>(...argv: string[]): Promise<T> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDlqCli(
    [...argv, '--json'],
    {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: infra.databaseUrl,
      DLQ_LEDGER_SCHEMA: ledgerSchema,
      USER: 'interop-test',
    },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  if (code !== 0) throw new Error(`dlq ${argv.join(' ')} exited ${code}: ${err.join('\n')}`);
  return JSON.parse(out.join('\n')) as T;
}

/** The Spring program's `read`: one JSON object per dead letter it decoded. */
const springRead = (topic: string, count: number) =>
  spring
    .run(
      ['read', '--brokers', infra.kafkaBrokers.join(','), '--topic', topic, '--count', String(count)],
      120_000,
    )
    .then((r) => {
      if (r.code !== 0) throw new Error(`Spring read exited ${r.code}:\n${r.stderr.slice(-3000)}`);
      return r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    });

const springDeadLetter = async (
  topic: string,
  partition: number,
  offset: string,
  group: string,
  message: string,
) => {
  const r = await spring.run(
    [
      'dead-letter',
      '--brokers',
      infra.kafkaBrokers.join(','),
      '--topic',
      topic,
      '--partition',
      String(partition),
      '--offset',
      offset,
      '--dlq',
      `${topic}.dlq`,
      '--group',
      group,
      '--message',
      message,
    ],
    120_000,
  );
  if (r.code !== 0) throw new Error(`Spring dead-letter exited ${r.code}:\n${r.stderr.slice(-3000)}`);
};

beforeAll(async () => {
  const started = Date.now();
  spring = await ensureSpringInterop({ log: (line) => console.log(`[spring interop] ${line}`) });
  console.log(
    `[spring interop] ${spring.buildMs !== undefined ? `built in ${(spring.buildMs / 1000).toFixed(1)} s` : `reused the build in ${spring.dir}`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  kafka = testKafka(infra.kafkaBrokers, `dlq-spring-it-${run}`);
  await prepareSchema(infra.databaseUrl, schema);
  pool = schemaPool(infra.databaseUrl, schema);
  producer = await connectProducer(kafka);
  deadLetterProducer = testKafkaClients().producer({ compression: 'none' });
}, 900_000);

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.stopAll()));
  await producer?.disconnect();
  await deadLetterProducer?.disconnect();
  await pool?.end();
  if (kafka) await deleteTopics(kafka, topicsCreated);
  await dropSchema(infra.databaseUrl, schema);
  await dropSchema(infra.databaseUrl, ledgerSchema);
});

function runtime(): ConsumerRuntime {
  const r = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer,
    metrics: new RuntimeMetrics(),
    logger: recordingLogger(),
  });
  runtimes.push(r);
  return r;
}

/** Our dead letters of every reason, written by the consumer runtime. */
let ours: ReadRecord[] = [];
let oursTopic = '';

describe('Spring Kafka interop', () => {
  it('a Spring @KafkaListener reads every kind of our dead letters with KafkaHeaders.DLT_*', async () => {
    const topic = await newTopic('ours', 2);
    oursTopic = topic.name;
    const groupId = `it-spring-ours-${run}`;
    const failing = registeredRecord(9001, { partition: 0 });
    const rule = registeredRecord(9002, { partition: 1 });
    const base = registeredRecord(9003, { partition: 0 });
    const notJson: WireRecord = {
      key: '9003',
      value: Buffer.from('{"user_id": 9003,'),
      headers: { ...base.headers, ce_id: randomUUID() },
      partition: 0,
    };
    const { email: _email, ...withoutEmail } = JSON.parse(base.value!.toString()) as Record<string, unknown>;
    const invalid: WireRecord = {
      key: '9003',
      value: Buffer.from(JSON.stringify(withoutEmail)),
      headers: { ...base.headers, ce_id: randomUUID() },
      partition: 1,
    };
    const unknownType: WireRecord = {
      key: '9003',
      value: base.value,
      headers: { ...base.headers, ce_id: randomUUID(), ce_type: 'UserDeleted' },
      partition: 1,
    };
    await produce(producer, topic.name, [failing, rule, notJson, invalid, unknownType]);
    const consumer = runtime().create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered) => {
            if (event.id === failing.id) throw new TypeError('profile store rejected 9001');
            if (event.id === rule.id) throw new PermissionRuleViolation('user 9002 may not grant ADMIN');
          },
        },
      },
      { groupId },
    );
    await consumer.ready;
    await waitFor(
      'five dead letters',
      async () => (await topicEnd(kafka, `${topic.name}.dlq`)) === 5n || undefined,
      60_000,
    );
    await consumer.stop();
    ours = await readTopic(kafka, `${topic.name}.dlq`);
    expect(ours).toHaveLength(5);

    const lines = await springRead(`${topic.name}.dlq`, 5);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.error, JSON.stringify(line)).toBeUndefined();
    const byPosition = new Map(lines.map((l) => [`${l.partition}:${l.offset}`, l]));
    const reasons: string[] = [];
    for (const letter of ours) {
      const line = byPosition.get(`${letter.partition}:${letter.offset}`);
      expect(line, `Spring read ${letter.partition}:${letter.offset}`).toBeDefined();
      const h = letter.headers;
      const text = (key: string) => h[key]?.toString('utf8');
      expect(line).toEqual({
        partition: letter.partition,
        offset: Number(letter.offset),
        key: letter.key?.toString('utf8') ?? null,
        value: letter.value?.toString('utf8'),
        ceId: text('ce_id'),
        originalTopic: topic.name,
        originalPartition: h['kafka_dlt-original-partition']!.readInt32BE(),
        originalOffset: Number(h['kafka_dlt-original-offset']!.readBigInt64BE()),
        originalTimestamp: Number(h['kafka_dlt-original-timestamp']!.readBigInt64BE()),
        originalTimestampType: 'CreateTime',
        originalConsumerGroup: groupId,
        exceptionFqcn: text('kafka_dlt-exception-fqcn'),
        exceptionCauseFqcn: text('kafka_dlt-exception-cause-fqcn'),
        exceptionMessage: text('kafka_dlt-exception-message'),
        exceptionStacktraceFirstLine: text('kafka_dlt-exception-stacktrace')!.split('\n')[0],
        deliveryAttempt: h.kafka_deliveryAttempt!.readInt32BE(),
        deliveryAttemptType: 'java.lang.Integer',
        reason: text('kafka_dlt-reason'),
      });
      reasons.push(`${line!.reason}:${line!.exceptionFqcn}←${line!.exceptionCauseFqcn}`);
    }
    expect(reasons.sort()).toEqual([
      'handler-failed:HandlerFailedError←TypeError',
      'non-retriable:PermissionRuleViolation←PermissionRuleViolation',
      'schema-invalid:EventValidationError←EventValidationError',
      'undecodable:UndecodableRecordError←SyntaxError',
      'unknown-type:UnknownEventTypeError←UnknownEventTypeError',
    ]);
    console.log(
      `[spring interop] a Spring @KafkaListener decoded our 5 dead letters: ${reasons.sort().join(', ')}`,
    );
  }, 300_000);

  it('Spring’s DeadLetterPublishingRecoverer writes a dead letter that npm run dlq shows and replays', async () => {
    const topic = await newTopic('theirs', 3);
    const dlq = `${topic.name}.dlq`;
    const record = registeredRecord(9101, { partition: 1 });
    await produce(producer, topic.name, [record]);
    await springDeadLetter(topic.name, 1, '0', 'permission-server', 'permission service down');

    const shown = await dlqJson<{ records: (DeadLetterView & { ledger: unknown })[] }>('show', dlq, '1:0');
    expect(shown.records).toHaveLength(1);
    const view = shown.records[0]!;
    expect(view).toMatchObject({
      eventId: record.id,
      eventType: 'UserRegistered',
      key: '9101',
      reasonLabel: '(none)',
      exceptionLabel: `${SPRING_LEFE} ← java.lang.IllegalStateException`,
      groupLabel: 'permission-server',
      value: { kind: 'json', json: JSON.parse(record.value!.toString()) },
      provenance: {
        originalTopic: topic.name,
        originalPartition: 1,
        originalOffset: '0',
        originalTimestampType: 'CreateTime',
        originalConsumerGroup: 'permission-server',
        exceptionFqcn: SPRING_LEFE,
        exceptionCauseFqcn: 'java.lang.IllegalStateException',
        exceptionMessage: 'Listener failed; permission service down',
      },
    });
    expect(view.provenance.reason).toBeUndefined();
    expect(view.provenance.attempts).toBeUndefined();
    expect(view.provenance.exceptionStacktrace).toMatch(
      new RegExp(`^${SPRING_LEFE.replace(/\./g, '\\.')}: Listener failed`),
    );
    expect(Number(view.provenance.originalTimestamp)).toBeGreaterThan(Date.now() - 600_000);

    const listed = await dlqJson<{ topics: TopicSummary[] }>('list', dlq);
    expect(listed.topics[0]!.rows).toEqual([
      {
        reason: '(none)',
        exception: `${SPRING_LEFE} ← java.lang.IllegalStateException`,
        group: 'permission-server',
        records: 1,
        replayed: 0,
        discarded: 0,
        pending: 0,
      },
    ]);

    // Our service, subscribed from now on, handles the replayed copy exactly once.
    const groupId = `it-spring-theirs-${run}`;
    const consumer = runtime().create(
      registeredGroup(groupId, topic),
      {
        userEvents: {
          UserRegistered: async (event: Registered, { db }) => {
            await recordEffect(db, event.id, groupId);
          },
        },
      },
      { groupId, startFrom: 'latest' },
    );
    await consumer.ready;
    const replayed = await dlqJson<ActionReport>(
      'replay',
      dlq,
      '--reason',
      'none',
      '--group',
      'permission-server',
    );
    expect(replayed.counts).toEqual({ replayed: 1 });
    expect(replayed.items[0]!.replayedTo).toBe(`${topic.name}:1:1`);
    await waitFor(
      'the replayed copy handled',
      async () =>
        (await effectsOf(pool)).some((e) => e.event_id === record.id && e.member === groupId) || undefined,
    );
    await consumer.stop();
    expect(
      (await effectsOf(pool)).filter((e) => e.event_id === record.id && e.member === groupId),
    ).toHaveLength(1);
    const copy = (await readTopic(kafka, topic.name)).find((r) => r.partition === 1 && r.offset === '1')!;
    expect(Object.keys(copy.allHeaders).filter((k) => k.startsWith('kafka_'))).toEqual([]);
    expect(copy.headers['x-replayed-from']?.toString()).toBe(`${dlq}:1:0`);
    expect(copy.headers.ce_id?.toString()).toBe(record.id);
    expect(copy.value).toEqual(record.value);
  }, 300_000);

  it('Spring dead-letters one of our dead letters again: its exception, not our earlier reason and attempts', async () => {
    expect(ours.length).toBe(5);
    const ourLetter = ours.find((l) => l.headers['kafka_dlt-reason']?.toString() === 'handler-failed')!;
    const topic = await newTopic('again', 1);
    // A copy replayed with every header kept (a tool other than ours), which a Spring service fails on.
    await producer.send({
      topic: topic.name,
      acks: -1,
      messages: [
        {
          key: ourLetter.key,
          value: ourLetter.value,
          headers: ourLetter.allHeaders as unknown as IHeaders,
          partition: 0,
        },
      ],
    });
    await springDeadLetter(topic.name, 0, '0', 'permission-server', 'still failing');

    const [view] = (await dlqJson<{ records: DeadLetterView[] }>('show', `${topic.name}.dlq`, '0:0')).records;
    expect(view!.provenance).toMatchObject({
      originalTopic: topic.name, // the newest of the appended original-* headers
      originalPartition: 0,
      originalOffset: '0',
      originalConsumerGroup: 'permission-server',
      exceptionFqcn: SPRING_LEFE,
      exceptionCauseFqcn: 'java.lang.IllegalStateException',
      exceptionMessage: 'Listener failed; still failing',
      earlierReason: 'handler-failed',
    });
    expect(view!.provenance.reason).toBeUndefined();
    expect(view!.provenance.attempts).toBeUndefined();
    expect(view!.reasonLabel).toBe('(none)');
    // Spring itself kept our stale reason header as it kept every other header.
    const [line] = await springRead(`${topic.name}.dlq`, 1);
    expect(line).toMatchObject({
      exceptionFqcn: SPRING_LEFE,
      originalTopic: topic.name,
      reason: 'handler-failed',
    });
    expect(oursTopic).not.toBe('');
  }, 300_000);
});
