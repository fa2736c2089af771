/**
 * Every SQL statement of the relay, for one outbox table. The claim's shape
 * is what keeps order per key: rows of the worker's lanes in id order, minus
 * every row at or after one of its key's rows in back-off.
 */

/**
 * Settings of every worker session.
 *
 * Liveness: a relay host that vanishes without closing its connections loses its lanes
 * within about 25 s (TCP keepalives) instead of the kernel's 2 h, and a process that hangs
 * (a live socket, but no query for 2 minutes; a healthy worker queries at least every few
 * seconds, or after at most the producer's retry window plus a pause) loses them when
 * PostgreSQL ends its idle session.
 *
 * Planner: the claim must stay an ordered scan of the unpublished-rows index that stops at
 * LIMIT, whatever the statistics say; with a fresh table or after an outage (a backlog far
 * above what ANALYZE last saw) PostgreSQL otherwise picks a bitmap scan that sorts the
 * whole backlog on every claim.
 */
export const WORKER_SESSION_SETUP = `SET statement_timeout = '60s'; SET idle_session_timeout = '120s';
  SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3;
  SET enable_bitmapscan = off; SET enable_sort = off`;

/** Settings of the listener session (it also runs housekeeping). */
export const LISTENER_SESSION_SETUP = `SET statement_timeout = '60s'`;

export type RelayStatements = ReturnType<typeof relayStatements>;

/** The statements for `table` (schema-qualified and quoted). */
export function relayStatements(table: string) {
  return {
    /** Whether the table is there (start-up check). */
    probe: `SELECT 1 FROM ${table} LIMIT 0`,
    /** $1 lanes, $2 limit, $3 topics left out, $4 ids left out (the batch in flight). */
    claim: `
      WITH held AS (
        -- Keys held back by a row in back-off. Only the small back-off index can answer this
        -- (no lane condition on purpose: with one, the planner may scan the whole backlog).
        SELECT topic, key, min(id) AS from_id
          FROM ${table}
         WHERE published_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at > now()
           AND key IS NOT NULL
         GROUP BY topic, key
      )
      SELECT o.id, o.event_id, o.topic, o.key, o.event_type, o.headers, o.payload::text AS payload
        FROM ${table} o
       WHERE o.published_at IS NULL
         AND o.lane = ANY($1::smallint[])
         AND o.topic <> ALL($3::text[])
         AND o.id <> ALL($4::bigint[])
         AND NOT EXISTS (SELECT 1 FROM held h WHERE h.topic = o.topic AND h.key = o.key AND o.id >= h.from_id)
         -- A keyless row in back-off holds back only itself.
         AND NOT (o.key IS NULL AND o.next_attempt_at IS NOT NULL AND o.next_attempt_at > now())
       ORDER BY o.id
       LIMIT $2`,
    markPublished: `UPDATE ${table} SET published_at = now(), next_attempt_at = NULL WHERE id = ANY($1::bigint[])`,
    deletePublished: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`,
    attemptFailed: `UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
    /** $1 ids, $2 error, $3 first back-off (ms), $4 longest back-off (ms). */
    rowsRefused: `
      UPDATE ${table}
         SET attempts = attempts + 1,
             last_error = $2,
             next_attempt_at = now() + make_interval(secs => least($4::float8, $3::float8 * power(2, least(attempts, 30))) / 1000.0)
       WHERE id = ANY($1::bigint[])`,
    backlog: `
      SELECT (SELECT count(*) FROM ${table} WHERE published_at IS NULL) AS backlog,
             (SELECT extract(epoch FROM now() - created_at)::float8 FROM ${table}
               WHERE published_at IS NULL ORDER BY id LIMIT 1) AS oldest,
             (SELECT count(*) FROM ${table} WHERE published_at IS NULL AND next_attempt_at IS NOT NULL) AS backoff`,
    /** $1 retention (ms), $2 chunk. */
    cleanup: `
      DELETE FROM ${table} WHERE id IN (
        SELECT id FROM ${table}
         WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1::float8 / 1000.0)
         ORDER BY published_at
         LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
    /** $1 lock class, $2 member key: joins as a member; returns the session's pid. */
    join: 'SELECT pg_backend_pid() AS pid, pg_advisory_lock_shared($1::int, $2::int)',
    /** $1 lock class: every granted advisory lock of this table (members and lanes) with its session. */
    members: `
      SELECT l.objid::int8 AS key, l.pid
        FROM pg_locks l
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid = $1::int8::oid`,
    acquire: `SELECT lane FROM unnest($2::int[]) AS lane WHERE pg_try_advisory_lock($1::int, lane)`,
    release: `SELECT pg_advisory_unlock($1::int, lane) FROM unnest($2::int[]) AS lane`,
  };
}
