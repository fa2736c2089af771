/**
 * Commit → handler latency at a fixed rate: events written to an outbox, one
 * PostgreSQL transaction each (as a service writes them), paced at `rate` per
 * second for `seconds`; the runtime's relay (LISTEN/NOTIFY, default settings)
 * publishes them; a typed consumer (runtime defaults, no-op handler) in this
 * process notes when each event's handler runs. Per event: handler time minus
 * the moment its COMMIT returned. p50/p90/p99/max per run.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { writeToOutbox } from '../../runtime/outbox/write.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import {
  CONSUMER_CLIENTS,
  type ConsumerClientName,
  PRODUCER_CLIENTS,
  type ProducerClientName,
} from '../harness/clients.ts';
import type { SectionRecorder } from '../harness/report.ts';
import {
  type BenchInfra,
  createSchema,
  createTopic,
  deleteTopics,
  dropSchemas,
  runId,
  schemaPool,
  sleep,
  until,
} from '../harness/resources.ts';
import { percentile, sortedCopy } from '../harness/stats.ts';
import { consumeFixture } from './consume.ts';

export interface LatencyOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly runs: number;
  /** Transactions in flight at once (each event is its own transaction). */
  readonly writers: number;
  readonly partitions: number;
  readonly relayClient: ProducerClientName;
  readonly consumerClient: ConsumerClientName;
}

export const LATENCY_FULL: LatencyOptions = {
  rate: 2_000,
  seconds: 10,
  runs: 3,
  writers: 32,
  partitions: 6,
  relayClient: 'platformatic',
  consumerClient: 'platformatic',
};
export const LATENCY_QUICK: LatencyOptions = { ...LATENCY_FULL, seconds: 1, runs: 1 };

const nowMs = () => performance.timeOrigin + performance.now();

export async function runLatency(
  infra: BenchInfra,
  options: LatencyOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const id = runId();
  const name = `bench.latency.${id}`;
  const schema = `bench_latency_${id}`;
  const fixture = consumeFixture(name, options.partitions);
  const writerPool = new pg.Pool({ connectionString: infra.databaseUrl, max: options.writers });
  const consumerPool = schemaPool(infra, schema, 10);
  const relayProducer = PRODUCER_CLIENTS[options.relayClient].port(infra.brokers);
  const deadLetterProducer = createKafkajsProducer({
    kafka: createKafka({ brokers: infra.brokers, clientId: 'bench-dlq' }),
  });
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  let handled = 0;
  const runtime = createConsumerRuntime({
    kafka: CONSUMER_CLIENTS[options.consumerClient](infra.brokers),
    pool: consumerPool,
    deadLetterProducer,
  });
  let relay: OutboxRelay | undefined;
  try {
    await createTopic(infra, fixture.topic);
    await createSchema(infra, schema);
    const consumer = runtime.create(
      fixture.group(`bench-latency-${id}`),
      {
        userEvents: {
          UserRegistered: (event: { id: string }) => {
            const at = nowMs();
            const committed = committedAt.get(event.id);
            // A handler may run before COMMIT returned to the writer (the relay can be that quick): 0 then.
            latencies.push(committed === undefined ? 0 : Math.max(0, at - committed));
            if (committed === undefined) committedAt.set(event.id, -1);
            handled++;
          },
        },
      },
      {},
    );
    await consumer.ready;
    await relayProducer.connect();
    relay = new OutboxRelay({ database: infra.databaseUrl, schema, producer: relayProducer });
    await relay.start();

    const example = { email: 'user@example.com', display_name: 'user', timestamp: '2026-01-27T09:30:00Z' };
    const write = async (i: number) => {
      const eventId = randomUUID();
      const client = await writerPool.connect();
      try {
        await client.query('BEGIN');
        await writeToOutbox(
          client,
          fixture.topic,
          [
            {
              id: eventId,
              type: 'UserRegistered',
              payload: { ...example, user_id: i + 1, username: `user${i + 1}` },
            },
          ],
          { schema },
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      if (!committedAt.has(eventId)) committedAt.set(eventId, nowMs());
    };
    const paced = async (count: number, from: number) => {
      const started = nowMs();
      let next = 0;
      const writer = async () => {
        for (let i = next++; i < count; i = next++) {
          const wait = started + (i * 1000) / options.rate - nowMs();
          if (wait > 0) await sleep(wait);
          await write(from + i);
        }
      };
      await Promise.all(Array.from({ length: options.writers }, writer));
      return (count * 1000) / (nowMs() - started);
    };

    // Warm-up: the relay's and the consumer's first batches, the JIT.
    const warmup = Math.min(500, options.rate);
    await paced(warmup, 0);
    await until('the warm-up events to be handled', () => handled >= warmup, 60_000);
    const p50: number[] = [];
    const p90: number[] = [];
    const p99: number[] = [];
    const max: number[] = [];
    const achieved: number[] = [];
    let from = warmup;
    for (let run = 0; run < options.runs; run++) {
      latencies.length = 0;
      handled = 0;
      const count = Math.round(options.rate * options.seconds);
      achieved.push(await paced(count, from));
      from += count;
      await until(`${count} events to be handled`, () => handled >= count, 60_000 + count * 5);
      const s = sortedCopy(latencies);
      p50.push(percentile(s, 50));
      p90.push(percentile(s, 90));
      p99.push(percentile(s, 99));
      max.push(s.at(-1) ?? Number.NaN);
    }
    recorder.add('write-rate', `outbox commits achieved (wanted ${options.rate}/s)`, 'events/s', achieved);
    recorder.add('commit-to-handler-p50', 'commit → handler p50', 'ms', p50);
    recorder.add('commit-to-handler-p90', 'commit → handler p90', 'ms', p90);
    recorder.add('commit-to-handler-p99', 'commit → handler p99', 'ms', p99);
    recorder.add('commit-to-handler-max', 'commit → handler max', 'ms', max);
  } finally {
    await relay?.stop().catch(() => {});
    await runtime.stopAll().catch(() => {});
    await Promise.allSettled([relayProducer.disconnect(), deadLetterProducer.disconnect()]);
    await Promise.allSettled([writerPool.end(), consumerPool.end()]);
    await dropSchemas(infra, [schema]).catch(() => {});
    await deleteTopics(infra, [name]).catch(() => {});
  }
}
