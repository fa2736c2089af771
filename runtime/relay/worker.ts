/**
 * A lane worker: one PostgreSQL session, the lanes it holds (session advisory
 * locks, membership.ts), and the loop: claim up to `batchSize` unpublished rows
 * of its lanes in id order, publish them (bisect.ts isolates what Kafka
 * refuses), then delete them (or, with a retention, mark them published) in
 * one statement. A batch is marked only after Kafka acknowledged it, so a crash
 * anywhere republishes (duplicates, never loss).
 *
 * A worker sees only its `WorkerContext`, not the relay.
 */
import type pg from 'pg';
import { errorDetails, type Logger } from '../core/logger.ts';
import type { Retrier } from '../core/retrier.ts';
import { sleep } from '../core/sleep.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { OutgoingRecord } from '../kafka/records.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { countPublished } from '../produce/event-producer.ts';
import type { RowIdentity } from './batches.ts';
import { byTopic } from './batches.ts';
import { type BatchOutcome, publishBatch } from './bisect.ts';
import { joinMembers, rebalanceLanes } from './membership.ts';
import type { RefusedTopics } from './refused-topics.ts';
import { type RelayStatements, WORKER_SESSION_SETUP } from './statements.ts';

export interface WorkerOptions {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly rebalanceIntervalMs: number;
  /** 0: published rows are deleted; otherwise marked. */
  readonly retentionMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

/** What the relay reports in `status()`, counted by its workers. */
export interface RelayCounters {
  published: number;
  failedSends: number;
}

export interface WorkerContext {
  readonly sql: RelayStatements;
  readonly log: Logger;
  /** Aborted by `stop()`. */
  readonly signal: AbortSignal;
  readonly producer: KafkaProducerPort;
  readonly metrics: RuntimeMetrics | undefined;
  readonly options: WorkerOptions;
  readonly retrier: Retrier;
  /** First key of every advisory lock of this outbox table. */
  readonly lockClass: number;
  readonly refusedTopics: RefusedTopics;
  /** A new, unconnected session named for `role`. */
  readonly session: (role: string) => pg.Client;
  readonly counters: RelayCounters;
}

/** A claimed row as the claim returns it (`rowMode: 'array'`, in the claim's column order). */
type ClaimRow = [
  id: string,
  eventId: string,
  topic: string,
  key: string | null,
  eventType: string,
  headers: Record<string, string>,
  payload: string,
];

/** A claimed row: the record to send as it is, and what the relay needs to write down its fate. */
interface ClaimedRow extends RowIdentity, OutgoingRecord {
  readonly key: string | null;
  readonly eventId: string;
  readonly eventType: string;
}

const MAX_ERROR_LENGTH = 2000;

export const errorText = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);

/** Kafka could not be reached for the producer's whole retry window; the batch stays in the outbox. */
class KafkaUnavailableError extends Error {
  readonly rows: number;
  constructor(rows: number, cause: unknown) {
    super(`outbox relay worker: Kafka unavailable for a batch of ${rows} row(s): ${errorText(cause)}`, {
      cause,
    });
    this.name = 'KafkaUnavailableError';
    this.rows = rows;
  }
}

const toClaimed = ([id, eventId, topic, key, eventType, headers, payload]: ClaimRow): ClaimedRow => ({
  id,
  topic,
  key,
  eventId,
  eventType,
  value: Buffer.from(payload, 'utf8'),
  headers,
});

/** Ids as a PostgreSQL array literal: cheaper than the driver quoting every element of an array. */
const idArray = (rows: readonly { readonly id: string }[]): string => `{${rows.map((r) => r.id).join(',')}}`;

export class LaneWorker {
  readonly #context: WorkerContext;
  readonly #index: number;
  #client: pg.Client | undefined;
  #pid = 0;
  #lanes: number[] = [];
  #dirty = true;
  /** Aborted to end the current idle wait early. */
  #woken: AbortController | undefined;
  #nextRebalance = 0;
  /** How long the last claim took (debug log). */
  #claimMs = 0;
  done: Promise<void> = Promise.resolve();

  constructor(context: WorkerContext, index: number) {
    this.#context = context;
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
      this.#context.log.warn('outbox relay worker: cannot connect yet', {
        worker: this.#index,
        ...errorDetails(err),
      });
    }
  }

  start(): void {
    this.#context.signal.addEventListener('abort', () => this.#woken?.abort(), { once: true });
    this.done = this.#run();
  }

  wake(): void {
    this.#dirty = true;
    this.#woken?.abort();
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#lanes = [];
    // Ending the session releases its advisory locks: the lanes go back to the other workers.
    if (client) await client.end().catch(() => {});
  }

  /** Sessions until stop: a failed one is closed and replaced after the retrier's back-off. */
  async #run(): Promise<void> {
    const { signal, log } = this.#context;
    while (!signal.aborted) {
      let failure: unknown;
      try {
        await this.#connect();
        await this.#loop();
        continue;
      } catch (err) {
        failure = err;
      }
      if (signal.aborted) break;
      log.warn('outbox relay worker: database session failed; reconnecting', {
        worker: this.#index,
        lanes: this.#lanes.length,
        ...errorDetails(failure),
      });
      await this.close();
      await this.#reconnect(failure);
    }
  }

  /**
   * The failure that ended the session is the retrier's first failed attempt, so the first
   * reconnect waits its first delay too: a session that fails at once is not reopened in a tight loop.
   */
  async #reconnect(failure: unknown): Promise<void> {
    const { retrier, signal, log } = this.#context;
    await retrier(
      async (attempt) => {
        if (attempt === 1) throw failure;
        await this.#connect();
      },
      {
        signal,
        onRetry: (err, attempt) => {
          if (attempt > 1) {
            log.warn('outbox relay worker: cannot reconnect yet', {
              worker: this.#index,
              ...errorDetails(err),
            });
          }
        },
      },
    ).catch(() => {
      // Stopping, or an injected retrier gave up: the run loop decides.
    });
  }

  async #connect(): Promise<void> {
    if (this.#client) return;
    const { session, sql, lockClass } = this.#context;
    const client = session(`worker ${this.#index}`);
    client.on('error', () => {
      // Reported by the failing query; a broken session is replaced by #run.
    });
    try {
      await client.connect();
      await client.query(WORKER_SESSION_SETUP);
      this.#pid = await joinMembers(client, sql, lockClass);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
    this.#lanes = [];
    this.#nextRebalance = 0;
  }

  async #loop(): Promise<void> {
    const { signal, retrier, log, options } = this.#context;
    while (!signal.aborted) {
      let more: boolean;
      try {
        more = await retrier(() => this.#cycle(), {
          signal,
          retryable: (err) => err instanceof KafkaUnavailableError,
          onRetry: (err, attempt, delayMs) => {
            log.warn('outbox relay: Kafka unavailable; the batch stays in the outbox and is retried', {
              worker: this.#index,
              rows: (err as KafkaUnavailableError).rows,
              attempt,
              pauseMs: delayMs,
              ...errorDetails((err as KafkaUnavailableError).cause),
            });
          },
        });
      } catch (err) {
        if (!(err instanceof KafkaUnavailableError)) throw err;
        // Stopping, or an injected retrier gave up on this outage: claim again.
        more = false;
      }
      if (!more && !this.#dirty) await this.#idle(options.pollIntervalMs);
    }
  }

  /**
   * Claims and publishes batches back to back until a claim comes back short, a rebalance is
   * due, Kafka refuses something, or stop; true when more rows may be waiting. Throws
   * `KafkaUnavailableError` after recording the attempt.
   *
   * Pipelined on the one session: while a full batch is sent, the next is claimed (leaving out
   * the rows in flight), and while that one is sent, the previous is marked. Kafka gets one
   * batch at a time, in claim order, so order per key holds as with one batch per cycle: the
   * next batch holds each key's earliest rows not in flight, and is sent only after Kafka took
   * the whole batch before it; if Kafka refused or could not take anything of it, the next
   * batch is dropped unsent (its claim could not see the new back-off) and claimed again.
   */
  async #cycle(): Promise<boolean> {
    const { options, signal } = this.#context;
    if (Date.now() >= this.#nextRebalance) await this.#rebalance();
    if (this.#lanes.length === 0) {
      // Nothing to claim before the next rebalance, whatever was notified.
      this.#dirty = false;
      await this.#idle(options.rebalanceIntervalMs);
      return true;
    }
    this.#dirty = false;
    let batch = await this.#claim([]);
    let marking: Promise<void> = Promise.resolve();
    let next: Promise<ClaimedRow[]> | undefined;
    try {
      for (;;) {
        if (batch.length === 0) {
          await marking;
          return false;
        }
        const full = batch.length >= options.batchSize;
        // Lanes change only between batches, never with one claimed: no next claim when a rebalance is due.
        next = full && !signal.aborted && Date.now() < this.#nextRebalance ? this.#claim(batch) : undefined;
        const sending = performance.now();
        const outcome = await this.#send(batch);
        const sent = performance.now();
        await marking;
        marking = this.#settle(outcome, batch.length, sent - sending);
        if (outcome.published.length < batch.length || !next || signal.aborted) {
          await marking;
          return full;
        }
        batch = await next;
        next = undefined;
      }
    } finally {
      // Dropped unsent: its rows stay unpublished and are claimed again.
      await next?.catch(() => {});
      await marking.catch(() => {});
    }
  }

  /** Up to `batchSize` unpublished rows of this worker's lanes in id order, leaving out `inFlight`. */
  async #claim(inFlight: readonly ClaimedRow[]): Promise<ClaimedRow[]> {
    const { sql, options, refusedTopics } = this.#context;
    const started = performance.now();
    const { rows } = await this.#client!.query<ClaimRow>({
      text: sql.claim,
      values: [this.#lanes, options.batchSize, refusedTopics.current(), idArray(inFlight)],
      rowMode: 'array',
    });
    this.#claimMs = performance.now() - started;
    return rows.map(toClaimed);
  }

  #send(rows: readonly ClaimedRow[]): Promise<BatchOutcome<ClaimedRow>> {
    const { producer } = this.#context;
    return publishBatch(rows, (part) => producer.send(part));
  }

  /** Waits for a notification, the poll interval, the next rebalance, or stop (core's sleep, aborted by `wake`). */
  async #idle(ms: number): Promise<void> {
    if (this.#dirty || this.#context.signal.aborted) return;
    const untilRebalance = Math.max(0, this.#nextRebalance - Date.now());
    const woken = new AbortController();
    this.#woken = woken;
    await sleep(Math.min(ms, untilRebalance || ms), woken.signal);
    if (this.#woken === woken) this.#woken = undefined;
  }

  async #rebalance(): Promise<void> {
    const { sql, lockClass, options, log } = this.#context;
    this.#nextRebalance = Date.now() + options.rebalanceIntervalMs;
    const result = await rebalanceLanes(this.#client!, sql, lockClass, this.#pid);
    this.#lanes = result.lanes;
    if (result.short) this.#nextRebalance = Date.now() + 100;
    if (result.released > 0 || result.acquired > 0) {
      this.#dirty = true;
      log.info('outbox relay worker: lanes rebalanced', {
        worker: this.#index,
        members: result.members,
        target: result.target,
        lanes: result.lanes.length,
        released: result.released,
        acquired: result.acquired,
      });
    }
  }

  /** Writes down what became of a batch; throws `KafkaUnavailableError` when Kafka could not take some of it. */
  async #settle(outcome: BatchOutcome<ClaimedRow>, rows: number, sendMs: number): Promise<void> {
    const { refusedTopics, sql, log } = this.#context;
    const marking = performance.now();
    if (outcome.published.length > 0) await this.#markPublished(outcome.published);
    log.debug('outbox relay worker: batch done', {
      worker: this.#index,
      rows,
      claimMs: Math.round(this.#claimMs),
      sendMs: Math.round(sendMs),
      markMs: Math.round(performance.now() - marking),
    });
    for (const refused of outcome.refused) await this.#refuse(refused.rows, refused.error);
    for (const topic of outcome.refusedTopics) refusedTopics.refuse(topic);
    if (outcome.unavailable) {
      const { rows: failed, error } = outcome.unavailable;
      this.#countFailure(failed);
      await this.#client!.query(sql.attemptFailed, [idArray(failed), errorText(error)]);
      throw new KafkaUnavailableError(failed.length, error);
    }
  }

  async #markPublished(rows: readonly ClaimedRow[]): Promise<void> {
    const { sql, options, counters, refusedTopics, metrics } = this.#context;
    await this.#client!.query(options.retentionMs === 0 ? sql.deletePublished : sql.markPublished, [
      idArray(rows),
    ]);
    counters.published += rows.length;
    refusedTopics.accepted(rows);
    countPublished(
      metrics,
      'outbox',
      rows.map((r) => ({ topic: r.topic, type: r.eventType })),
    );
  }

  #countFailure(rows: readonly ClaimedRow[]): void {
    const { counters, metrics } = this.#context;
    counters.failedSends++;
    if (!metrics) return;
    for (const group of byTopic(rows))
      metrics.outboxPublishFailures.inc({ topic: group[0]!.topic }, group.length);
  }

  async #refuse(rows: readonly ClaimedRow[], err: unknown): Promise<void> {
    const { log, sql, options } = this.#context;
    this.#countFailure(rows);
    log.error('outbox relay: Kafka refused events; they back off and hold back later events of their keys', {
      worker: this.#index,
      rows: rows.length,
      eventIds: rows.slice(0, 10).map((r) => r.eventId),
      topic: rows[0]?.topic,
      ...errorDetails(err),
    });
    await this.#client!.query(sql.rowsRefused, [
      idArray(rows),
      errorText(err),
      options.backoffInitialMs,
      options.backoffMaxMs,
    ]);
  }
}
