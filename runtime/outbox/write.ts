/**
 * Writing domain events to the transactional outbox (`domain_event_outbox`,
 * runtime/db/migrations/001_outbox.sql).
 *
 * The caller passes its own client, inside the transaction that makes the
 * business change, and commits it: the change and its events are committed
 * together or not at all. Every event is prepared by `prepareEvent` first
 * (validated payload, contract key, CloudEvents headers), so an invalid event
 * throws before anything is written; then all of them go into the table in
 * one multi-row INSERT. The relay (runtime/relay) or Debezium publishes them
 * after commit, in insertion order per key.
 */
import type { ClientBase } from 'pg';
import type { EventMap, TopicDefinition } from '../contract/definitions.ts';
import type {
  OutboxReceipt,
  OutboxWriter,
  OutgoingEvent,
  PublishOptions,
  TopicOutbox,
} from '../contract/events.ts';
import { quoteIdent } from '../db/migrate.ts';
import { type PrepareContext, type PreparedEvent, prepareEvent } from '../produce/prepare-event.ts';
import { checkPins, type SchemaVersionPins } from '../produce/schema-versions.ts';

export const OUTBOX_TABLE = 'domain_event_outbox';

export interface OutboxOptions {
  /** Schema of the outbox table; default: the connection's `search_path`. */
  readonly schema?: string;
  /** Clock and id source for `prepareEvent` (tests). */
  readonly context?: PrepareContext;
  /**
   * Events to write in an earlier major version during a migration window (event type → version),
   * e.g. `parseSchemaVersions(process.env.EVENT_SCHEMA_VERSIONS)`. The row's headers keep the
   * version written (`ce_schemaversion`), so the relay sends what was written.
   */
  readonly schemaVersions?: SchemaVersionPins;
}

export interface OutboxEventInput {
  readonly type: string;
  readonly payload: unknown;
  /** Application headers, typed as the contract declares them; stored (and relayed) as text. */
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
  /** Event id (`ce_id`); a new UUID when absent. */
  readonly id?: string;
  /** The major version the payload is written in; absent: the pinned version, else the current one. */
  readonly schemaVersion?: number | undefined;
}

export type OutboxWriteOptions = Omit<PublishOptions, 'id'> & OutboxOptions;

/** The outbox table's name as SQL, schema-qualified when a schema is given. */
export function outboxTable(schema: string | undefined): string {
  return schema ? `${quoteIdent(schema)}.${OUTBOX_TABLE}` : OUTBOX_TABLE;
}

/**
 * Prepares every event (throwing `EventValidationError` before any write) and
 * inserts them, in order, with one statement through `db`. Returns the
 * prepared events (ids, keys, headers).
 */
export async function writeToOutbox(
  db: ClientBase,
  topic: TopicDefinition,
  events: readonly OutboxEventInput[],
  options: OutboxWriteOptions = {},
): Promise<PreparedEvent[]> {
  const { schema, context: given, schemaVersions, ...publish } = options;
  const context = schemaVersions === undefined ? given : { ...given, schemaVersions };
  const prepared = events.map((event) =>
    prepareEvent(topic, event, event.id !== undefined ? { ...publish, id: event.id } : publish, context),
  );
  if (prepared.length === 0) return prepared;
  const columns: [string[], string[], (string | null)[], string[], string[], string[]] = [
    [],
    [],
    [],
    [],
    [],
    [],
  ];
  for (const e of prepared) {
    columns[0].push(e.id);
    columns[1].push(e.topic);
    columns[2].push(e.key);
    columns[3].push(e.type);
    columns[4].push(JSON.stringify(e.headers));
    columns[5].push(e.value);
  }
  await db.query(
    `INSERT INTO ${outboxTable(schema)} (event_id, topic, key, event_type, headers, payload)
     SELECT event_id, topic, key, event_type, headers, payload
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])
            WITH ORDINALITY AS e(event_id, topic, key, event_type, headers, payload, n)
      ORDER BY n`,
    columns,
  );
  return prepared;
}

const receipt = (e: PreparedEvent): OutboxReceipt => ({
  id: e.id,
  type: e.type,
  topic: e.topic,
  key: e.key ?? '',
});

/** Typed outbox writes for one topic: what the generated `…Outbox` mappers return. */
export function outboxFor<TMap extends EventMap>(
  topic: TopicDefinition<TMap>,
  options: OutboxOptions = {},
): TopicOutbox<TMap> {
  const definition = topic as unknown as TopicDefinition;
  checkPins(definition, options.schemaVersions);
  return {
    async write(
      db: ClientBase,
      event: OutgoingEvent<TMap>,
      publish?: PublishOptions,
    ): Promise<OutboxReceipt> {
      const { id, ...rest } = publish ?? {};
      const [written] = await writeToOutbox(db, definition, [id !== undefined ? { ...event, id } : event], {
        ...options,
        ...rest,
      });
      return receipt(written!);
    },
    async writeAll(
      db: ClientBase,
      events: readonly OutgoingEvent<TMap>[],
      publish?: Omit<PublishOptions, 'id'>,
    ): Promise<OutboxReceipt[]> {
      return (await writeToOutbox(db, definition, events, { ...options, ...publish })).map(receipt);
    },
  };
}

/** The `OutboxWriter` seam the generated outbox mappers take (`userEventsOutbox(createOutboxWriter())`). */
export function createOutboxWriter(options: OutboxOptions = {}): OutboxWriter {
  return { topic: (topic) => outboxFor(topic, options) };
}
