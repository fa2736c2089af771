/**
 * Outbox relay throughput: `events` rows written to an outbox (writeToOutbox,
 * `tx` events per transaction), then relayed by one and by two `OutboxRelay`
 * instances (each its own producer and sessions), rows deleted as published;
 * and once by one instance with a retention (rows marked `published_at`).
 * The clock runs from the relays' start to the last row published; the
 * outbox write rate is measured on the way.
 */
import pg from 'pg';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { outboxTable, writeToOutbox } from '../../runtime/outbox/write.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { PRODUCER_CLIENTS, type ProducerClientName } from '../harness/clients.ts';
import type { SectionRecorder } from '../harness/report.ts';
import {
  type BenchInfra,
  createSchema,
  createTopic,
  deleteTopics,
  dropSchemas,
  runId,
  until,
} from '../harness/resources.ts';
import { perSecond } from '../harness/stats.ts';
import { messageEvents, messageTopic, slices } from './workload.ts';

export interface RelayOptions {
  readonly events: number;
  readonly tx: number;
  readonly batch: number;
  readonly workers: number;
  readonly runs: number;
  readonly partitions: number;
  /** The client of the relay rows the target is checked on. */
  readonly client: ProducerClientName;
  /** Other clients to measure one instance on (`relay-1-instance-<client>`). */
  readonly otherClients: readonly ProducerClientName[];
  /** Also measure one instance with a retention (rows marked, not deleted). */
  readonly retention: boolean;
}

export const RELAY_FULL: RelayOptions = {
  events: 50_000,
  tx: 500,
  batch: 2_000,
  workers: 2,
  runs: 3,
  partitions: 6,
  client: 'platformatic',
  otherClients: ['kafkajs'],
  retention: true,
};
export const RELAY_QUICK: RelayOptions = { ...RELAY_FULL, events: 1_000, runs: 1 };

/** Inserts `count` events into the outbox, `tx` per transaction; returns the milliseconds it took. */
export async function writeOutbox(
  pool: pg.Pool,
  topic: TopicDefinition,
  schema: string,
  count: number,
  tx: number,
): Promise<number> {
  const events = messageEvents(count);
  const client = await pool.connect();
  const started = performance.now();
  try {
    for (const chunk of slices(events, tx)) {
      await client.query('BEGIN');
      await writeToOutbox(client, topic, chunk, { schema });
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  return performance.now() - started;
}

/** Runs `instances` relays until they published `count` rows between them; returns the milliseconds. */
export async function relayBacklog(
  infra: BenchInfra,
  options: Pick<RelayOptions, 'batch' | 'workers' | 'client'>,
  schema: string,
  count: number,
  instances: number,
  retentionMs: number,
): Promise<number> {
  const producers = Array.from({ length: instances }, () =>
    PRODUCER_CLIENTS[options.client].port(infra.brokers),
  );
  await Promise.all(producers.map((p) => p.connect()));
  const relays = producers.map(
    (producer, i) =>
      new OutboxRelay({
        database: infra.databaseUrl,
        producer,
        schema,
        workers: options.workers,
        batchSize: options.batch,
        retentionMs,
        pollIntervalMs: 50,
        instanceId: `bench-relay-${i + 1}`,
      }),
  );
  try {
    const started = performance.now();
    await Promise.all(relays.map((r) => r.start()));
    const published = () => relays.reduce((sum, r) => sum + r.status().published, 0);
    await until(
      `${instances} relay(s) to publish ${count} rows`,
      () => published() >= count,
      60_000 + count * 5,
    );
    return performance.now() - started;
  } finally {
    await Promise.all(relays.map((r) => r.stop().catch(() => {})));
    await Promise.all(producers.map((p) => p.disconnect().catch(() => {})));
  }
}

export async function runRelay(
  infra: BenchInfra,
  options: RelayOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const id = runId();
  const schema = `bench_relay_${id}`;
  const name = `bench.relay.${id}`;
  const topic = messageTopic(name, options.partitions) as unknown as TopicDefinition;
  const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 2 });
  try {
    await createTopic(infra, topic);
    await createSchema(infra, schema);
    const rows = async (where: string) =>
      Number((await pool.query(`SELECT count(*) AS n FROM ${outboxTable(schema)} WHERE ${where}`)).rows[0].n);
    // Warm-up: sessions, metadata, the JIT of the write and relay paths.
    await writeOutbox(pool, topic, schema, Math.min(options.events, 5_000), options.tx);
    await relayBacklog(infra, options, schema, Math.min(options.events, 5_000), 1, 0);

    const writes: number[] = [];
    const modes: {
      id: string;
      label: string;
      instances: number;
      retentionMs: number;
      client: ProducerClientName;
    }[] = [
      {
        id: 'relay-1-instance',
        label: `relay, 1 instance (${options.client}, rows deleted)`,
        instances: 1,
        retentionMs: 0,
        client: options.client,
      },
      ...options.otherClients.map((client) => ({
        id: `relay-1-instance-${client}`,
        label: `relay, 1 instance (${client}, rows deleted)`,
        instances: 1,
        retentionMs: 0,
        client,
      })),
      {
        id: 'relay-2-instances',
        label: `relay, 2 instances (${options.client}, rows deleted)`,
        instances: 2,
        retentionMs: 0,
        client: options.client,
      },
      ...(options.retention
        ? [
            {
              id: 'relay-1-instance-retention',
              label: `relay, 1 instance (${options.client}), retention (rows marked published)`,
              instances: 1,
              retentionMs: 3_600_000,
              client: options.client,
            },
          ]
        : []),
    ];
    const rates = new Map<string, number[]>(modes.map((m) => [m.id, []]));
    for (let run = 0; run < options.runs; run++) {
      for (const mode of modes) {
        await pool.query(`DELETE FROM ${outboxTable(schema)}`);
        writes.push(
          perSecond(options.events, await writeOutbox(pool, topic, schema, options.events, options.tx)),
        );
        const ms = await relayBacklog(
          infra,
          { ...options, client: mode.client },
          schema,
          options.events,
          mode.instances,
          mode.retentionMs,
        );
        rates.get(mode.id)!.push(perSecond(options.events, ms));
        if (run === 0) {
          const left = await rows('true');
          const marked = await rows('published_at IS NOT NULL');
          recorder.note(
            mode.retentionMs > 0
              ? `${mode.label}: ${marked} of ${options.events} rows kept, marked published (housekeeping deletes them after the retention)`
              : `${mode.label}: ${options.events - left} of ${options.events} rows deleted as published (${left} left)`,
          );
        }
      }
    }
    recorder.add('outbox-write', `outbox write, ${options.tx} events per transaction`, 'events/s', writes);
    for (const mode of modes) recorder.add(mode.id, mode.label, 'events/s', rates.get(mode.id)!);
  } finally {
    await pool.end().catch(() => {});
    await dropSchemas(infra, [schema]).catch(() => {});
    await deleteTopics(infra, [name]).catch(() => {});
  }
}
