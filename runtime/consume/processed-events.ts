/**
 * The `consumer_processed_events` table (runtime/db/migrations/002_consumer_processed_events.sql):
 * which events each consumer group has handled, written in the handler's transaction.
 */

import type { Pool, PoolClient } from 'pg';
import { deleteInBatches } from '../db/delete-in-batches.ts';
import type { AnyReceivedEvent } from './decode.ts';

export const PROCESSED_EVENTS_TABLE = 'consumer_processed_events';

/**
 * Records one event as processed by the group, inside the caller's open transaction
 * (a retried record's own transaction; batches use `claimEvents`).
 * False when the row already exists: the event was handled before (a redelivery).
 * A concurrent transaction holding the same row makes this wait for its outcome.
 */
export async function claimEvent(db: PoolClient, groupId: string, event: AnyReceivedEvent): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO ${PROCESSED_EVENTS_TABLE} (group_id, event_id, topic, kafka_partition, kafka_offset)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (group_id, event_id) DO NOTHING`,
    [groupId, event.id, event.topic, event.partition, event.offset],
  );
  return result.rowCount === 1;
}

/** One record's claim: its event id and where it was read. */
export interface Claim {
  readonly eventId: string;
  readonly offset: string;
}

/**
 * Claims the events of one partition batch in one statement, inside the caller's open
 * transaction. Returns the event ids this transaction inserted; the others were handled
 * before (duplicates). Event ids must be distinct. Rows are inserted in event-id order,
 * so two transactions claiming overlapping batches lock in the same order and wait for
 * each other instead of deadlocking.
 */
export async function claimEvents(
  db: PoolClient,
  groupId: string,
  topic: string,
  partition: number,
  claims: readonly Claim[],
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const sorted = [...claims].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const result = await db.query<{ event_id: string }>(
    `INSERT INTO ${PROCESSED_EVENTS_TABLE} (group_id, event_id, topic, kafka_partition, kafka_offset)
     SELECT $1, c.event_id, $2, $3, c.kafka_offset
     FROM unnest($4::text[], $5::bigint[]) AS c (event_id, kafka_offset)
     ON CONFLICT (group_id, event_id) DO NOTHING
     RETURNING event_id`,
    [groupId, topic, partition, sorted.map((c) => c.eventId), sorted.map((c) => c.offset)],
  );
  return new Set(result.rows.map((r) => r.event_id));
}

/** Deletes claims this transaction made for records it did not finish, so no claim commits without its effect. */
export async function releaseClaims(
  db: PoolClient,
  groupId: string,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await db.query(
    `DELETE FROM ${PROCESSED_EVENTS_TABLE} WHERE group_id = $1 AND event_id = ANY ($2::text[])`,
    [groupId, eventIds],
  );
}

/** Fails with a clear message when the migration creating the table has not run. */
export async function assertProcessedEventsTable(pool: Pool): Promise<void> {
  const result = await pool.query<{ exists: string | null }>('SELECT to_regclass($1) AS exists', [
    PROCESSED_EVENTS_TABLE,
  ]);
  if (!result.rows[0]?.exists) {
    throw new Error(
      `table ${PROCESSED_EVENTS_TABLE} does not exist: apply runtime/db/migrations (002_consumer_processed_events.sql) before starting consumers`,
    );
  }
}

export interface PruneOptions {
  /** Rows processed longer ago than this are deleted. Keep it above the source topics' retention (7 days) plus the worst consumer lag. */
  readonly olderThanMs: number;
  /** Rows per DELETE statement, so no statement holds locks for long; default 10 000. */
  readonly batchSize?: number;
  /** Only this group's rows; all groups when absent. */
  readonly groupId?: string;
}

/** Deletes old processed-event rows in batches; returns how many were deleted. Safe to run from several processes. */
export async function pruneProcessedEvents(pool: Pool, options: PruneOptions): Promise<number> {
  return deleteInBatches(pool, {
    table: PROCESSED_EVENTS_TABLE,
    where: 'processed_at < $1 AND ($2::text IS NULL OR group_id = $2)',
    params: [new Date(Date.now() - options.olderThanMs), options.groupId ?? null],
    batchSize: options.batchSize ?? 10_000,
  });
}
