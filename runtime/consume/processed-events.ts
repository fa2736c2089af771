/**
 * The `consumer_processed_events` table (runtime/db/migrations/002_consumer_processed_events.sql):
 * which events each consumer group has handled, written in the handler's transaction.
 */

import type { Pool, PoolClient, QueryResult } from 'pg';
import { deleteInBatches } from '../db/delete-in-batches.ts';

export const PROCESSED_EVENTS_TABLE = 'consumer_processed_events';

/**
 * Opens the caller's transaction and claims the events of one partition batch in it, in one
 * round trip (`BEGIN; INSERT …` as one simple query, every value a quoted literal):
 * `eventIds[i]` read at `offsets[i]`. Returns the event ids this transaction inserted; the
 * others were handled before (duplicates). Event ids must be distinct. Rows are inserted in
 * event-id byte order (PostgreSQL sorts them), so two transactions claiming overlapping batches
 * lock in the same order and wait for each other instead of deadlocking.
 */
export async function beginAndClaim(
  db: PoolClient,
  groupId: string,
  topic: string,
  partition: number,
  eventIds: readonly string[],
  offsets: readonly string[],
): Promise<Set<string>> {
  const claim = `INSERT INTO ${PROCESSED_EVENTS_TABLE} (group_id, event_id, topic, kafka_partition, kafka_offset)
     SELECT ${sqlLiteral(groupId)}, c.event_id, ${sqlLiteral(topic)}, ${Number(partition)}, c.kafka_offset
     FROM unnest(${sqlLiteral(textArray(eventIds))}::text[], ${sqlLiteral(`{${offsets.join(',')}}`)}::bigint[])
       AS c (event_id, kafka_offset)
     ORDER BY c.event_id COLLATE "C"
     ON CONFLICT (group_id, event_id) DO NOTHING
     RETURNING event_id`;
  // Two statements in one simple query: pg answers with one result per statement.
  const results = (await db.query(`BEGIN; ${claim}`)) as unknown as QueryResult<{ event_id: string }>[];
  const claimed = new Set<string>();
  for (const row of results[1]!.rows) claimed.add(row.event_id);
  return claimed;
}

/**
 * `text` as a PostgreSQL string literal, as pg's `escapeLiteral` writes it (quotes doubled; with
 * a backslash, an `E''` literal with backslashes doubled), without building it a character at a
 * time: a claim's literal holds every event id of the batch, and the usual one has nothing to escape.
 */
export function sqlLiteral(text: string): string {
  const quote = text.includes("'");
  const backslash = text.includes('\\');
  if (!quote && !backslash) return `'${text}'`;
  const doubled = quote ? text.replaceAll("'", "''") : text;
  return backslash ? ` E'${doubled.replaceAll('\\', '\\\\')}'` : `'${doubled}'`;
}

/** A PostgreSQL text[] literal: each value quoted, double quotes and backslashes escaped (ids are UUIDs, mostly: nothing to escape). */
export function textArray(values: readonly string[]): string {
  let plain = true;
  for (const v of values) {
    if (v.includes('"') || v.includes('\\')) {
      plain = false;
      break;
    }
  }
  if (plain) return `{"${values.join('","')}"}`;
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
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
