/** The relay's options, their defaults, and their checks. */
import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from '../core/logger.ts';
import { createRetrier, type Retrier } from '../core/retrier.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';

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
  /**
   * How the relay waits before trying again: a worker's lost database session, the
   * listener's lost connection, Kafka unavailable for the producer's whole retry window
   * (the batch stays in the outbox). Default `DEFAULT_RELAY_RETRY`, unbounded.
   */
  readonly retrier?: Retrier;
  /** How long `stop()` waits for batches in flight before closing the sessions anyway; default 45 s. */
  readonly stopTimeoutMs?: number;
  /** Names this instance in logs and `application_name`. */
  readonly instanceId?: string;
  readonly metrics?: RuntimeMetrics;
  readonly logger?: Logger;
}

/** The default retry policy: 1 s doubling to 30 s, ±20 % so instances do not retry in lock step. */
export const DEFAULT_RELAY_RETRY = { backoff: { initialMs: 1000, maxMs: 30_000, jitter: 0.2 } } as const;

export interface RelaySettings {
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
  readonly retrier: Retrier;
}

export function relaySettings(options: OutboxRelayOptions): RelaySettings {
  const settings: RelaySettings = {
    schema: options.schema ?? 'public',
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
    retrier: options.retrier ?? createRetrier(DEFAULT_RELAY_RETRY),
  };
  if (!Number.isInteger(settings.workers) || settings.workers < 1) {
    throw new Error(`outbox relay: workers must be a positive integer, got ${options.workers}`);
  }
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
    throw new Error(`outbox relay: batchSize must be a positive integer, got ${options.batchSize}`);
  }
  return settings;
}
