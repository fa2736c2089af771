/**
 * Commit → handler latency at fixed rates, with each part in a process of its
 * own as deployed services are: a writer (latency-writer.ts) writes events to
 * an outbox, one PostgreSQL transaction each, paced at each of `rates` per
 * second for `seconds`; the runtime's relay (LISTEN/NOTIFY, default settings)
 * publishes them; a typed consumer (runtime defaults, no-op handler) notes when
 * each event's handler runs (latency-services.ts). Per event: handler time
 * minus the moment its COMMIT returned in the writer (both read the system
 * clock). p50/p90/p99/max per run.
 */
import { type BenchChild, forkChild } from '../harness/child.ts';
import type { ConsumerClientName, ProducerClientName } from '../harness/clients.ts';
import type { SectionRecorder } from '../harness/report.ts';
import {
  type BenchInfra,
  createSchema,
  createTopic,
  deleteTopics,
  dropSchemas,
  runId,
  sleep,
  until,
} from '../harness/resources.ts';
import { percentile, sortedCopy } from '../harness/stats.ts';
import { consumeFixture } from './consume.ts';
import type { HandledReport, LatencyServiceTask } from './latency-services.ts';
import type { LatencyWriterPhase, LatencyWriterReport, LatencyWriterTask } from './latency-writer.ts';

export interface LatencyOptions {
  /**
   * Events per second, one set of runs each; the first is the one the target is checked at. On
   * this project's 2-core machine, which also runs PostgreSQL and the broker, 1,000 one-event
   * transactions a second is a moderate load; at 2,000 the machine is saturated (the writer
   * reaches 1,000–1,600 a second) and the latency measured is that of a queue.
   */
  readonly rates: readonly number[];
  readonly seconds: number;
  /** How long the pipeline runs at the first rate before anything is measured. */
  readonly warmupSeconds: number;
  readonly runs: number;
  /** Transactions in flight at once (each event is its own transaction). */
  readonly writers: number;
  readonly partitions: number;
  readonly relayClient: ProducerClientName;
  readonly consumerClient: ConsumerClientName;
}

export const LATENCY_FULL: LatencyOptions = {
  rates: [1_000, 2_000],
  seconds: 10,
  warmupSeconds: 10,
  runs: 3,
  writers: 32,
  partitions: 6,
  relayClient: 'platformatic',
  consumerClient: 'platformatic',
};
export const LATENCY_QUICK: LatencyOptions = {
  ...LATENCY_FULL,
  rates: [1_000],
  seconds: 1,
  warmupSeconds: 0.5,
  runs: 1,
};

/** Starts a child of this section and waits for its `{ ready: true }`. */
async function startChild(module: string, task: unknown): Promise<BenchChild> {
  const child = forkChild(module, task);
  const ready = await child.next<{ ready: boolean; error?: string }>('it was ready');
  if (!ready.ready) {
    await child.close(0);
    throw new Error(`${module} failed to start: ${ready.error}`);
  }
  return child;
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
  const children: BenchChild[] = [];
  try {
    await createTopic(infra, fixture.topic);
    await createSchema(infra, schema);
    const consumer = await startChild('latency-services.ts', {
      role: 'consumer',
      infra,
      schema,
      topic: name,
      partitions: options.partitions,
      groupId: `bench-latency-${id}`,
      client: options.consumerClient,
    } satisfies LatencyServiceTask);
    children.push(consumer);
    children.push(
      await startChild('latency-services.ts', {
        role: 'relay',
        infra,
        schema,
        client: options.relayClient,
      } satisfies LatencyServiceTask),
    );
    const writer = await startChild('latency-writer.ts', {
      databaseUrl: infra.databaseUrl,
      schema,
      topic: name,
      partitions: options.partitions,
      writers: options.writers,
    } satisfies LatencyWriterTask);
    children.push(writer);

    /** Writes `count` events and waits until each one's handler ran; the latency of each. */
    const phase = async (rate: number, count: number, from: number) => {
      const handledAt = new Map<string, number>();
      const take = async () => {
        for (const [eventId, at] of (await consumer.ask<HandledReport>('take')).handled)
          handledAt.set(eventId, at);
      };
      const written = await writer.ask<{ ok: boolean; report?: LatencyWriterReport; error?: string }>({
        rate,
        count,
        from,
      } satisfies LatencyWriterPhase);
      if (!written.ok || !written.report) throw new Error(`latency writer failed: ${written.error}`);
      const { commits, achieved } = written.report;
      await until(
        `${count} events to be handled`,
        async () => {
          await take();
          if (handledAt.size < count) await sleep(100);
          return handledAt.size >= count;
        },
        60_000 + count * 5,
      );
      // A handler may run before COMMIT returned to the writer (the relay can be that quick): 0 then.
      const latencies = commits.map(([eventId, committed]) =>
        Math.max(0, handledAt.get(eventId)! - committed),
      );
      return { latencies, achieved };
    };

    // Warm-up at the first rate: the three fresh processes' JIT and pools, and the broker and the
    // database settling after the section before (their latencies fell run after run without it).
    const first = options.rates[0]!;
    const warmup = Math.round(first * options.warmupSeconds);
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
    // The writer first, then the relay, then the consumer.
    for (const child of children.reverse()) await child.close().catch(() => {});
    await dropSchemas(infra, [schema]).catch(() => {});
    await deleteTopics(infra, [name]).catch(() => {});
  }
}
