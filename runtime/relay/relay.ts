/**
 * The outbox relay: publishes committed outbox rows to Kafka, at least once,
 * in order per key, from any number of instances at the same time.
 *
 * Work is split into 64 lanes (lanes.ts). Each of an instance's `workers`
 * (worker.ts) holds its own PostgreSQL session, its lanes as session advisory
 * locks (membership.ts), and loops: claim up to `batchSize` unpublished rows
 * of its lanes in id order (one query, statements.ts), send them as they were
 * stored (the payload's JSON text, the headers) with one
 * `KafkaProducerPort.send`, then delete them (one DELETE; or, with a
 * `retentionMs`, one UPDATE setting `published_at`, and housekeeping.ts deletes
 * them later). A batch is marked only after Kafka acknowledged all of it, so a
 * crash anywhere republishes (duplicates, never loss), and every batch starts
 * at each key's earliest unpublished row, so even duplicates keep the first
 * copies in key order.
 *
 * Each worker is pipelined on its session: while a full batch is in Kafka's
 * hands, the next is claimed (the rows in flight left out) and the one before
 * is marked; Kafka still gets one batch at a time per worker, in claim order,
 * and a batch claimed before Kafka refused or could not take something is
 * dropped unsent and claimed again. Several workers (and instances) overlap
 * further. Woken by LISTEN/NOTIFY (listener.ts, the table's insert trigger),
 * with polling every `pollIntervalMs` as the fallback.
 *
 * Failures:
 * - Kafka unavailable (the producer's own retry window, about 30 s, ran out):
 *   the batch's rows get `attempts + 1` and `last_error`, the worker pauses
 *   (the `retrier`: 1 s doubling to 30 s by default) and tries again. Nothing
 *   is skipped. A lost database session or listener connection is reopened
 *   after the same back-off.
 * - Kafka refuses records (too large, invalid, unknown or forbidden topic):
 *   the batch is split (bisect.ts: per topic, then halves of its keys, then
 *   row by row within a key) until the refused rows are found; everything else
 *   is published. Each refused row gets `attempts + 1`, `last_error` and
 *   `next_attempt_at` (back-off `backoffInitialMs` doubling to `backoffMaxMs`),
 *   and holds back the later rows of ITS key only, to keep that key's order;
 *   other keys, in the same lane too, go on. A refused topic is also left out
 *   of this instance's claims until its back-off ends (refused-topics.ts). The
 *   trade-off: one bad event stalls its key until it is fixed or removed by an
 *   operator; watch `outbox_rows_in_backoff`, `outbox_publish_failures_total`
 *   and `outbox_oldest_unpublished_age_seconds`, and the rows' `attempts`,
 *   `last_error`, `next_attempt_at`.
 */
import pg from 'pg';
import { silentLogger } from '../core/logger.ts';
import { lockKeyOf, quoteIdent } from '../db/migrate.ts';
import { OUTBOX_TABLE } from '../outbox/write.ts';
import { Housekeeping } from './housekeeping.ts';
import { OutboxListener } from './listener.ts';
import { RefusedTopics } from './refused-topics.ts';
import { type OutboxRelayOptions, type RelaySettings, relaySettings } from './settings.ts';
import { type RelayStatements, relayStatements } from './statements.ts';
import { errorText, LaneWorker, type RelayCounters, type WorkerContext } from './worker.ts';

export { OUTBOX_CHANNEL } from './listener.ts';
export type { OutboxRelayOptions } from './settings.ts';

export interface RelayStatus {
  readonly running: boolean;
  /** Lanes held by this instance's workers. */
  readonly lanes: readonly number[];
  /** Rows this instance published (marked) since start. */
  readonly published: number;
  /** Batches (or parts of batches) that failed. */
  readonly failedSends: number;
}

export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  readonly #settings: RelaySettings;
  readonly #sql: RelayStatements;
  readonly #counters: RelayCounters = { published: 0, failedSends: 0 };
  readonly #refusedTopics: RefusedTopics;
  readonly #housekeeping: Housekeeping;
  readonly #workers: LaneWorker[] = [];
  #stop = new AbortController();
  #listener: OutboxListener | undefined;
  #running = false;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#settings = relaySettings(options);
    this.#sql = relayStatements(`${quoteIdent(this.#settings.schema)}.${OUTBOX_TABLE}`);
    this.#refusedTopics = new RefusedTopics({
      initialMs: this.#settings.backoffInitialMs,
      maxMs: this.#settings.backoffMaxMs,
    });
    this.#housekeeping = new Housekeeping({
      sql: this.#sql,
      log: this.#log,
      metrics: options.metrics,
      retentionMs: this.#settings.retentionMs,
      cleanupIntervalMs: this.#settings.cleanupIntervalMs,
      metricsIntervalMs: this.#settings.metricsIntervalMs,
      session: () => this.#listener?.client,
    });
  }

  get #log() {
    return this.#options.logger ?? silentLogger;
  }

  /** Connects the listener, checks the table, and starts the workers; rejects if PostgreSQL cannot be reached. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = true;
    const { schema, workers, batchSize, instanceId, retrier } = this.#settings;
    const listener = new OutboxListener({
      schema,
      session: () => this.#session('listener'),
      retrier,
      signal: this.#stop.signal,
      log: this.#log,
      wake: () => {
        for (const w of this.#workers) w.wake();
      },
    });
    try {
      await listener.connect();
      await listener.client!.query(this.#sql.probe);
    } catch (err) {
      this.#running = false;
      await listener.close();
      throw new Error(
        `outbox relay cannot use ${schema}.${OUTBOX_TABLE} (did the migrations run? runtime/db/migrate-cli.ts): ${errorText(err)}`,
        { cause: err },
      );
    }
    this.#listener = listener;
    const context = this.#workerContext();
    for (let i = 0; i < workers; i++) this.#workers.push(new LaneWorker(context, i));
    // Every worker registers before any takes lanes, so the first split is already fair.
    await Promise.all(this.#workers.map((w) => w.register()));
    for (const worker of this.#workers) worker.start();
    this.#housekeeping.start();
    this.#log.info('outbox relay started', { instance: instanceId, schema, workers, batchSize });
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
    this.#housekeeping.stop();
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
    await this.#listener?.close();
    this.#listener = undefined;
    this.#log.info('outbox relay stopped', {
      instance: this.#settings.instanceId,
      published: this.#counters.published,
    });
  }

  status(): RelayStatus {
    return {
      running: this.#running,
      lanes: this.#workers.flatMap((w) => w.lanes).sort((a, b) => a - b),
      published: this.#counters.published,
      failedSends: this.#counters.failedSends,
    };
  }

  /** Sets `outbox_backlog`, the oldest row's age and the rows in back-off now (housekeeping does it every `metricsIntervalMs`). */
  refreshBacklogMetrics(client: pg.ClientBase | pg.Pool): Promise<void> {
    return this.#housekeeping.refreshBacklogMetrics(client);
  }

  /** Deletes published rows older than the retention now, in chunks; returns how many. */
  deletePublished(client: pg.ClientBase): Promise<number> {
    return this.#housekeeping.deletePublished(client);
  }

  #workerContext(): WorkerContext {
    const s = this.#settings;
    return {
      sql: this.#sql,
      log: this.#log,
      signal: this.#stop.signal,
      producer: this.#options.producer,
      metrics: this.#options.metrics,
      options: {
        batchSize: s.batchSize,
        pollIntervalMs: s.pollIntervalMs,
        rebalanceIntervalMs: s.rebalanceIntervalMs,
        retentionMs: s.retentionMs,
        backoffInitialMs: s.backoffInitialMs,
        backoffMaxMs: s.backoffMaxMs,
      },
      retrier: s.retrier,
      lockClass: lockKeyOf(`${s.schema}.${OUTBOX_TABLE}`),
      refusedTopics: this.#refusedTopics,
      session: (role) => this.#session(role),
      counters: this.#counters,
    };
  }

  /** A new session of this instance, named in `application_name`. */
  #session(role: string): pg.Client {
    const database = this.#options.database;
    const base = typeof database === 'string' ? { connectionString: database } : database;
    return new pg.Client({
      ...base,
      application_name: `outbox-relay ${this.#settings.instanceId} ${role}`.slice(0, 63),
      keepAlive: true,
    });
  }
}
