/**
 * The outbox relay: publishes committed outbox rows to Kafka, at least once,
 * in order per key, from any number of instances at the same time.
 *
 * Work is split into 64 lanes (lanes.ts). Each of an instance's `workers`
 * holds its own PostgreSQL session, its lanes as session advisory locks, and
 * loops: claim up to `batchSize` unpublished rows of its lanes in id order
 * (one query), send them with one `KafkaProducerPort.send`, then delete them
 * (one DELETE; or, with a `retentionMs`, one UPDATE setting `published_at`,
 * and housekeeping deletes them later). A batch is marked only after Kafka
 * acknowledged all of it, so a crash anywhere republishes
 * (duplicates, never loss), and every batch starts at each key's earliest
 * unpublished row, so even duplicates keep the first copies in key order.
 *
 * Several workers (and instances) overlap one's database work with another's
 * Kafka send. Woken by LISTEN/NOTIFY (the table's insert trigger), with
 * polling every `pollIntervalMs` as the fallback.
 *
 * Failures:
 * - Kafka unavailable (the producer's own retry window, about 30 s, ran out):
 *   the batch's rows get `attempts + 1` and `last_error`, the worker pauses
 *   (1 s doubling to 30 s) and tries again. Nothing is skipped.
 * - Kafka refuses records (too large, invalid, unknown or forbidden topic):
 *   the batch is split (per topic, then halves of its keys, then row by row
 *   within a key) until the refused rows are found; everything else is
 *   published. Each refused row gets `attempts + 1`, `last_error` and
 *   `next_attempt_at` (back-off `backoffInitialMs` doubling to `backoffMaxMs`),
 *   and holds back the later rows of ITS key only, to keep that key's order;
 *   other keys, in the same lane too, go on. A refused topic is also left out
 *   of this instance's claims until its back-off ends. The trade-off: one bad
 *   event stalls its key until it is fixed or removed by an operator; watch
 *   `outbox_rows_in_backoff`, `outbox_publish_failures_total` and
 *   `outbox_oldest_unpublished_age_seconds`, and the rows' `attempts`,
 *   `last_error`, `next_attempt_at`.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { acknowledgedRecords, isRefusedRecordsError } from '../core/kafka-send-error.ts';
import { errorDetails, type Logger, silentLogger } from '../core/logger.ts';
import { sleep } from '../core/sleep.ts';
import { lockKeyOf, quoteIdent } from '../db/migrate.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { OutgoingRecord } from '../kafka/records.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { OUTBOX_TABLE } from '../outbox/write.ts';
import { countPublished } from '../produce/event-producer.ts';
import { byKey, byTopic, firstRowPerKey, halves, retryDelayMs } from './batches.ts';
import { LANES, MEMBER_LOCK_KEY, planLanes } from './lanes.ts';

export const OUTBOX_CHANNEL = 'domain_event_outbox';

export interface OutboxRelayOptions {
  /** Connection string or pg client config; the relay opens its own sessions (1 + `workers`). */
  readonly database: string | pg.ClientConfig;
  readonly producer: KafkaProducerPort;
  /** Schema of the outbox table; default `public`. */
  readonly schema?: string;
  /** Lane workers in this instance, each with its own session; default 2. */
  readonly workers?: number;
  /** Rows claimed and sent at once; default 2000. */
  readonly batchSize?: number;
  /** Polling fallback when no notification arrives; default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** How often a worker recounts the live workers and takes or gives back lanes; default 2000 ms. */
  readonly rebalanceIntervalMs?: number;
  /**
   * How long published rows stay in the table, marked `published_at` (for inspection), before
   * housekeeping deletes them. Default 0: deleted as they are published, in the same statement.
   * Marking costs an UPDATE (a whole new row version and three index entries, then a DELETE
   * later: about twice the WAL and dead rows; roughly 5% of relay throughput in the benchmark),
   * and Kafka keeps the published events anyway. Size a retention with the event rate: every
   * kept row is a full copy of its event (about 0.8 KB).
   */
  readonly retentionMs?: number;
  /** How often published rows past retention are deleted; default 60 s. */
  readonly cleanupIntervalMs?: number;
  /** How often the backlog gauges are refreshed; default 5000 ms. */
  readonly metricsIntervalMs?: number;
  /** Back-off of a refused row: first delay; default 1000 ms. */
  readonly backoffInitialMs?: number;
  /** Back-off of a refused row: longest delay; default 5 min. */
  readonly backoffMaxMs?: number;
  /** How long `stop()` waits for batches in flight before closing the sessions anyway; default 45 s. */
  readonly stopTimeoutMs?: number;
  /** Names this instance in logs and `application_name`. */
  readonly instanceId?: string;
  readonly metrics?: RuntimeMetrics;
  readonly logger?: Logger;
}

export interface RelayStatus {
  readonly running: boolean;
  /** Lanes held by this instance's workers. */
  readonly lanes: readonly number[];
  /** Rows this instance published (marked) since start. */
  readonly published: number;
  /** Batches (or parts of batches) that failed. */
  readonly failedSends: number;
}

interface OutboxRow {
  readonly id: string;
  readonly event_id: string;
  readonly topic: string;
  readonly key: string | null;
  readonly event_type: string;
  readonly headers: Record<string, string>;
  readonly payload: string;
}

interface Settings {
  readonly schema: string;
  readonly workers: number;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly rebalanceIntervalMs: number;
  readonly retentionMs: number;
  readonly cleanupIntervalMs: number;
  readonly metricsIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly stopTimeoutMs: number;
  readonly instanceId: string;
}

const MAX_ERROR_LENGTH = 2000;
const CLEANUP_CHUNK = 10_000;

const message = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);

export class OutboxRelay {
  readonly #settings: Settings;
  readonly #database: string | pg.ClientConfig;
  readonly #producer: KafkaProducerPort;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #log: Logger;
  readonly #sql: ReturnType<typeof statements>;
  /** First key of every advisory lock of this outbox table. */
  readonly #lockClass: number;
  readonly #workers: LaneWorker[] = [];
  /** Topics Kafka refused as a whole: left out of claims until `until`; `times` drives the back-off. */
  readonly #refusedTopics = new Map<string, { until: number; times: number }>();
  #stop = new AbortController();
  #control: pg.Client | undefined;
  #controlRetry: NodeJS.Timeout | undefined;
  #housekeeping: NodeJS.Timeout | undefined;
  #lastCleanup = 0;
  #lastMetrics = 0;
  #housekeepingBusy = false;
  #running = false;
  published = 0;
  failedSends = 0;

  constructor(options: OutboxRelayOptions) {
    const schema = options.schema ?? 'public';
    this.#settings = {
      schema,
      workers: options.workers ?? 2,
      batchSize: options.batchSize ?? 2000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      rebalanceIntervalMs: options.rebalanceIntervalMs ?? 2000,
      retentionMs: options.retentionMs ?? 0,
      cleanupIntervalMs: options.cleanupIntervalMs ?? 60_000,
      metricsIntervalMs: options.metricsIntervalMs ?? 5000,
      backoffInitialMs: options.backoffInitialMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 45_000,
      instanceId: options.instanceId ?? `${hostname()}:${process.pid}`,
    };
    if (!Number.isInteger(this.#settings.workers) || this.#settings.workers < 1) {
      throw new Error(`workers must be a positive integer, got ${options.workers}`);
    }
    if (!Number.isInteger(this.#settings.batchSize) || this.#settings.batchSize < 1) {
      throw new Error(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.#database = options.database;
    this.#producer = options.producer;
    this.#metrics = options.metrics;
    this.#log = options.logger ?? silentLogger;
    this.#sql = statements(`${quoteIdent(schema)}.${OUTBOX_TABLE}`);
    this.#lockClass = lockKeyOf(`${schema}.${OUTBOX_TABLE}`);
  }

  /** Connects the listener, checks the table, and starts the workers; rejects if PostgreSQL cannot be reached. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = true;
    try {
      await this.#connectControl();
      await this.#control!.query(
        `SELECT 1 FROM ${quoteIdent(this.#settings.schema)}.${OUTBOX_TABLE} LIMIT 0`,
      );
    } catch (err) {
      this.#running = false;
      await this.#closeControl();
      throw new Error(
        `outbox relay cannot use ${this.#settings.schema}.${OUTBOX_TABLE} (did the migrations run? runtime/db/migrate-cli.ts): ${message(err)}`,
        { cause: err },
      );
    }
    for (let i = 0; i < this.#settings.workers; i++) this.#workers.push(new LaneWorker(this, i));
    // Every worker registers before any takes lanes, so the first split is already fair.
    await Promise.all(this.#workers.map((w) => w.register()));
    for (const worker of this.#workers) worker.start();
    this.#housekeeping = setInterval(() => void this.#housekeep(), 500);
    this.#housekeeping.unref();
    this.#log.info('outbox relay started', {
      instance: this.#settings.instanceId,
      schema: this.#settings.schema,
      workers: this.#settings.workers,
      batchSize: this.#settings.batchSize,
    });
  }

  /**
   * Stops claiming; batches in flight are finished (sent and marked) within
   * `stopTimeoutMs`, then every session is closed, which releases the lanes.
   * The producer is the caller's to disconnect.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stop.abort();
    clearInterval(this.#housekeeping);
    clearTimeout(this.#controlRetry);
    const finished = Promise.all(this.#workers.map((w) => w.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.#settings.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.#log.warn('outbox relay: batches still in flight at the stop timeout; closing their sessions', {
        timeoutMs: this.#settings.stopTimeoutMs,
      });
    }
    await Promise.all(this.#workers.map((w) => w.close()));
    this.#workers.length = 0;
    await this.#closeControl();
    this.#log.info('outbox relay stopped', {
      instance: this.#settings.instanceId,
      published: this.published,
    });
  }

  status(): RelayStatus {
    return {
      running: this.#running,
      lanes: this.#workers.flatMap((w) => w.lanes).sort((a, b) => a - b),
      published: this.published,
      failedSends: this.failedSends,
    };
  }

  // ------------------------------------------------------------ shared by workers

  get settings(): Settings {
    return this.#settings;
  }
  get sql(): ReturnType<typeof statements> {
    return this.#sql;
  }
  get lockClass(): number {
    return this.#lockClass;
  }
  get signal(): AbortSignal {
    return this.#stop.signal;
  }
  get log(): Logger {
    return this.#log;
  }
  get producer(): KafkaProducerPort {
    return this.#producer;
  }
  get metrics(): RuntimeMetrics | undefined {
    return this.#metrics;
  }

  clientConfig(role: string): pg.ClientConfig {
    const base = typeof this.#database === 'string' ? { connectionString: this.#database } : this.#database;
    return {
      ...base,
      application_name: `outbox-relay ${this.#settings.instanceId} ${role}`.slice(0, 63),
      keepAlive: true,
    };
  }

  /** Topics to leave out of claims now. */
  refusedTopics(): string[] {
    const now = Date.now();
    const out: string[] = [];
    for (const [topic, state] of this.#refusedTopics) if (state.until > now) out.push(topic);
    return out;
  }

  /** Leaves a refused topic out of claims, for longer each time it is refused again. */
  refuseTopic(topic: string): void {
    const times = (this.#refusedTopics.get(topic)?.times ?? 0) + 1;
    const { backoffInitialMs, backoffMaxMs } = this.#settings;
    this.#refusedTopics.set(topic, {
      times,
      until: Date.now() + retryDelayMs(times, backoffInitialMs, backoffMaxMs),
    });
  }

  /** Kafka took records of these topics: forget earlier refusals. */
  topicsAccepted(rows: readonly { readonly topic: string }[]): void {
    if (this.#refusedTopics.size === 0) return;
    for (const row of rows) this.#refusedTopics.delete(row.topic);
  }

  // ------------------------------------------------------------ listener and housekeeping

  async #connectControl(): Promise<void> {
    const client = new pg.Client(this.clientConfig('listener'));
    client.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL && n.payload === this.#settings.schema) {
        for (const w of this.#workers) w.wake();
      }
    });
    client.on('error', (err) => {
      this.#log.warn('outbox relay: listener connection failed; polling until it is back', errorDetails(err));
      if (this.#control === client) this.#control = undefined;
      client.end().catch(() => {});
      this.#scheduleControlReconnect();
    });
    await client.connect();
    await client.query(`SET statement_timeout = '60s'`);
    await client.query(`LISTEN ${quoteIdent(OUTBOX_CHANNEL)}`);
    this.#control = client;
  }

  #scheduleControlReconnect(): void {
    if (!this.#running || this.#controlRetry) return;
    this.#controlRetry = setTimeout(async () => {
      this.#controlRetry = undefined;
      if (!this.#running || this.#control) return;
      try {
        await this.#connectControl();
        for (const w of this.#workers) w.wake();
      } catch (err) {
        this.#log.warn('outbox relay: listener reconnect failed', errorDetails(err));
        this.#scheduleControlReconnect();
      }
    }, 2000);
    this.#controlRetry.unref();
  }

  async #closeControl(): Promise<void> {
    const client = this.#control;
    this.#control = undefined;
    if (client) await client.end().catch(() => {});
  }

  async #housekeep(): Promise<void> {
    const client = this.#control;
    if (!client || this.#housekeepingBusy || !this.#running) return;
    this.#housekeepingBusy = true;
    try {
      const now = Date.now();
      if (this.#metrics && now - this.#lastMetrics >= this.#settings.metricsIntervalMs) {
        this.#lastMetrics = now;
        await this.refreshBacklogMetrics(client);
      }
      // Also with retention 0: rows marked under an earlier, longer retention still go.
      if (now - this.#lastCleanup >= this.#settings.cleanupIntervalMs) {
        this.#lastCleanup = now;
        await this.deletePublished(client);
      }
    } catch (err) {
      this.#log.warn('outbox relay: housekeeping failed', errorDetails(err));
    } finally {
      this.#housekeepingBusy = false;
    }
  }

  /** Sets `outbox_backlog`, the oldest row's age and the rows in back-off. */
  async refreshBacklogMetrics(client: pg.ClientBase | pg.Pool): Promise<void> {
    const { rows } = await client.query<{ backlog: string; oldest: number | null; backoff: string }>(
      this.#sql.backlog,
    );
    const row = rows[0];
    if (!row || !this.#metrics) return;
    this.#metrics.outboxBacklog.set(Number(row.backlog));
    this.#metrics.outboxOldestAgeSeconds.set(row.oldest ?? 0);
    this.#metrics.outboxRowsInBackoff.set(Number(row.backoff));
  }

  /** Deletes published rows older than the retention, in chunks; returns how many. */
  async deletePublished(client: pg.ClientBase): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await client.query(this.#sql.cleanup, [this.#settings.retentionMs, CLEANUP_CHUNK]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < CLEANUP_CHUNK || !this.#running) break;
    }
    if (total > 0) this.#log.debug('outbox relay: deleted published rows', { rows: total });
    return total;
  }
}

function statements(table: string) {
  return {
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
         AND NOT EXISTS (SELECT 1 FROM held h WHERE h.topic = o.topic AND h.key = o.key AND o.id >= h.from_id)
         -- A keyless row in back-off holds back only itself.
         AND NOT (o.key IS NULL AND o.next_attempt_at IS NOT NULL AND o.next_attempt_at > now())
       ORDER BY o.id
       LIMIT $2`,
    markPublished: `UPDATE ${table} SET published_at = now(), next_attempt_at = NULL WHERE id = ANY($1::bigint[])`,
    deletePublished: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`,
    attemptFailed: `UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
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
    cleanup: `
      DELETE FROM ${table} WHERE id IN (
        SELECT id FROM ${table}
         WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1::float8 / 1000.0)
         ORDER BY published_at
         LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
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

/** One session, its lanes, and the claim → send → mark loop. */
class LaneWorker {
  readonly #relay: OutboxRelay;
  readonly #index: number;
  #client: pg.Client | undefined;
  #pid = 0;
  #lanes: number[] = [];
  #dirty = true;
  #wake: (() => void) | undefined;
  #nextRebalance = 0;
  #unavailable = 0;
  done: Promise<void> = Promise.resolve();

  constructor(relay: OutboxRelay, index: number) {
    this.#relay = relay;
    this.#index = index;
  }

  get lanes(): readonly number[] {
    return this.#lanes;
  }

  /** Opens the session and joins as a member; a failure is left to the run loop's reconnects. */
  async register(): Promise<void> {
    try {
      await this.#connect();
    } catch (err) {
      this.#relay.log.warn('outbox relay worker: cannot connect yet', {
        worker: this.#index,
        ...errorDetails(err),
      });
      await this.close();
    }
  }

  start(): void {
    this.done = this.#run();
  }

  wake(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#lanes = [];
    // Ending the session releases its advisory locks: the lanes go back to the other workers.
    if (client) await client.end().catch(() => {});
  }

  async #run(): Promise<void> {
    const relay = this.#relay;
    let failures = 0;
    while (!relay.signal.aborted) {
      try {
        await this.#connect();
        failures = 0;
        await this.#loop();
      } catch (err) {
        if (relay.signal.aborted) break;
        failures++;
        relay.log.warn('outbox relay worker: database session failed; reconnecting', {
          worker: this.#index,
          lanes: this.#lanes.length,
          ...errorDetails(err),
        });
        await this.close();
        await sleep(retryDelayMs(failures, 500, 10_000), relay.signal);
      }
    }
  }

  async #connect(): Promise<void> {
    if (this.#client) return;
    const relay = this.#relay;
    const client = new pg.Client(relay.clientConfig(`worker ${this.#index}`));
    client.on('error', () => {
      // Reported by the failing query; a broken session is replaced by #run.
    });
    await client.connect();
    this.#client = client;
    // Liveness: a relay host that vanishes without closing its connections loses its lanes
    // within about 25 s (TCP keepalives) instead of the kernel's 2 h, and a process that hangs
    // (a live socket, but no query for 2 minutes; a healthy worker queries at least every few
    // seconds, or after at most the producer's retry window plus a pause) loses them when
    // PostgreSQL ends its idle session.
    // Planner: the claim must stay an ordered scan of the unpublished-rows index that stops at
    // LIMIT, whatever the statistics say; with a fresh table or after an outage (a backlog far
    // above what ANALYZE last saw) PostgreSQL otherwise picks a bitmap scan that sorts the
    // whole backlog on every claim.
    await client.query(
      `SET statement_timeout = '60s'; SET idle_session_timeout = '120s';
       SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3;
       SET enable_bitmapscan = off; SET enable_sort = off`,
    );
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pg_backend_pid() AS pid, pg_advisory_lock_shared($1::int, $2::int)',
      [relay.lockClass, MEMBER_LOCK_KEY],
    );
    this.#pid = rows[0]!.pid;
    this.#lanes = [];
    this.#nextRebalance = 0;
  }

  async #loop(): Promise<void> {
    const relay = this.#relay;
    const { batchSize, pollIntervalMs } = relay.settings;
    while (!relay.signal.aborted) {
      if (Date.now() >= this.#nextRebalance) await this.#rebalance();
      if (this.#lanes.length === 0) {
        // Nothing to claim before the next rebalance, whatever was notified.
        this.#dirty = false;
        await this.#idle(relay.settings.rebalanceIntervalMs);
        continue;
      }
      this.#dirty = false;
      const claimed = performance.now();
      const { rows } = await this.#client!.query<OutboxRow>(relay.sql.claim, [
        this.#lanes,
        batchSize,
        relay.refusedTopics(),
      ]);
      if (rows.length > 0) {
        const started = performance.now();
        await this.#publish(rows);
        relay.log.debug('outbox relay worker: batch done', {
          worker: this.#index,
          rows: rows.length,
          claimMs: Math.round(started - claimed),
          publishMs: Math.round(performance.now() - started),
        });
      }
      if (rows.length < batchSize && !this.#dirty) await this.#idle(pollIntervalMs);
    }
  }

  /** Waits for a notification, the poll interval, the next rebalance, or stop. */
  #idle(ms: number): Promise<void> {
    if (this.#dirty || this.#relay.signal.aborted) return Promise.resolve();
    const untilRebalance = Math.max(0, this.#nextRebalance - Date.now());
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#relay.signal.removeEventListener('abort', finish);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, Math.min(ms, untilRebalance || ms));
      this.#relay.signal.addEventListener('abort', finish, { once: true });
      this.#wake = finish;
    });
  }

  async #rebalance(): Promise<void> {
    const relay = this.#relay;
    const client = this.#client!;
    this.#nextRebalance = Date.now() + relay.settings.rebalanceIntervalMs;
    const { rows } = await client.query<{ key: string; pid: number }>(relay.sql.members, [relay.lockClass]);
    const members = new Set<number>();
    const heldByOthers = new Set<number>();
    const mine: number[] = [];
    for (const row of rows) {
      const key = Number(row.key);
      if (key === MEMBER_LOCK_KEY) members.add(row.pid);
      else if (key >= 0 && key < LANES) {
        if (row.pid === this.#pid) mine.push(key);
        else heldByOthers.add(key);
      }
    }
    // Each member starts looking at its own slice (rank × share), so members that
    // rebalance at the same moment do not all reach for the same free lanes.
    const rank = [...members].sort((a, b) => a - b).indexOf(this.#pid);
    const plan = planLanes({
      lanes: LANES,
      members: members.size,
      mine,
      heldByOthers,
      start: Math.max(0, rank) * Math.ceil(LANES / Math.max(1, members.size)),
    });
    let changed = false;
    if (plan.release.length > 0) {
      await client.query(relay.sql.release, [relay.lockClass, plan.release]);
      changed = true;
    }
    let acquired: number[] = [];
    if (plan.acquire.length > 0) {
      acquired = (
        await client.query<{ lane: number }>(relay.sql.acquire, [relay.lockClass, plan.acquire])
      ).rows.map((r) => r.lane);
      changed ||= acquired.length > 0;
    }
    const released = new Set(plan.release);
    this.#lanes = [...mine.filter((l) => !released.has(l)), ...acquired].sort((a, b) => a - b);
    // Short of the share because another member took a lane first: look again soon.
    if (acquired.length < plan.acquire.length) this.#nextRebalance = Date.now() + 100;
    if (changed) {
      this.#dirty = true;
      relay.log.info('outbox relay worker: lanes rebalanced', {
        worker: this.#index,
        members: members.size,
        target: plan.target,
        lanes: this.#lanes.length,
        released: plan.release.length,
        acquired: acquired.length,
      });
    }
  }

  async #publish(rows: readonly OutboxRow[]): Promise<void> {
    try {
      await this.#send(rows);
      this.#unavailable = 0;
    } catch (err) {
      const rest = rows.slice(acknowledgedRecords(err, rows.length));
      if (!isRefusedRecordsError(err)) {
        await this.#kafkaUnavailable(rest, err);
        return;
      }
      await this.#isolate(rest, err);
    }
  }

  /**
   * Sends rows as one batch and marks them published. Throws what the producer
   * threw, after marking the leading rows it says Kafka acknowledged.
   */
  async #send(rows: readonly OutboxRow[]): Promise<void> {
    const relay = this.#relay;
    const records: OutgoingRecord[] = rows.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: Buffer.from(r.payload, 'utf8'),
      headers: r.headers,
    }));
    try {
      await relay.producer.send(records);
    } catch (err) {
      const acknowledged = acknowledgedRecords(err, rows.length);
      if (acknowledged > 0) await this.#markPublished(rows.slice(0, acknowledged));
      throw err;
    }
    await this.#markPublished(rows);
  }

  async #markPublished(rows: readonly OutboxRow[]): Promise<void> {
    const relay = this.#relay;
    const ids = rows.map((r) => r.id);
    await this.#client!.query(
      relay.settings.retentionMs === 0 ? relay.sql.deletePublished : relay.sql.markPublished,
      [ids],
    );
    relay.published += rows.length;
    relay.topicsAccepted(rows);
    countPublished(
      relay.metrics,
      'outbox',
      rows.map((r) => ({ topic: r.topic, type: r.event_type })),
    );
  }

  #countFailure(rows: readonly OutboxRow[]): void {
    this.#relay.failedSends++;
    const metrics = this.#relay.metrics;
    if (!metrics) return;
    for (const group of byTopic(rows))
      metrics.outboxPublishFailures.inc({ topic: group[0]!.topic }, group.length);
  }

  /** Kafka could not be reached for the producer's whole retry window: record the attempt, pause, retry. */
  async #kafkaUnavailable(rows: readonly OutboxRow[], err: unknown): Promise<void> {
    const relay = this.#relay;
    this.#countFailure(rows);
    this.#unavailable++;
    const pause = retryDelayMs(this.#unavailable, 1000, 30_000);
    relay.log.warn('outbox relay: Kafka unavailable; the batch stays in the outbox and is retried', {
      worker: this.#index,
      rows: rows.length,
      pauseMs: pause,
      ...errorDetails(err),
    });
    await this.#client!.query(relay.sql.attemptFailed, [rows.map((r) => r.id), message(err)]);
    await sleep(pause, relay.signal);
  }

  /**
   * Kafka refused something in the batch: publish everything it takes and
   * back off only the refused rows (and, by the claim, the rest of their keys).
   * Returns false when Kafka became unavailable midway (the worker pauses).
   */
  async #isolate(rows: readonly OutboxRow[], err: unknown): Promise<boolean> {
    const topics = byTopic(rows);
    if (topics.length > 1) {
      for (const group of topics) {
        if (!(await this.#attempt(group))) return false;
      }
      return true;
    }
    const topic = rows[0]!.topic;
    const refusedTopics = (err as { topics?: readonly string[] }).topics ?? [];
    if (refusedTopics.includes(topic)) {
      const first = firstRowPerKey(rows);
      await this.#refuse(first, err);
      this.#relay.refuseTopic(topic);
      return true;
    }
    const keys = byKey(rows);
    if (keys.length > 1) {
      for (const half of halves(keys)) {
        if (half.length > 0 && !(await this.#attempt(half))) return false;
      }
      return true;
    }
    // One key: row by row, in order, up to the refused one; the rows after it wait behind it.
    for (const [i, row] of rows.entries()) {
      try {
        await this.#send([row]);
      } catch (rowErr) {
        if (!isRefusedRecordsError(rowErr)) {
          await this.#kafkaUnavailable(rows.slice(i), rowErr);
          return false;
        }
        await this.#refuse([row], rowErr);
        return true;
      }
    }
    return true;
  }

  /** Sends a part of a refused batch; isolates further if it is refused again. */
  async #attempt(rows: readonly OutboxRow[]): Promise<boolean> {
    try {
      await this.#send(rows);
      return true;
    } catch (err) {
      const rest = rows.slice(acknowledgedRecords(err, rows.length));
      if (!isRefusedRecordsError(err)) {
        await this.#kafkaUnavailable(rest, err);
        return false;
      }
      return this.#isolate(rest, err);
    }
  }

  async #refuse(rows: readonly OutboxRow[], err: unknown): Promise<void> {
    const relay = this.#relay;
    this.#countFailure(rows);
    relay.log.error(
      'outbox relay: Kafka refused events; they back off and hold back later events of their keys',
      {
        worker: this.#index,
        rows: rows.length,
        eventIds: rows.slice(0, 10).map((r) => r.event_id),
        topic: rows[0]?.topic,
        ...errorDetails(err),
      },
    );
    await this.#client!.query(relay.sql.rowsRefused, [
      rows.map((r) => r.id),
      message(err),
      relay.settings.backoffInitialMs,
      relay.settings.backoffMaxMs,
    ]);
  }
}
