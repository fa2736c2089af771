/**
 * Fixtures of the producer, outbox and relay tests: a migrated schema of
 * their own per test file, throwaway topics, and topic definitions from the
 * generated SDK.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as sdk from '../../generated/index.ts';
import type { EventDefinition, TopicDefinition } from '../../runtime/contract/definitions.ts';
import { migrate, quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';

/** A short random suffix for names that must not collide between runs. */
export const runId = (): string => randomBytes(4).toString('hex');

export interface TestSchema {
  readonly schema: string;
  drop(): Promise<void>;
}

/** A new schema with the runtime's migrations applied; `drop()` removes it. */
export async function migratedSchema(databaseUrl: string, prefix: string): Promise<TestSchema> {
  const schema = `${prefix}_${runId()}`;
  await migrate(databaseUrl, { schema });
  return {
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Creates a throwaway event topic (replication 1, the broker's defaults otherwise). */
export async function createTopic(
  brokers: readonly string[],
  name: string,
  partitions: number,
): Promise<void> {
  const report = await applyTopics(brokers, [{ name, kind: 'event', partitions, replicas: 1, config: {} }]);
  if (report.hasDrift) throw new Error(`topic ${name} exists with other settings`);
}

export async function deleteTopics(brokers: readonly string[], names: readonly string[]): Promise<void> {
  const admin = createKafka({ brokers, clientId: 'test-cleanup' }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...names] }).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

/** A topic definition carrying one contract event, published to another (throwaway) topic. */
export function retargeted(event: EventDefinition<string, unknown, unknown>, topic: string): TopicDefinition {
  return {
    name: topic,
    spec: { name: topic, kind: 'event', partitions: 1, replicas: 1, config: {} },
    events: { [event.type]: { ...event, topic } },
  };
}

/** Every event topic the generated SDK defines. */
export const contractTopics: readonly TopicDefinition[] = Object.values(sdk.eventTopics).sort((a, b) =>
  a.name.localeCompare(b.name),
);

/** Every event of the contracts with its topic and its examples. */
export const contractEvents = contractTopics.flatMap((topic) =>
  Object.values(topic.events).map((definition) => ({
    topic,
    definition: definition as EventDefinition<string, unknown, unknown>,
    examples:
      (sdk.eventExamples as Record<string, readonly { readonly payload: unknown }[]>)[definition.type] ?? [],
  })),
);
