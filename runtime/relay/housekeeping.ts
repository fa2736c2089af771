/**
 * The relay's housekeeping, on the listener's session: refreshes the backlog
 * gauges every `metricsIntervalMs`, and deletes published rows past the
 * retention every `cleanupIntervalMs` (also with retention 0: rows marked
 * under an earlier, longer retention still go), in chunks.
 */
import type pg from 'pg';
import { errorDetails, type Logger } from '../core/logger.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import type { RelayStatements } from './statements.ts';

const CLEANUP_CHUNK = 10_000;
const TICK_MS = 500;

export interface HousekeepingContext {
  readonly sql: RelayStatements;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics | undefined;
  readonly retentionMs: number;
  readonly cleanupIntervalMs: number;
  readonly metricsIntervalMs: number;
  /** The session to work on now, if any. */
  readonly session: () => pg.ClientBase | undefined;
}

export class Housekeeping {
  readonly #context: HousekeepingContext;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #lastCleanup = 0;
  #lastMetrics = 0;

  constructor(context: HousekeepingContext) {
    this.#context = context;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    const { metrics, metricsIntervalMs, cleanupIntervalMs, log } = this.#context;
    const client = this.#context.session();
    if (!client || this.#busy || !this.#timer) return;
    this.#busy = true;
    try {
      const now = Date.now();
      if (metrics && now - this.#lastMetrics >= metricsIntervalMs) {
        this.#lastMetrics = now;
        await this.refreshBacklogMetrics(client);
      }
      if (now - this.#lastCleanup >= cleanupIntervalMs) {
        this.#lastCleanup = now;
        await this.deletePublished(client);
      }
    } catch (err) {
      log.warn('outbox relay: housekeeping failed', errorDetails(err));
    } finally {
      this.#busy = false;
    }
  }

  /** Sets `outbox_backlog`, the oldest row's age and the rows in back-off. */
  async refreshBacklogMetrics(client: pg.ClientBase | pg.Pool): Promise<void> {
    const { sql, metrics } = this.#context;
    const { rows } = await client.query<{ backlog: string; oldest: number | null; backoff: string }>(
      sql.backlog,
    );
    const row = rows[0];
    if (!row || !metrics) return;
    metrics.outboxBacklog.set(Number(row.backlog));
    metrics.outboxOldestAgeSeconds.set(row.oldest ?? 0);
    metrics.outboxRowsInBackoff.set(Number(row.backoff));
  }

  /** Deletes published rows older than the retention, in chunks, until none is left or housekeeping stops; returns how many. */
  async deletePublished(client: pg.ClientBase): Promise<number> {
    const { sql, retentionMs, log } = this.#context;
    let total = 0;
    for (;;) {
      const { rowCount } = await client.query(sql.cleanup, [retentionMs, CLEANUP_CHUNK]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < CLEANUP_CHUNK || !this.#timer) break;
    }
    if (total > 0) log.debug('outbox relay: deleted published rows', { rows: total });
    return total;
  }
}
