/**
 * `npm run bench:consume [-- --events 50000 --runs 3 --concurrency 1,3 --max-records 500 --only <label part>]`:
 * how fast a consumer group catches up on a backlog (`--concurrency`: the runtime's
 * `partitionsConsumedConcurrently` values to try; `--max-records`: its `maxRecordsPerTransaction`;
 * `BENCH_LOG=1` prints kafkajs' log).
 *
 * Publishes `--events` valid `UserRegistered` events (the contract's example, one
 * user id each, so keys spread over the partitions) with the runtime's producer to
 * a fresh topic with `user.events`' partition count, then reads the whole topic,
 * each run in a fresh consumer group:
 *
 * - raw kafkajs: `eachBatch`, `JSON.parse` per record, nothing else (the floor);
 * - runtime, no-op handler: decode + validate + the idempotency transaction
 *   (claim in `consumer_processed_events`, handler, COMMIT, offsets);
 * - runtime, handler writing one row through `context.db` (a realistic handler).
 *
 * Not measured: the runtime without the database claim. `HandlerContext.db` is a
 * required `PoolClient` in the contract types, so a claim-less mode does not fit them.
 *
 * Time runs from the first record a consumer sees to the last one counted as
 * finished (for the runtime: its `domain_events_consumed_total`, counted after the
 * database commit), so group joins are left out. Prints the median of `--runs`.
 * Needs Kafka (`KAFKA_BROKERS`, default 127.0.0.1:9092) and PostgreSQL
 * (`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test); the topic and
 * the database schema it creates are deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { eventExamples } from '../generated/examples.ts';
import { userEventsTopic } from '../generated/topics.ts';
import { createConsumerRuntime } from '../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition, TopicDefinition } from '../runtime/contract/definitions.ts';
import type { OutgoingEvent } from '../runtime/contract/events.ts';
import { jsonLineLogger } from '../runtime/core/logger.ts';
import { DEFAULT_DATABASE_URL, migrate, quoteIdent } from '../runtime/db/migrate.ts';
import { createKafka, kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../runtime/produce/event-producer.ts';
import { applyTopics } from '../runtime/topics/apply.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,3' },
    'max-records': { type: 'string' },
    only: { type: 'string' },
  },
});
const EVENTS = Math.max(1, Number(values.events));
const RUNS = Math.max(1, Number(values.runs));
const MAX_RECORDS = values['max-records'] === undefined ? undefined : Number(values['max-records']);
const ONLY = values.only;
const CONCURRENCY = values.concurrency
  .split(',')
  .map((c) => Number(c.trim()))
  .filter((c) => Number.isInteger(c) && c > 0);

const brokers = kafkaBrokersFromEnv();
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const run = randomBytes(4).toString('hex');
const topicName = `bench.consume.${run}`;
const schema = `bench_consume_${run}`;
const partitions = userEventsTopic.spec.partitions;

// The contract's user.events under another name: each event definition names its topic too (the producer
// publishes there), so every one is re-pointed at the benchmark topic.
const topic: TopicDefinition = {
  name: topicName,
  spec: { ...userEventsTopic.spec, name: topicName, deadLetterTopic: `${topicName}.dlq` },
  events: Object.fromEntries(
    Object.entries(userEventsTopic.events).map(([type, definition]) => [
      type,
      { ...definition, topic: topicName },
    ]),
  ) as unknown as TopicDefinition['events'],
};
const group = (groupId: string): ConsumerGroupDefinition => ({
  groupId,
  context: 'bench',
  subscriptions: [
    {
      topic,
      handlerKey: 'userEvents',
      events: ['UserRegistered'],
      retry: { maxAttempts: 3, initialIntervalMs: 200, multiplier: 2, maxIntervalMs: 5_000 },
      deadLetterTopic: `${topicName}.dlq`,
    },
  ],
});

const kafka = createKafka({
  brokers,
  clientId: `bench-consume-${run}`,
  ...(process.env.BENCH_LOG ? { logger: jsonLineLogger('info'), logLevel: 'info' as const } : {}),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setUp(): Promise<void> {
  await applyTopics(brokers, [
    topic.spec,
    {
      name: `${topicName}.dlq`,
      kind: 'dead-letter',
      partitions,
      replicas: 1,
      config: {},
      deadLetterFor: topicName,
    },
  ]);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await migrate(admin, { schema });
    await admin.query(
      `CREATE TABLE ${quoteIdent(schema)}.bench_effects (group_id text, event_id text, PRIMARY KEY (group_id, event_id))`,
    );
  } finally {
    await admin.end();
  }

  const producer = createKafkajsProducer({ kafka });
  const publisher = createEventProducer({ producer }).topic(
    topic as unknown as TopicDefinition<{
      UserRegistered: (typeof eventExamples.UserRegistered)[0]['payload'];
    }>,
  );
  const example = eventExamples.UserRegistered[0]!.payload;
  const started = performance.now();
  try {
    for (let from = 0; from < EVENTS; from += 10_000) {
      const events: OutgoingEvent<{ UserRegistered: typeof example }>[] = [];
      for (let i = from; i < Math.min(EVENTS, from + 10_000); i++) {
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
  console.log(
    `published ${EVENTS} UserRegistered events to ${topicName} (${partitions} partitions) in ${Math.round(performance.now() - started)} ms`,
  );
}

async function tearDown(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topicName, `${topicName}.dlq`] });
  } finally {
    await admin.disconnect();
  }
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await db.end();
  }
}

/** Waits for `done()` while printing nothing; fails after `timeoutMs`. */
async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? Math.max(120_000, EVENTS * 20));

/** (a) the floor: kafkajs reading the topic and parsing each value, nothing more. */
async function rawKafkajs(): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  let seen = 0;
  let first = 0;
  let last = 0;
  try {
    await consumer.subscribe({ topics: [topicName], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const message of batch.messages) {
          JSON.parse(message.value!.toString('utf8'));
        }
        seen += batch.messages.length;
        if (seen >= EVENTS) last = performance.now();
      },
    });
    await until('the raw consumer to read every record', () => seen >= EVENTS, TIMEOUT_MS);
  } finally {
    await consumer.disconnect();
  }
  return EVENTS / ((last - first) / 1000);
}

/** (b) the typed runtime consumer: decode, validate, claim, handler, commit. */
async function runtimeConsumer(concurrency: number, writes: boolean): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, options: `-c search_path=${schema}` });
  const deadLetterProducer = createKafkajsProducer({ kafka, compression: 'none' });
  const metrics = new RuntimeMetrics();
  const runtime = createConsumerRuntime({
    kafka,
    pool,
    deadLetterProducer,
    metrics,
    maxWaitTimeMs: 100,
    ...(MAX_RECORDS !== undefined ? { maxRecordsPerTransaction: MAX_RECORDS } : {}),
  });
  const groupId = `bench-runtime-${randomBytes(4).toString('hex')}`;
  let first = 0;
  const consumer = runtime.create(
    group(groupId),
    {
      userEvents: {
        UserRegistered: writes
          ? async (event: { id: string }, { db }: { db: pg.PoolClient }) => {
              if (first === 0) first = performance.now();
              await db.query('INSERT INTO bench_effects (group_id, event_id) VALUES ($1, $2)', [
                groupId,
                event.id,
              ]);
            }
          : () => {
              if (first === 0) first = performance.now();
            },
      },
    },
    { groupId, partitionsConsumedConcurrently: concurrency },
  );
  let last = 0;
  try {
    await consumer.ready;
    await until(
      'the runtime consumer to finish every record',
      async () => {
        const { values } = await metrics.consumed.get();
        const ours = values.filter((v) => v.labels.group === groupId);
        if ((await metrics.retried.get()).values.some((v) => v.labels.group === groupId && v.value > 0)) {
          throw new Error(`handler failures in ${groupId}: the benchmark's handlers must not fail`);
        }
        if (ours.reduce((s, v) => s + v.value, 0) < EVENTS) return false;
        last = performance.now();
        const handled = ours.filter((v) => v.labels.outcome === 'handled').reduce((s, v) => s + v.value, 0);
        if (handled !== EVENTS) throw new Error(`${groupId}: ${handled} of ${EVENTS} events handled`);
        return true;
      },
      TIMEOUT_MS,
    );
  } finally {
    await consumer.stop();
    await deadLetterProducer.disconnect();
    await pool.end();
  }
  return EVENTS / ((last - first) / 1000);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

interface Row {
  readonly label: string;
  readonly rates: number[];
}

await setUp();
const rows: Row[] = [];
try {
  const measure = async (label: string, once: () => Promise<number>) => {
    if (ONLY !== undefined && !label.includes(ONLY)) return;
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(await once());
    rows.push({ label, rates });
    console.log(`  ${label}: ${rates.map((r) => Math.round(r)).join(', ')} events/s`);
  };
  await measure(`(a) raw kafkajs, JSON.parse (${partitions} partitions concurrently)`, rawKafkajs);
  for (const c of CONCURRENCY) {
    await measure(`(b) runtime, no-op handler, partitionsConsumedConcurrently ${c}`, () =>
      runtimeConsumer(c, false),
    );
  }
  for (const c of CONCURRENCY) {
    await measure(`    runtime, handler inserting 1 row via context.db, concurrency ${c}`, () =>
      runtimeConsumer(c, true),
    );
  }
} finally {
  await tearDown();
}

const width = Math.max(...rows.map((r) => r.label.length));
console.log(
  `\nconsume: ${EVENTS} events, ${partitions} partitions, median of ${RUNS} run(s), node ${process.version}`,
);
console.log(`${'variant'.padEnd(width)}  events/s (median)  runs`);
for (const r of rows) {
  console.log(
    `${r.label.padEnd(width)}  ${String(Math.round(median(r.rates))).padStart(17)}  ${r.rates.map((x) => Math.round(x)).join(' / ')}`,
  );
}
console.log(
  `\ncommand: node bench/consume.bench.ts --events ${EVENTS} --runs ${RUNS} --concurrency ${CONCURRENCY.join(',')}${
    MAX_RECORDS !== undefined ? ` --max-records ${MAX_RECORDS}` : ''
  }`,
);
process.exit(0);
