/**
 * Presence: who is online, and UserOnlineStatusChanged on every transition
 * (login, logout, an explicit change, the inactivity timeout).
 *
 * A transition updates `users.is_online` and publishes the event in one
 * transaction, the publish after the UPDATE and before COMMIT while the row
 * lock is held, so the events of one user are published in commit order and a
 * failed publish leaves the row unchanged (services/README.md says why
 * presence is published directly and not through the outbox).
 *
 * Presence must never starve the rest of the service when Kafka is down:
 * - it runs on a pool of its own (small, with a connect timeout), so a
 *   presence transaction waiting on the producer never holds a connection
 *   that account requests need;
 * - after a failed publish the breaker opens: for `breakerMs` every
 *   transition fails at once (`PresenceUnavailableError`) without touching the
 *   database or the producer; then one transition is let through to probe;
 * - callers decide what presence is worth: an explicit change answers 503, a
 *   login or a logout succeeds without it (the inactivity sweep corrects a
 *   user left online).
 *
 * Activity: every authenticated request of the user (`touch`) moves
 * `last_seen_at`, at most once per `touchEveryMs`, never waiting on a row
 * lock. The sweep marks users offline whose last activity is older than
 * `inactivityTimeoutMs`, in batches published with one `publishAll`, rows
 * taken with SKIP LOCKED so several instances share the work.
 */
import type pg from 'pg';
import type { UserOnlineStatusEvent, UserOnlineStatusPublisher } from '../../generated/index.ts';
import type { ServiceLogger } from '../shared/logger.ts';

export class PresenceUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PresenceUnavailableError';
  }
}

export interface PresenceOptions {
  /** A pool for presence alone (see `createServicePool(url, schema, max)`; give it a `connectionTimeoutMillis`). */
  readonly pool: pg.Pool;
  readonly publisher: UserOnlineStatusPublisher;
  readonly logger: ServiceLogger;
  /** How long transitions fail fast after a failed publish; default 5 s. */
  readonly breakerMs?: number;
  /** Offline after this long without activity; default 5 minutes. */
  readonly inactivityTimeoutMs?: number;
  /** `last_seen_at` is moved at most this often per user; default a tenth of the timeout, at most 30 s. */
  readonly touchEveryMs?: number;
  /** Users marked offline per sweep transaction; default 500. */
  readonly sweepBatch?: number;
  readonly now?: () => number;
}

export interface PresenceRow {
  readonly id: string;
  readonly is_online: boolean;
  readonly last_seen_at: Date | null;
}

export interface Transition {
  /** The row after the call (undefined: no such user). */
  readonly row: PresenceRow | undefined;
  /** Whether the state changed (and an event was published). */
  readonly changed: boolean;
}

export interface Presence {
  set(userId: number, isOnline: boolean): Promise<Transition>;
  touch(userId: number): Promise<void>;
  /** Marks inactive users offline; returns how many. */
  sweep(): Promise<number>;
  /** Sweeps every `intervalMs` until the returned function is called. */
  startSweeper(intervalMs: number): () => void;
  readonly inactivityTimeoutMs: number;
}

export const DEFAULT_INACTIVITY_TIMEOUT_MS = 5 * 60_000;

export function createPresence(options: PresenceOptions): Presence {
  const { pool, publisher, logger } = options;
  const now = options.now ?? Date.now;
  const breakerMs = options.breakerMs ?? 5_000;
  const inactivityTimeoutMs = options.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_TIMEOUT_MS;
  const touchEveryMs = options.touchEveryMs ?? Math.min(30_000, Math.floor(inactivityTimeoutMs / 10));
  const sweepBatch = options.sweepBatch ?? 500;
  let openUntil = 0;
  let probing = false;

  /** Runs `work` unless the breaker is open; a failure opens it. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    if (now() < openUntil || probing) {
      throw new PresenceUnavailableError(
        'presence is unavailable: the last publish failed; try again shortly',
      );
    }
    const probe = openUntil !== 0;
    if (probe) probing = true;
    try {
      const result = await work();
      openUntil = 0;
      return result;
    } catch (err) {
      if (err instanceof PresenceUnavailableError) {
        openUntil = now() + breakerMs;
        throw err;
      }
      throw err;
    } finally {
      if (probe) probing = false;
    }
  }

  async function inTransaction<T>(work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    let db: pg.PoolClient;
    try {
      db = await pool.connect();
    } catch (err) {
      // The presence pool is exhausted (transitions waiting on the producer) or PostgreSQL is down.
      throw new PresenceUnavailableError('presence is unavailable: no database connection for presence', err);
    }
    let broken = false;
    try {
      await db.query('BEGIN');
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      db.release(broken);
    }
  }

  async function publish(events: readonly UserOnlineStatusEvent[]): Promise<void> {
    try {
      await publisher.publishAll(events);
    } catch (err) {
      logger.error({ err, events: events.length }, 'presence publish failed; presence unchanged');
      throw new PresenceUnavailableError('presence could not be published', err);
    }
  }

  const event = (row: PresenceRow): UserOnlineStatusEvent => ({
    type: 'UserOnlineStatusChanged',
    payload: {
      user_id: Number(row.id),
      is_online: row.is_online,
      timestamp: (row.last_seen_at ?? new Date(now())).toISOString(),
    },
  });

  return {
    inactivityTimeoutMs,

    set: (userId, isOnline) =>
      guarded(() =>
        inTransaction(async (db) => {
          const changed = await db.query<PresenceRow>(
            `UPDATE users SET is_online = $2, last_seen_at = now()
              WHERE id = $1 AND is_online IS DISTINCT FROM $2
              RETURNING id, is_online, last_seen_at`,
            [userId, isOnline],
          );
          const row = changed.rows[0];
          if (!row) {
            const current = await db.query<PresenceRow>(
              'SELECT id, is_online, last_seen_at FROM users WHERE id = $1',
              [userId],
            );
            return { row: current.rows[0], changed: false };
          }
          await publish([event(row)]);
          return { row, changed: true };
        }),
      ),

    async touch(userId) {
      try {
        // Never waits: a row locked by a transition in flight is skipped (that transition moves last_seen_at anyway).
        await pool.query(
          `UPDATE users SET last_seen_at = now()
            WHERE id = (SELECT id FROM users
                         WHERE id = $1 AND is_online AND last_seen_at < now() - make_interval(secs => $2::double precision / 1000)
                         FOR UPDATE SKIP LOCKED)`,
          [userId, touchEveryMs],
        );
      } catch (err) {
        logger.warn({ err, userId }, 'could not record activity');
      }
    },

    async sweep() {
      let total = 0;
      for (;;) {
        const swept = await guarded(() =>
          inTransaction(async (db) => {
            const { rows } = await db.query<PresenceRow>(
              `UPDATE users SET is_online = false, last_seen_at = now()
                WHERE id IN (SELECT id FROM users
                              WHERE is_online AND last_seen_at < now() - make_interval(secs => $1::double precision / 1000)
                              ORDER BY last_seen_at
                              LIMIT $2
                              FOR UPDATE SKIP LOCKED)
                RETURNING id, is_online, last_seen_at`,
              [inactivityTimeoutMs, sweepBatch],
            );
            if (rows.length > 0) await publish(rows.map(event));
            return rows.length;
          }),
        );
        total += swept;
        if (swept < sweepBatch) return total;
      }
    },

    startSweeper(intervalMs) {
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        if (running) return;
        running = this.sweep()
          .then((n) => {
            if (n > 0) logger.info({ users: n }, 'inactive users marked offline');
          })
          .catch((err: unknown) => {
            if (!(err instanceof PresenceUnavailableError)) logger.error({ err }, 'presence sweep failed');
          })
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
