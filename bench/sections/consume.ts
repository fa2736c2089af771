/**
 * Consumer throughput on a backlog of `events` UserRegistered events (the
 * contract's user.events under a topic of the benchmark's own), each variant
 * reading the whole topic in a fresh consumer group, `concurrency` partitions
 * at a time:
 *
 * - bare: kafkajs `eachBatch`, `JSON.parse` per record, nothing else (the floor);
 * - fair baseline: what a careful hand-written kafkajs consumer of the same
 *   contract does per batch: headers decoded and the value parsed, both
 *   validated with the generated ajv validators, the batch's event ids claimed
 *   in `consumer_processed_events` in one transaction per `maxRecords` records,
 *   offsets resolved and committed after each COMMIT;
 * - typed, no-op handler: the consumer runtime (decode, validate, claim,
 *   handler, COMMIT, offsets);
 * - typed, handler writing one row per event through `context.db`;
 * - typed, batch-form handler (`{ batch(events, context) }`) writing the same
 *   rows with one multi-row INSERT per call.
 *
 * The typed rows run on each consumer client (kafkajs, @platformatic/kafka).
 *
 * Time runs from the first record a consumer sees to the last one finished
 * (the runtime: counted after its COMMIT), so group joins are left out.
 */
import type pg from 'pg';
import { eventExamples } from '../../generated/examples.ts';
import { userEventsTopic } from '../../generated/topics.ts';
import { validateUserRegisteredHeaders, validateUserRegisteredPayload } from '../../generated/validators.js';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { DEFAULT_MAX_RECORDS_PER_TRANSACTION } from '../../runtime/consume/runner.ts';
import type { ConsumerGroupDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { OutgoingEvent } from '../../runtime/contract/events.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { CONSUMER_CLIENTS, type ConsumerClientName } from '../harness/clients.ts';
import type { SectionRecorder } from '../harness/report.ts';
import {
  type BenchInfra,
  benchTopic,
  createSchema,
  createTopic,
  deleteTopics,
  dropSchemas,
  runId,
  schemaPool,
  until,
} from '../harness/resources.ts';
import { perSecond } from '../harness/stats.ts';

export interface ConsumeOptions {
  readonly events: number;
  readonly runs: number;
  readonly partitions: number;
  /** Partitions handled at once, by every variant. */
  readonly concurrency: number;
  /** Records per transaction, the runtime's and the baseline's. */
  readonly maxRecords: number;
  /** The client whose typed rows the targets are checked on. */
  readonly client: ConsumerClientName;
  /** The clients the typed rows run on. */
  readonly clients: readonly ConsumerClientName[];
}

export const CONSUME_FULL: ConsumeOptions = {
  events: 50_000,
  runs: 3,
  partitions: 6,
  concurrency: 3,
  maxRecords: DEFAULT_MAX_RECORDS_PER_TRANSACTION,
  client: 'platformatic',
  clients: ['platformatic', 'kafkajs'],
};
export const CONSUME_QUICK: ConsumeOptions = { ...CONSUME_FULL, events: 1_000, runs: 1 };

type UserRegistered = (typeof eventExamples.UserRegistered)[0]['payload'];

/** What a benchmark's consumer child process is told: where, and the `consumeFixture` topic to read. */
export interface ConsumerChildTarget {
  readonly role: 'consumer';
  readonly infra: BenchInfra;
  readonly schema: string;
  readonly topic: string;
  readonly partitions: number;
}

/** A topic carrying user.events' events, and one consumer group subscribed to UserRegistered on it. */
export function consumeFixture(name: string, partitions: number) {
  const topic = benchTopic(userEventsTopic as unknown as TopicDefinition, name, partitions);
  const group = (groupId: string): ConsumerGroupDefinition => ({
    groupId,
    context: 'bench',
    subscriptions: [
      {
        topic,
        handlerKey: 'userEvents',
        events: ['UserRegistered'],
        retry: { maxAttempts: 3, initialIntervalMs: 200, multiplier: 2, maxIntervalMs: 5_000 },
        deadLetterTopic: `${name}.dlq`,
      },
    ],
  });
  return { topic, group };
}

/** Publishes `count` valid UserRegistered events (one user id each, so keys spread) with the typed producer. */
export async function publishUserBacklog(
  infra: BenchInfra,
  topic: TopicDefinition,
  count: number,
  from = 0,
): Promise<void> {
  const producer = createKafkajsProducer({
    kafka: createKafka({ brokers: infra.brokers, clientId: 'bench-backlog' }),
  });
  const publisher = createEventProducer({ producer }).topic(
    topic as unknown as TopicDefinition<{ UserRegistered: UserRegistered }>,
  );
  const example = eventExamples.UserRegistered[0]!.payload;
  try {
    for (let start = from; start < from + count; start += 10_000) {
      const events: OutgoingEvent<{ UserRegistered: UserRegistered }>[] = [];
      for (let i = start; i < Math.min(from + count, start + 10_000); i++) {
        events.push({
          type: 'UserRegistered',
          payload: {
            ...example,
            user_id: i + 1,
            email: `user${i + 1}@example.com`,
            username: `user${i + 1}`,
          },
        });
      }
      await publisher.publishAll(events);
    }
  } finally {
    await producer.disconnect();
  }
}

const timeoutFor = (events: number) => Math.max(120_000, events * 20);

/** The floor: read and `JSON.parse` every value. Events per second. */
async function bare(infra: BenchInfra, name: string, options: ConsumeOptions): Promise<number> {
  const kafka = createKafka({ brokers: infra.brokers, clientId: 'bench-bare' });
  const consumer = kafka.consumer({ groupId: `bench-bare-${runId()}`, maxWaitTimeInMs: 100 });
  let seen = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const message of batch.messages) JSON.parse(message.value!.toString('utf8'));
        seen += batch.messages.length;
        if (seen >= options.events) last = performance.now();
      },
    });
    await until(
      'the bare consumer to read every record',
      () => seen >= options.events,
      timeoutFor(options.events),
    );
  } finally {
    await consumer.disconnect();
  }
  return perSecond(options.events, last - first);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The fair hand-written baseline (see the module comment). Events per second. */
async function fairBaseline(
  infra: BenchInfra,
  name: string,
  schema: string,
  options: ConsumeOptions,
): Promise<number> {
  const pool = schemaPool(infra, schema, options.concurrency + 1);
  const groupId = `bench-fair-${runId()}`;
  const kafka = createKafka({ brokers: infra.brokers, clientId: 'bench-fair' });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  let done = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: options.concurrency,
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
        if (first === 0) first = performance.now();
        for (let i = 0; i < batch.messages.length; i += options.maxRecords) {
          const chunk = batch.messages.slice(i, i + options.maxRecords);
          const ids: string[] = [];
          const offsets: string[] = [];
          for (const message of chunk) {
            const headers: Record<string, string> = {};
            for (const [key, value] of Object.entries(message.headers ?? {})) {
              if (Buffer.isBuffer(value)) headers[key] = utf8.decode(value);
            }
            const payload: unknown = JSON.parse(utf8.decode(message.value!));
            if (!validateUserRegisteredHeaders(headers) || !validateUserRegisteredPayload(payload)) {
              throw new Error(`fair baseline: record ${message.offset} of ${name} is invalid`);
            }
            ids.push(headers.ce_id!);
            offsets.push(message.offset);
          }
          const db: pg.PoolClient = await pool.connect();
          try {
            await db.query('BEGIN');
            await db.query(
              `INSERT INTO consumer_processed_events (group_id, event_id, topic, kafka_partition, kafka_offset)
               SELECT $1, c.event_id, $2, $3, c.kafka_offset
               FROM unnest($4::text[], $5::bigint[]) AS c (event_id, kafka_offset)
               ON CONFLICT (group_id, event_id) DO NOTHING`,
              [groupId, name, batch.partition, ids, offsets],
            );
            await db.query('COMMIT');
          } finally {
            db.release();
          }
          resolveOffset(chunk.at(-1)!.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
          done += chunk.length;
        }
        if (done >= options.events && last === 0) last = performance.now();
      },
    });
    await until(
      'the fair baseline to finish every record',
      () => done >= options.events,
      timeoutFor(options.events),
    );
  } finally {
    await consumer.disconnect();
    await pool.end();
  }
  return perSecond(options.events, last - first);
}

/** What the typed consumer's handler does: nothing, one INSERT per event, or one multi-row INSERT per batch call. */
export type TypedHandlerKind = 'noop' | 'one-row' | 'batch-rows';

/** The consumer runtime with a handler of `kind`. Events per second. */
export async function typedConsumer(
  infra: BenchInfra,
  fixture: ReturnType<typeof consumeFixture>,
  schema: string,
  options: Pick<ConsumeOptions, 'events' | 'concurrency' | 'maxRecords' | 'client'>,
  kind: TypedHandlerKind,
): Promise<number> {
  const pool = schemaPool(infra, schema, Math.max(10, options.concurrency + 1));
  const deadLetterProducer = createKafkajsProducer({
    kafka: createKafka({ brokers: infra.brokers, clientId: 'bench-dlq' }),
    compression: 'none',
  });
  const metrics = new RuntimeMetrics();
  const runtime = createConsumerRuntime({
    kafka: CONSUMER_CLIENTS[options.client](infra.brokers),
    pool,
    deadLetterProducer,
    metrics,
    maxWaitTimeMs: 100,
    maxRecordsPerTransaction: options.maxRecords,
  });
  const groupId = `bench-typed-${runId()}`;
  let first = 0;
  const noop = () => {
    if (first === 0) first = performance.now();
  };
  const insert = async (event: { id: string }, { db }: { db: pg.PoolClient }) => {
    if (first === 0) first = performance.now();
    await db.query('INSERT INTO bench_effects (group_id, event_id) VALUES ($1, $2)', [groupId, event.id]);
  };
  const insertAll = {
    batch: async (events: readonly { id: string }[], { db }: { db: pg.PoolClient }) => {
      if (first === 0) first = performance.now();
      await db.query('INSERT INTO bench_effects (group_id, event_id) SELECT $1, unnest($2::text[])', [
        groupId,
        events.map((e) => e.id),
      ]);
    },
  };
  const handler = kind === 'noop' ? noop : kind === 'one-row' ? insert : insertAll;
  const consumer = runtime.create(
    fixture.group(groupId),
    { userEvents: { UserRegistered: handler } },
    { groupId, partitionsConsumedConcurrently: options.concurrency },
  );
  let last = 0;
  try {
    await consumer.ready;
    await until(
      'the typed consumer to finish every record',
      async () => {
        const values = (await metrics.consumed.get()).values.filter((v) => v.labels.group === groupId);
        if ((await metrics.retried.get()).values.some((v) => v.labels.group === groupId && v.value > 0)) {
          throw new Error(`handler failures in ${groupId}: the benchmark's handlers must not fail`);
        }
        if (values.reduce((s, v) => s + v.value, 0) < options.events) return false;
        last = performance.now();
        return true;
      },
      timeoutFor(options.events),
    );
  } finally {
    await consumer.stop();
    await deadLetterProducer.disconnect();
    await pool.end();
  }
  return perSecond(options.events, last - first);
}

export async function runConsume(
  infra: BenchInfra,
  options: ConsumeOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const id = runId();
  const name = `bench.consume.${id}`;
  const schema = `bench_consume_${id}`;
  const fixture = consumeFixture(name, options.partitions);
  try {
    await createTopic(infra, fixture.topic);
    await createSchema(infra, schema);
    const admin = schemaPool(infra, schema, 1);
    await admin.query(
      'CREATE TABLE bench_effects (group_id text, event_id text, PRIMARY KEY (group_id, event_id))',
    );
    await admin.end();
    await publishUserBacklog(infra, fixture.topic, options.events);
    const kinds: readonly TypedHandlerKind[] = ['noop', 'one-row', 'batch-rows'];
    const bareRuns: number[] = [];
    const fairRuns: number[] = [];
    const typed = new Map<string, number[]>();
    const slot = (client: ConsumerClientName, kind: TypedHandlerKind) => {
      const key = `${kind}-${client}`;
      const list = typed.get(key) ?? [];
      typed.set(key, list);
      return list;
    };
    for (let run = 0; run < options.runs; run++) {
      bareRuns.push(await bare(infra, name, options));
      fairRuns.push(await fairBaseline(infra, name, schema, options));
      for (const client of options.clients) {
        for (const kind of kinds) {
          slot(client, kind).push(await typedConsumer(infra, fixture, schema, { ...options, client }, kind));
        }
      }
    }
    recorder.add('bare-json-parse', 'bare kafkajs loop, JSON.parse only', 'events/s', bareRuns);
    recorder.add(
      'fair-baseline',
      'fair hand-written kafkajs baseline (parse, validate, claim, commit)',
      'events/s',
      fairRuns,
    );
    const describe: Record<TypedHandlerKind, string> = {
      noop: 'no-op handler',
      'one-row': 'handler writing one row per event',
      'batch-rows': 'batch handler writing one row per event (one multi-row INSERT per call)',
    };
    for (const client of options.clients) {
      for (const kind of kinds) {
        recorder.add(
          `typed-${kind}-${client}`,
          `typed runtime (${client}), ${describe[kind]}`,
          'events/s',
          slot(client, kind),
        );
      }
      recorder.add(
        `typed-vs-fair-baseline-${client}`,
        `typed no-op (${client}) / fair baseline (per run)`,
        'ratio',
        slot(client, 'noop').map((r, i) => r / fairRuns[i]!),
      );
    }
    // The rows the targets are checked on: the client `options.client` names.
    recorder.add(
      'typed-vs-fair-baseline',
      `typed no-op (${options.client}) / fair baseline (per run)`,
      'ratio',
      slot(options.client, 'noop').map((r, i) => r / fairRuns[i]!),
    );
    recorder.add(
      'typed-one-row',
      `typed runtime (${options.client}), one row per event, the faster of the per-event and batch handler forms`,
      'events/s',
      slot(options.client, 'one-row').map((r, i) => Math.max(r, slot(options.client, 'batch-rows')[i]!)),
    );
    recorder.add(
      'typed-vs-bare',
      `typed no-op (${options.client}) / bare loop (per run)`,
      'ratio',
      slot(options.client, 'noop').map((r, i) => r / bareRuns[i]!),
    );
  } finally {
    await deleteTopics(infra, [name]).catch(() => {});
    await dropSchemas(infra, [schema]).catch(() => {});
  }
}
