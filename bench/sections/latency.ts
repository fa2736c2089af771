/**
 * Commit → handler latency at fixed rates: events written to an outbox, one
 * PostgreSQL transaction each (as a service writes them), paced at each of
 * `rates` per second for `seconds` by a writer in a process of its own
 * (latency-writer.ts, as a service would be); the runtime's relay
 * (LISTEN/NOTIFY, default settings) publishes them; a typed consumer (runtime
 * defaults, no-op handler) in this process notes when each event's handler
 * runs. Per event: handler time minus the moment its COMMIT returned in the
 * writer (both read the system clock). p50/p90/p99/max per run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
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
  until,
} from '../harness/resources.ts';
import { percentile, sortedCopy } from '../harness/stats.ts';
import { consumeFixture } from './consume.ts';
import type { LatencyWriterPhase, LatencyWriterReport, LatencyWriterTask } from './latency-writer.ts';

export interface LatencyOptions {
  /** Events per second, one set of runs each; the first is the one the target is checked at. */
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly runs: number;
  /** Transactions in flight at once (each event is its own transaction). */
  readonly writers: number;
  readonly partitions: number;
  readonly relayClient: ProducerClientName;
  readonly consumerClient: ConsumerClientName;
}

export const LATENCY_FULL: LatencyOptions = {
  rates: [2_000, 1_000],
  seconds: 10,
  runs: 3,
  writers: 32,
  partitions: 6,
  relayClient: 'platformatic',
  consumerClient: 'platformatic',
};
export const LATENCY_QUICK: LatencyOptions = { ...LATENCY_FULL, rates: [2_000], seconds: 1, runs: 1 };

const nowMs = () => performance.timeOrigin + performance.now();

/** The writer process: `phase` writes and answers with its commit times. */
interface Writer {
  phase(phase: LatencyWriterPhase): Promise<LatencyWriterReport>;
  close(): Promise<void>;
}

async function startWriter(task: LatencyWriterTask): Promise<Writer> {
  const child: ChildProcess = fork(
    path.join(import.meta.dirname, 'latency-writer.ts'),
    [JSON.stringify(task)],
    {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const answer = <T>(what: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`latency writer exited with ${code} before ${what}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as T);
      });
    });
  await answer<{ ready: true }>('it was ready');
  return {
    async phase(phase) {
      const reply = answer<{ ok: boolean; report?: LatencyWriterReport; error?: string }>('it reported');
      child.send(phase);
      const { ok, report, error } = await reply;
      if (!ok || !report) throw new Error(`latency writer failed: ${error}`);
      return report;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('exit');
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function runLatency(
  infra: BenchInfra,
  options: LatencyOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const id = runId();
  const name = `bench.latency.${id}`;
  const schema = `bench_latency_${id}`;
  const fixture = consumeFixture(name, options.partitions);
  const consumerPool = schemaPool(infra, schema, 10);
  const relayProducer = PRODUCER_CLIENTS[options.relayClient].port(infra.brokers);
  const deadLetterProducer = createKafkajsProducer({
    kafka: createKafka({ brokers: infra.brokers, clientId: 'bench-dlq' }),
  });
  /** Event id → when its handler first ran. */
  const handledAt = new Map<string, number>();
  const runtime = createConsumerRuntime({
    kafka: CONSUMER_CLIENTS[options.consumerClient](infra.brokers),
    pool: consumerPool,
    deadLetterProducer,
  });
  let relay: OutboxRelay | undefined;
  let writer: Writer | undefined;
  try {
    await createTopic(infra, fixture.topic);
    await createSchema(infra, schema);
    const consumer = runtime.create(
      fixture.group(`bench-latency-${id}`),
      {
        userEvents: {
          UserRegistered: (event: { id: string }) => {
            if (!handledAt.has(event.id)) handledAt.set(event.id, nowMs());
          },
        },
      },
      {},
    );
    await consumer.ready;
    await relayProducer.connect();
    relay = new OutboxRelay({ database: infra.databaseUrl, schema, producer: relayProducer });
    await relay.start();
    writer = await startWriter({
      databaseUrl: infra.databaseUrl,
      schema,
      topic: name,
      partitions: options.partitions,
      writers: options.writers,
    });

    /** Writes `count` events and waits until each one's handler ran; the latency of each. */
    const phase = async (rate: number, count: number, from: number) => {
      handledAt.clear();
      const { commits, achieved } = await writer!.phase({ rate, count, from });
      await until(`${count} events to be handled`, () => handledAt.size >= count, 60_000 + count * 5);
      // A handler may run before COMMIT returned to the writer (the relay can be that quick): 0 then.
      const latencies = commits.map(([eventId, committed]) =>
        Math.max(0, handledAt.get(eventId)! - committed),
      );
      return { latencies, achieved };
    };

    // Warm-up: the relay's and the consumer's first batches, the JIT.
    const first = options.rates[0]!;
    const warmup = Math.min(500, first);
    await phase(first, warmup, 0);
    let from = warmup;
    for (const [i, rate] of options.rates.entries()) {
      const p50: number[] = [];
      const p90: number[] = [];
      const p99: number[] = [];
      const max: number[] = [];
      const achieved: number[] = [];
      for (let run = 0; run < options.runs; run++) {
        const count = Math.round(rate * options.seconds);
        const result = await phase(rate, count, from);
        from += count;
        achieved.push(result.achieved);
        const s = sortedCopy(result.latencies);
        p50.push(percentile(s, 50));
        p90.push(percentile(s, 90));
        p99.push(percentile(s, 99));
        max.push(s.at(-1) ?? Number.NaN);
      }
      // The first rate's rows keep the plain ids (the target is checked on them).
      const id = (name: string) => (i === 0 ? name : `${name}-at-${rate}`);
      const at = `at ${rate.toLocaleString('en-US')}/s`;
      recorder.add(id('write-rate'), `outbox commits achieved (wanted ${rate}/s)`, 'events/s', achieved);
      recorder.add(id('commit-to-handler-p50'), `commit → handler p50 ${at}`, 'ms', p50);
      recorder.add(id('commit-to-handler-p90'), `commit → handler p90 ${at}`, 'ms', p90);
      recorder.add(id('commit-to-handler-p99'), `commit → handler p99 ${at}`, 'ms', p99);
      recorder.add(id('commit-to-handler-max'), `commit → handler max ${at}`, 'ms', max);
    }
  } finally {
    await writer?.close().catch(() => {});
    await relay?.stop().catch(() => {});
    await runtime.stopAll().catch(() => {});
    await Promise.allSettled([relayProducer.disconnect(), deadLetterProducer.disconnect()]);
    await consumerPool.end().catch(() => {});
    await dropSchemas(infra, [schema]).catch(() => {});
    await deleteTopics(infra, [name]).catch(() => {});
  }
}
