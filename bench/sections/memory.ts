/**
 * Peak memory of the relay and of a consumer working through a backlog of
 * `events` events, each in a child process of its own (bench/sections/memory-child.ts):
 * the parent samples the child's /proc/<pid>/status every `sampleMs` (VmRSS)
 * and reads its VmHWM (the kernel's peak resident set) when the backlog is
 * through. The relay publishes `events` outbox rows (copied in SQL from one
 * written by writeToOutbox, each with its own event id), one instance with the
 * default settings; the consumer drains `events` UserRegistered events with the
 * typed runtime and a no-op handler.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { outboxTable, writeToOutbox } from '../../runtime/outbox/write.ts';
import { forkChild } from '../harness/child.ts';
import type { SectionRecorder } from '../harness/report.ts';
import {
  type BenchInfra,
  createSchema,
  createTopic,
  deleteTopics,
  dropSchemas,
  runId,
} from '../harness/resources.ts';
import { perSecond } from '../harness/stats.ts';
import {
  CONSUME_FULL,
  type ConsumeOptions,
  type ConsumerChildTarget,
  consumeFixture,
  publishUserBacklog,
} from './consume.ts';
import { RELAY_FULL, type RelayOptions } from './relay.ts';
import { messageEvents, messageTopic } from './workload.ts';

export interface MemoryOptions {
  readonly events: number;
  readonly sampleMs: number;
  readonly partitions: number;
  /**
   * V8 settings to drain the same backlog again with, one consumer process each (a fresh group
   * and schema): what a deployment that caps the consumer's memory trades in throughput.
   */
  readonly consumerHeapSettings: readonly (readonly string[])[];
}

export const MEMORY_FULL: MemoryOptions = {
  events: 1_000_000,
  sampleMs: 200,
  partitions: 6,
  consumerHeapSettings: [['--max-semi-space-size=2', '--max-old-space-size=160'], ['--optimize-for-size']],
};
export const MEMORY_QUICK: MemoryOptions = { ...MEMORY_FULL, events: 1_000, consumerHeapSettings: [] };

export type MemoryChildTask =
  | {
      readonly role: 'relay';
      readonly infra: BenchInfra;
      readonly schema: string;
      readonly events: number;
      readonly relay: Pick<RelayOptions, 'batch' | 'workers' | 'client'>;
    }
  | (ConsumerChildTarget & {
      readonly consume: Pick<ConsumeOptions, 'events' | 'concurrency' | 'maxRecords' | 'client'>;
    });

interface ChildResult {
  readonly ms: number;
  /** Peak resident set (VmHWM) in MB. */
  readonly peakMb: number;
  /** Largest VmRSS sampled, in MB. */
  readonly sampledMaxMb: number;
}

/** A /proc/<pid>/status field in MB; NaN where /proc is missing (not Linux). */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Runs `task` in a child process, sampling its memory until it reports. */
async function watchChild(
  task: MemoryChildTask,
  sampleMs: number,
  execArgv: readonly string[] = [],
): Promise<ChildResult> {
  const child = forkChild('memory-child.ts', task, execArgv);
  let sampledMaxMb = 0;
  const sampler = setInterval(() => {
    const rss = statusMb(child.pid, 'VmRSS');
    if (rss > sampledMaxMb) sampledMaxMb = rss;
  }, sampleMs);
  try {
    const report = await child.next<{ done: boolean; ms?: number; error?: string }>('reporting');
    if (!report.done) throw new Error(`memory child (${task.role}) failed: ${report.error}`);
    return { ms: report.ms!, peakMb: statusMb(child.pid, 'VmHWM'), sampledMaxMb };
  } finally {
    clearInterval(sampler);
    await child.close(10_000);
  }
}

/** `count` outbox rows: one written by writeToOutbox, copied in SQL with fresh event ids over 1,000 keys. */
async function fillOutbox(
  infra: BenchInfra,
  schema: string,
  topic: TopicDefinition,
  count: number,
): Promise<void> {
  const client = new pg.Client({ connectionString: infra.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const [template] = await writeToOutbox(client, topic, messageEvents(1), { schema });
    const table = outboxTable(schema);
    for (let from = 1; from < count; from += 100_000) {
      await client.query(
        `WITH ids AS (SELECT g, gen_random_uuid() AS id FROM generate_series($2::int, $3::int) g)
         INSERT INTO ${table} (event_id, topic, key, event_type, headers, payload)
         SELECT ids.id, t.topic, (ids.g % 1000 + 1)::text, t.event_type,
                t.headers || jsonb_build_object('ce_id', ids.id::text), t.payload
           FROM ${table} t, ids
          WHERE t.event_id = $1`,
        [template!.id, from, Math.min(count - 1, from + 99_999)],
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

export async function runMemory(
  infra: BenchInfra,
  options: MemoryOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const id = runId();
  const relaySchema = `bench_memory_relay_${id}`;
  const consumerSchema = `bench_memory_consumer_${id}`;
  const relayTopic = `bench.memory.relay.${id}`;
  const consumerTopic = `bench.memory.consume.${id}`;
  try {
    const outboxTopic = messageTopic(relayTopic, options.partitions) as unknown as TopicDefinition;
    await createTopic(infra, outboxTopic);
    await createSchema(infra, relaySchema);
    await fillOutbox(infra, relaySchema, outboxTopic, options.events);
    const relay = await watchChild(
      { role: 'relay', infra, schema: relaySchema, events: options.events, relay: RELAY_FULL },
      options.sampleMs,
    );
    recorder.add('relay-peak-rss', `relay peak RSS (VmHWM), ${options.events} rows`, 'MB', [relay.peakMb]);
    recorder.add('relay-drain', `relay throughput on that backlog (process start included)`, 'events/s', [
      perSecond(options.events, relay.ms),
    ]);
    await dropSchemas(infra, [relaySchema]);
    await deleteTopics(infra, [relayTopic]);

    const fixture = consumeFixture(consumerTopic, options.partitions);
    await createTopic(infra, fixture.topic);
    await publishUserBacklog(infra, fixture.topic, options.events);
    const drain = async (schema: string, execArgv: readonly string[] = []) => {
      await createSchema(infra, schema);
      try {
        return await watchChild(
          {
            role: 'consumer',
            infra,
            schema,
            topic: consumerTopic,
            partitions: options.partitions,
            consume: { ...CONSUME_FULL, events: options.events },
          },
          options.sampleMs,
          execArgv,
        );
      } finally {
        await dropSchemas(infra, [schema]).catch(() => {});
      }
    };
    const consumer = await drain(consumerSchema);
    recorder.add('consumer-peak-rss', `consumer peak RSS (VmHWM), ${options.events} events`, 'MB', [
      consumer.peakMb,
    ]);
    recorder.add('consumer-drain', 'consumer throughput on that backlog (group join included)', 'events/s', [
      perSecond(options.events, consumer.ms),
    ]);
    recorder.note(
      `largest VmRSS sampled every ${options.sampleMs} ms: relay ${relay.sampledMaxMb.toFixed(1)} MB, consumer ${consumer.sampledMaxMb.toFixed(1)} MB`,
    );
    for (const [i, settings] of options.consumerHeapSettings.entries()) {
      const tuned = await drain(`${consumerSchema}_${i + 1}`, settings);
      const flags = settings.join(' ');
      const slug = settings.map((f) => f.replace(/^--/, '')).join('_');
      recorder.add(`consumer-peak-rss-${slug}`, `consumer peak RSS (VmHWM), node ${flags}`, 'MB', [
        tuned.peakMb,
      ]);
      recorder.add(`consumer-drain-${slug}`, `consumer throughput, node ${flags}`, 'events/s', [
        perSecond(options.events, tuned.ms),
      ]);
    }
  } finally {
    await dropSchemas(infra, [relaySchema, consumerSchema]).catch(() => {});
    await deleteTopics(infra, [relayTopic, consumerTopic]).catch(() => {});
  }
}
