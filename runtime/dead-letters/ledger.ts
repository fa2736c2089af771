/**
 * The dead-letter ledger: which dead-letter records were replayed or discarded, by whom, when and
 * why, in PostgreSQL (schema `dead_letters` by default, migrated by the tool before it writes:
 * runtime/dead-letters/migrations). One row per record, keyed by dead-letter topic, partition and
 * offset, with the latest action; every action is appended to the history table too.
 *
 * Writes to one dead-letter topic are serialized by a session advisory lock, so two operators
 * replaying the same topic cannot both decide to send the same record.
 */
import path from 'node:path';
import type pg from 'pg';
import { lockKeyOf, migrate, quoteIdent } from '../db/migrate.ts';

export const DEFAULT_LEDGER_SCHEMA = 'dead_letters';
export const LEDGER_MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/** First key of the ledger's advisory locks (the second is the dead-letter topic's hash). */
const LEDGER_LOCK_CLASS = 0x444c5154; // 'DLQT'

export type LedgerAction = 'replaying' | 'replayed' | 'discarded';

export interface LedgerEntry {
  readonly partition: number;
  readonly offset: string;
  readonly action: LedgerAction;
  readonly actedAt: Date;
  readonly operator: string;
  readonly reason: string | null;
  readonly replays: number;
  readonly replayedTo: string | null;
}

/** What one record's ledger row says, for a record about to be acted on. */
export interface LedgerSubject {
  readonly partition: number;
  readonly offset: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly originalTopic?: string;
  readonly consumerGroup?: string;
}

export const positionOf = (partition: number, offset: string | bigint) => `${partition}:${offset}`;

export class Ledger {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #s: string;

  constructor(pool: pg.Pool, schema: string = DEFAULT_LEDGER_SCHEMA) {
    this.#pool = pool;
    this.#schema = schema;
    this.#s = quoteIdent(schema);
  }

  get schema(): string {
    return this.#schema;
  }

  /** Creates or updates the ledger's tables (idempotent; safe from several processes). */
  async migrate(): Promise<void> {
    await migrate(this.#pool, { schema: this.#schema, dir: LEDGER_MIGRATIONS_DIR });
  }

  /** Whether the ledger exists yet (reading commands never create it). */
  async exists(): Promise<boolean> {
    const { rows } = await this.#pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      `${this.#s}.dead_letter_ledger`,
    ]);
    return rows[0]?.t !== null && rows[0]?.t !== undefined;
  }

  /** Every entry of one dead-letter topic, by `partition:offset`; empty when there is no ledger yet. */
  async entries(topic: string): Promise<Map<string, LedgerEntry>> {
    if (!(await this.exists())) return new Map();
    const { rows } = await this.#pool.query<{
      dlq_partition: number;
      dlq_offset: string;
      action: LedgerAction;
      acted_at: Date;
      operator: string;
      reason: string | null;
      replays: number;
      replayed_to: string | null;
    }>(
      `SELECT dlq_partition, dlq_offset::text AS dlq_offset, action, acted_at, operator, reason, replays, replayed_to
         FROM ${this.#s}.dead_letter_ledger WHERE dlq_topic = $1`,
      [topic],
    );
    return new Map(
      rows.map((r) => [
        positionOf(r.dlq_partition, r.dlq_offset),
        {
          partition: r.dlq_partition,
          offset: r.dlq_offset,
          action: r.action,
          actedAt: r.acted_at,
          operator: r.operator,
          reason: r.reason,
          replays: r.replays,
          replayedTo: r.replayed_to,
        },
      ]),
    );
  }

  /**
   * Runs `work` holding the topic's ledger lock (a dedicated session). Refuses at once when another
   * replay or discard of the same topic holds it.
   */
  async exclusive<T>(topic: string, work: () => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const key = lockKeyOf(`${this.#schema}\u0000${topic}`);
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [LEDGER_LOCK_CLASS, key],
      );
      if (!rows[0]?.locked) {
        throw new Error(`another replay or discard of ${topic} is running; try again when it has finished`);
      }
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LEDGER_LOCK_CLASS, key]).catch(() => {});
      }
    } finally {
      client.release();
    }
  }

  /** Records the intent to send these records (one transaction), before they are sent. */
  async replaying(
    topic: string,
    subjects: readonly LedgerSubject[],
    by: { operator: string; reason: string | null; forced: boolean },
  ): Promise<void> {
    await this.#write(topic, subjects, 'replaying', by);
  }

  /** Records the sends the broker acknowledged (one transaction). */
  async replayed(
    topic: string,
    sent: readonly (LedgerSubject & { readonly replayedTo: string })[],
    by: { operator: string; reason: string | null; forced: boolean },
  ): Promise<void> {
    if (sent.length === 0) return;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE ${this.#s}.dead_letter_ledger l
            SET action = 'replayed', acted_at = now(), operator = $2, reason = coalesce($3, l.reason),
                replays = l.replays + 1, replayed_to = s.replayed_to
           FROM unnest($4::int[], $5::bigint[], $6::text[]) AS s (p, o, replayed_to)
          WHERE l.dlq_topic = $1 AND l.dlq_partition = s.p AND l.dlq_offset = s.o`,
        [
          topic,
          by.operator,
          by.reason,
          sent.map((s) => s.partition),
          sent.map((s) => s.offset),
          sent.map((s) => s.replayedTo),
        ],
      );
      await this.#history(client, topic, sent, 'replayed', by, (s) => s.replayedTo);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async discarded(
    topic: string,
    subjects: readonly LedgerSubject[],
    by: { operator: string; reason: string; forced: boolean },
  ): Promise<void> {
    await this.#write(topic, subjects, 'discarded', by);
  }

  async #write(
    topic: string,
    subjects: readonly LedgerSubject[],
    action: 'replaying' | 'discarded',
    by: { operator: string; reason: string | null; forced: boolean },
  ): Promise<void> {
    if (subjects.length === 0) return;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${this.#s}.dead_letter_ledger
           (dlq_topic, dlq_partition, dlq_offset, action, operator, reason,
            event_id, event_type, original_topic, consumer_group)
         SELECT $1, s.p, s.o, $2, $3, $4, s.event_id, s.event_type, s.original_topic, s.consumer_group
           FROM unnest($5::int[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[])
                AS s (p, o, event_id, event_type, original_topic, consumer_group)
         ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO UPDATE
           SET action = excluded.action, acted_at = now(), operator = excluded.operator,
               reason = coalesce(excluded.reason, dead_letter_ledger.reason)`,
        [
          topic,
          action,
          by.operator,
          by.reason,
          subjects.map((s) => s.partition),
          subjects.map((s) => s.offset),
          subjects.map((s) => s.eventId ?? null),
          subjects.map((s) => s.eventType ?? null),
          subjects.map((s) => s.originalTopic ?? null),
          subjects.map((s) => s.consumerGroup ?? null),
        ],
      );
      await this.#history(client, topic, subjects, action, by, () => null);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async #history<S extends LedgerSubject>(
    client: pg.PoolClient,
    topic: string,
    subjects: readonly S[],
    action: LedgerAction,
    by: { operator: string; reason: string | null; forced: boolean },
    replayedTo: (s: S) => string | null,
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#s}.dead_letter_ledger_history
         (dlq_topic, dlq_partition, dlq_offset, action, forced, operator, reason, replayed_to)
       SELECT $1, s.p, s.o, $2, $3, $4, $5, s.replayed_to
         FROM unnest($6::int[], $7::bigint[], $8::text[]) AS s (p, o, replayed_to)`,
      [
        topic,
        action,
        by.forced,
        by.operator,
        by.reason,
        subjects.map((s) => s.partition),
        subjects.map((s) => s.offset),
        subjects.map(replayedTo),
      ],
    );
  }
}
