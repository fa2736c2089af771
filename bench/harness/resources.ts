/**
 * Where a benchmark runs and what it leaves behind: the broker and database
 * from the environment, names unique to one run, a bench topic re-pointing a
 * contract topic's events at it, and cleanup of topics and schemas.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { DEFAULT_DATABASE_URL, migrate, quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka, kafkaBrokersFromEnv } from '../../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';

export interface BenchInfra {
  readonly brokers: readonly string[];
  readonly databaseUrl: string;
}

export function infraFromEnv(env: NodeJS.ProcessEnv = process.env): BenchInfra {
  return { brokers: kafkaBrokersFromEnv(env), databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL };
}

/** A short random suffix for one benchmark's topics, schemas and groups. */
export const runId = (): string => randomBytes(4).toString('hex');

/**
 * `source` under another topic name (and partition count): each event definition names its
 * topic too (the producer publishes there), so every one is re-pointed at the new topic.
 */
export function benchTopic(source: TopicDefinition, name: string, partitions?: number): TopicDefinition {
  return {
    ...source,
    name,
    spec: {
      ...source.spec,
      name,
      partitions: partitions ?? source.spec.partitions,
      replicas: 1,
      deadLetterTopic: `${name}.dlq`,
    },
    events: Object.fromEntries(
      Object.entries(source.events).map(([type, definition]) => [type, { ...definition, topic: name }]),
    ) as TopicDefinition['events'],
  };
}

/** Creates the topic and its dead-letter topic (same partitions). */
export async function createTopic(infra: BenchInfra, topic: TopicDefinition): Promise<void> {
  await applyTopics(infra.brokers, [
    topic.spec,
    {
      name: `${topic.name}.dlq`,
      kind: 'dead-letter',
      partitions: topic.spec.partitions,
      replicas: 1,
      config: {},
      deadLetterFor: topic.name,
    },
  ]);
}

export async function deleteTopics(infra: BenchInfra, topics: readonly string[]): Promise<void> {
  const admin = createKafka({ brokers: infra.brokers, clientId: 'bench-cleanup' }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.flatMap((t) => [t, `${t}.dlq`]).filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

/** The runtime's tables (outbox, processed events) in a schema of the benchmark's own. */
export async function createSchema(infra: BenchInfra, schema: string): Promise<void> {
  await migrate(infra.databaseUrl, { schema });
}

export async function dropSchemas(infra: BenchInfra, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: infra.databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A pool whose sessions see `schema` first (the runtime's tables are unqualified on the consumer side). */
export const schemaPool = (infra: BenchInfra, schema: string, max: number): pg.Pool =>
  new pg.Pool({ connectionString: infra.databaseUrl, max, options: `-c search_path=${schema}` });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `done()`, checking every `everyMs`; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
