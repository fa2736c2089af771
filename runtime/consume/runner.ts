/**
 * One consumer group member's record loop. Per partition, in offset order, the
 * fetched batch is cut into runs of at most `maxRecordsPerTransaction` records
 * (ending before any record the contract refuses), each handled in ONE
 * PostgreSQL transaction:
 *
 *   BEGIN
 *   claim every event id of the run in one INSERT … unnest … ON CONFLICT DO NOTHING RETURNING
 *   per record, in order:  skip (type not subscribed) │ duplicate (not claimed: handled before)
 *                          │ SAVEPOINT; handler(event, { db }); RELEASE   (savepoint only if it used db)
 *   stop at the first failing handler (ROLLBACK TO SAVEPOINT), when the consumer stops,
 *   or after `maxTransactionMs`; DELETE the claims of the records not finished
 *   COMMIT ─▶ acknowledge the finished records ─▶ commit offsets (if the batch goes on)
 *
 * The failing record is then retried on its own (one transaction per attempt, with
 * its claim, backoff from the contract) and dead-lettered after the last attempt, or at
 * once when the handler threw a `NonRetriableError` (or an error the contract's
 * `x-retry.nonRetryable` names);
 * the run after it starts a new transaction. A refused record (undecodable,
 * unknown type, schema) is dead-lettered at once, between two runs.
 *
 * Claims and effects commit together or not at all, and only records whose
 * transaction committed (or whose dead letter was written) are acknowledged; only
 * acknowledged offsets are ever committed (the port guarantees it). So a crash, a
 * stop or a lost partition leaves every unfinished record to be delivered again,
 * and the claim rows make that redelivery harmless. Nothing is skipped on an
 * infrastructure failure: PostgreSQL being unreachable or the dead-letter topic
 * refusing writes holds the partition (heartbeating) until it works again or the
 * consumer stops.
 */
import type { Pool, PoolClient } from 'pg';
import type { ConsumerGroupDefinition, SubscriptionDefinition } from '../contract/definitions.ts';
import type { EventHandler, HandlerContext, HandlerMap } from '../contract/events.ts';
import { errorDetails, type Logger } from '../core/logger.ts';
import type {
  BatchScope,
  ConsumedRecord,
  PartitionBatch,
  TopicSubscription,
} from '../kafka/consumer-port.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { fillTemplate, parametersOf, subscriptionOf } from '../topics/address-template.ts';
import { type DeadLetterReason, deadLetterRecord } from './dead-letter.ts';
import { type AnyReceivedEvent, decide } from './decode.ts';
import { describe, HandlerFailedError, isNonRetriable } from './errors.ts';
import { type Claim, claimEvent, claimEvents, releaseClaims } from './processed-events.ts';
import { backoffDelayMs, INFRASTRUCTURE_RETRY, waitActive } from './retry.ts';
import { BatchSavepoints } from './savepoint.ts';

type AnyHandler = EventHandler<string, unknown, unknown>;

/** Defaults of the transaction bounds (RunnerOptions). */
export const DEFAULT_MAX_RECORDS_PER_TRANSACTION = 500;
export const DEFAULT_MAX_TRANSACTION_MS = 1_000;

export interface RunnerOptions {
  readonly group: ConsumerGroupDefinition;
  /** The group id actually joined (the contract's, or an override). */
  readonly groupId: string;
  readonly handlers: HandlerMap;
  readonly pool: Pool;
  readonly deadLetters: KafkaProducerPort;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  /** Aborted when the consumer stops; handed to handlers as `context.signal`. */
  readonly signal: AbortSignal;
  /** Heartbeat cadence while a transaction, a handler or a dead-letter publish runs; default 1 000 ms. */
  readonly heartbeatEveryMs?: number;
  /** Most records one transaction handles; default 500. */
  readonly maxRecordsPerTransaction?: number;
  /** A transaction takes no further record once it has run this long; default 1 000 ms. */
  readonly maxTransactionMs?: number;
  readonly random?: () => number;
}

/** What became of one record: finished (acknowledge it), dead-lettered (acknowledge and commit), or left for redelivery. */
type RecordOutcome = 'done' | 'dead-lettered' | 'interrupted';

type Outcome = 'handled' | 'duplicate' | 'skipped';

/** A record of a run with what the contract says about it (never a record to dead-letter). */
interface RunItem {
  readonly record: ConsumedRecord;
  readonly decision:
    | { readonly kind: 'dispatch'; readonly event: AnyReceivedEvent }
    | { readonly kind: 'skip'; readonly type: string };
}

/** How a run's transaction ended. */
type RunResult =
  /** `done` records (a prefix of the run) committed; `failure`: the record after them failed its first attempt. */
  | {
      readonly kind: 'committed';
      readonly done: number;
      readonly outcomes: readonly Outcome[];
      readonly failure?: { readonly error: unknown };
    }
  /** Nothing committed: PostgreSQL unreachable, or the connection failed mid-transaction. Run it again. */
  | { readonly kind: 'infrastructure'; readonly error: unknown }
  /** The transaction was rolled back at COMMIT with no handler to blame: run its records one by one. */
  | { readonly kind: 'unattributed'; readonly error: unknown };

type AttemptResult =
  | { readonly kind: 'handled' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'infrastructure'; readonly error: unknown };

/** Heartbeats in the background while one long step runs; a rebalance it reports ends the batch after that step. */
class BackgroundHeartbeat {
  readonly #scope: BatchScope;
  #error: { readonly value: unknown } | undefined;

  constructor(scope: BatchScope) {
    this.#scope = scope;
  }

  async during<T>(everyMs: number, step: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      this.#scope.heartbeat().catch((error: unknown) => {
        this.#error ??= { value: error };
      });
    }, everyMs);
    try {
      return await step();
    } finally {
      clearInterval(timer);
    }
  }

  /** Rethrows what a background heartbeat reported (a rebalance, typically), so the port can rejoin. */
  rethrow(): void {
    if (this.#error) throw this.#error.value;
  }
}

interface Route {
  readonly matches: (topic: string) => boolean;
  readonly subscription: SubscriptionDefinition;
}

/** `tenant.{tenantId}.orders` → /^tenant\.[^.]+\.orders$/; a plain name stays a string. */
export class GroupRunner {
  readonly #options: RunnerOptions;
  readonly #routes: Route[];
  readonly #handlers = new Map<string, AnyHandler>();
  readonly #heartbeatEveryMs: number;
  readonly #maxRecords: number;
  readonly #maxTransactionMs: number;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#heartbeatEveryMs = options.heartbeatEveryMs ?? 1_000;
    this.#maxRecords = Math.max(1, options.maxRecordsPerTransaction ?? DEFAULT_MAX_RECORDS_PER_TRANSACTION);
    this.#maxTransactionMs = Math.max(0, options.maxTransactionMs ?? DEFAULT_MAX_TRANSACTION_MS);
    this.#routes = options.group.subscriptions.map((subscription) => {
      const sub = subscriptionOf(subscription.topic.name);
      return {
        subscription,
        matches:
          typeof sub === 'string' ? (topic: string) => topic === sub : (topic: string) => sub.test(topic),
      };
    });
    const missing: string[] = [];
    for (const subscription of options.group.subscriptions) {
      const byType = options.handlers[subscription.handlerKey];
      for (const type of subscription.events) {
        const handler = byType && Object.hasOwn(byType, type) ? byType[type] : undefined;
        if (typeof handler !== 'function') {
          missing.push(`${subscription.handlerKey}.${type}`);
          continue;
        }
        // Generated handler maps are typed per event; the runner calls them with the event decoded for that type.
        this.#handlers.set(`${subscription.topic.name}\u0000${type}`, handler as unknown as AnyHandler);
      }
    }
    if (missing.length > 0) {
      throw new Error(`consumer group ${options.groupId}: no handler for ${missing.join(', ')}`);
    }
  }

  /** What the port subscribes to: one entry per subscription's topic. */
  topics(): TopicSubscription[] {
    return this.#options.group.subscriptions.map((s) => subscriptionOf(s.topic.name));
  }

  readonly handleBatch = async (batch: PartitionBatch, scope: BatchScope): Promise<void> => {
    const { logger, groupId } = this.#options;
    const subscription = this.#routes.find((r) => r.matches(batch.topic))?.subscription;
    if (!subscription) {
      // Cannot happen with the topics this runner subscribed; acknowledging nothing keeps the records.
      logger.error(`consumer group ${groupId} received ${batch.topic}, which it does not subscribe to`, {
        topic: batch.topic,
        partition: batch.partition,
      });
      return;
    }
    const { records } = batch;
    const first = records[0];
    if (first) this.#setLag(batch, BigInt(first.offset));
    const heartbeat = new BackgroundHeartbeat(scope);
    const finished = async (record: ConsumedRecord, outcome: 'done' | 'dead-lettered') => {
      scope.acknowledge(record.offset);
      this.#setLag(batch, BigInt(record.offset) + 1n);
      // A dead letter is committed at once: a second copy after a crash is possible, but only in that window.
      if (outcome === 'dead-lettered') await scope.commit();
    };

    for (let next = 0; next < records.length; ) {
      if (!scope.isActive()) return;
      const record = records[next]!;
      const decision = decide(record, subscription);
      if (decision.kind === 'dead-letter') {
        const outcome = await this.#deadLetter(record, subscription, scope, heartbeat, {
          reason: decision.reason,
          error: decision.error,
          attempts: 1,
          eventType: decision.type ?? 'unknown',
        });
        if (outcome === 'interrupted') return;
        await finished(record, outcome);
        next += 1;
      } else {
        const run = this.#nextRun(records, next, { record, decision }, subscription);
        const result = await this.#runTransaction(run, subscription, scope, heartbeat);
        if (result === 'interrupted') return;
        if (result.kind === 'unattributed') {
          // Rare: find the culprit the slow way, one transaction per record (the old path).
          for (const item of run) {
            if (!scope.isActive()) return;
            const outcome = await this.#single(item, subscription, scope, heartbeat);
            if (outcome === 'interrupted') return;
            await finished(item.record, outcome);
            next += 1;
          }
        } else {
          if (result.done > 0) await finished(run[result.done - 1]!.record, 'done');
          next += result.done;
          if (result.failure) {
            const item = run[result.done]!;
            if (item.decision.kind !== 'dispatch') throw new Error('unreachable: only a handler fails');
            // Keep what the run committed even if the retries take long.
            if (result.done > 0) await scope.commit();
            const { event } = item.decision;
            const outcome = await this.#dispatch(
              item.record,
              subscription,
              event,
              this.#handlerFor(subscription, event),
              scope,
              heartbeat,
              result.failure,
            );
            if (outcome === 'interrupted') return;
            await finished(item.record, outcome);
            next += 1;
          }
        }
      }
      heartbeat.rethrow();
      // kafkajs also commits after the batch; a long batch commits as it goes.
      if (next < records.length && scope.isActive()) await scope.commit();
      await scope.heartbeat();
    }
  };

  #handlerFor(subscription: SubscriptionDefinition, event: AnyReceivedEvent): AnyHandler {
    return this.#handlers.get(`${subscription.topic.name}\u0000${event.type}`)!;
  }

  /** The records from `from` on that go into one transaction: up to the limit, ending before a record to dead-letter. */
  #nextRun(
    records: readonly ConsumedRecord[],
    from: number,
    first: RunItem,
    subscription: SubscriptionDefinition,
  ): RunItem[] {
    const run: RunItem[] = [first];
    for (let i = from + 1; i < records.length && run.length < this.#maxRecords; i++) {
      const record = records[i]!;
      const decision = decide(record, subscription);
      if (decision.kind === 'dead-letter') break;
      run.push({ record, decision });
    }
    return run;
  }

  #setLag(batch: PartitionBatch, position: bigint): void {
    const lag = BigInt(batch.highWatermark) - position;
    this.#options.metrics.consumerLag.set(
      { group: this.#options.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  /** One run in one transaction, retried while PostgreSQL is unreachable. */
  async #runTransaction(
    run: readonly RunItem[],
    subscription: SubscriptionDefinition,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
  ): Promise<Exclude<RunResult, { kind: 'infrastructure' }> | 'interrupted'> {
    const { logger, groupId, signal, metrics } = this.#options;
    for (let failures = 0; ; ) {
      if (!scope.isActive()) return 'interrupted';
      const result = await heartbeat.during(this.#heartbeatEveryMs, () =>
        this.#transaction(run, subscription, scope),
      );
      if (result.kind === 'unattributed') {
        logger.warn('the batch transaction was rolled back at COMMIT; handling its records one by one', {
          group: groupId,
          topic: run[0]!.record.topic,
          partition: run[0]!.record.partition,
          ...errorDetails(result.error),
        });
        return result;
      }
      if (result.kind === 'committed') {
        this.#count(run, result.done, result.outcomes, metrics);
        return result;
      }
      // Not the handlers' fault and not the records': wait for PostgreSQL, spend no attempt.
      failures += 1;
      const delay = backoffDelayMs(INFRASTRUCTURE_RETRY, failures, this.#options.random);
      logger.error('the batch transaction failed; retrying it', {
        group: groupId,
        topic: run[0]!.record.topic,
        partition: run[0]!.record.partition,
        fromOffset: run[0]!.record.offset,
        records: run.length,
        ...errorDetails(result.error),
        retryInMs: delay,
      });
      if (!(await waitActive(delay, scope, signal))) return 'interrupted';
    }
  }

  /** Counts a committed run's outcomes, one `inc` per label set. */
  #count(run: readonly RunItem[], done: number, outcomes: readonly Outcome[], metrics: RuntimeMetrics): void {
    const { groupId, logger } = this.#options;
    const counts = new Map<string, { type: string; outcome: Outcome; n: number }>();
    for (let i = 0; i < done; i++) {
      const { record, decision } = run[i]!;
      const type = decision.kind === 'dispatch' ? decision.event.type : decision.type;
      const outcome = outcomes[i]!;
      const slot = `${type}\u0000${outcome}`;
      const c = counts.get(slot);
      if (c) c.n += 1;
      else counts.set(slot, { type, outcome, n: 1 });
      if (outcome === 'duplicate' && decision.kind === 'dispatch') {
        logger.info('duplicate event skipped: already processed by this group', {
          group: groupId,
          topic: record.topic,
          event_type: type,
          partition: record.partition,
          offset: record.offset,
          eventId: decision.event.id,
        });
      }
    }
    const topic = run[0]!.record.topic;
    for (const c of counts.values()) {
      metrics.consumed.inc({ group: groupId, topic, event_type: c.type, outcome: c.outcome }, c.n);
    }
  }

  /**
   * The transaction of one run: claim, handlers in savepoints, release what was not
   * finished, COMMIT. Records after a failing one are left for the caller.
   */
  async #transaction(
    run: readonly RunItem[],
    subscription: SubscriptionDefinition,
    scope: BatchScope,
  ): Promise<RunResult> {
    const { pool, groupId, metrics, signal } = this.#options;
    const { topic, partition } = run[0]!.record;

    // The first record with each event id claims it; a repeat within the run is a duplicate of it.
    const claimant = new Map<string, number>();
    const claims: Claim[] = [];
    run.forEach((item, i) => {
      if (item.decision.kind !== 'dispatch' || claimant.has(item.decision.event.id)) return;
      claimant.set(item.decision.event.id, i);
      claims.push({ eventId: item.decision.event.id, offset: item.record.offset });
    });
    if (claims.length === 0) {
      // Nothing to handle (types the group does not subscribe to): no transaction at all.
      return { kind: 'committed', done: run.length, outcomes: run.map(() => 'skipped') };
    }

    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return { kind: 'infrastructure', error };
    }
    // A client whose transaction state is unknown is destroyed, not returned to the pool.
    let broken: Error | undefined;
    const fail = (error: unknown): RunResult => {
      broken = error instanceof Error ? error : new Error(String(error));
      return { kind: 'infrastructure', error };
    };
    try {
      let claimed: Set<string>;
      try {
        await client.query('BEGIN');
        claimed = await claimEvents(client, groupId, topic, partition, claims);
      } catch (error) {
        return fail(error);
      }

      const started = Date.now();
      const savepoints = new BatchSavepoints(client);
      const outcomes: Outcome[] = [];
      let failure: { readonly error: unknown } | undefined;
      for (let i = 0; i < run.length; i++) {
        // Bounded: a slow run commits what it has, so locks are short and the next run starts fresh.
        if (i > 0 && (!scope.isActive() || Date.now() - started >= this.#maxTransactionMs)) break;
        const { decision } = run[i]!;
        if (decision.kind === 'skip') {
          outcomes.push('skipped');
          continue;
        }
        const { event } = decision;
        if (claimant.get(event.id) !== i || !claimed.has(event.id)) {
          outcomes.push('duplicate');
          continue;
        }
        const savepoint = savepoints.next();
        const context: HandlerContext = { attempt: 1, signal, db: savepoint.db };
        const endTimer = metrics.handlerDuration.startTimer({
          group: groupId,
          topic: event.topic,
          event_type: event.type,
        });
        let thrown: { readonly error: unknown } | undefined;
        try {
          await this.#handlerFor(subscription, event)(event, context);
        } catch (error) {
          thrown = { error };
        } finally {
          endTimer();
        }
        const settled = await savepoint.settle(thrown);
        if (settled.kind === 'broken') return fail(settled.error);
        if (settled.kind === 'failed') {
          failure = { error: settled.error };
          break;
        }
        outcomes.push('handled');
      }

      const done = outcomes.length;
      // Claims of the records not finished go with the transaction, so no claim commits without its effect.
      const unfinished = claims.filter((c) => claimant.get(c.eventId)! >= done && claimed.has(c.eventId));
      try {
        if (done === 0) {
          await client.query('ROLLBACK');
        } else {
          await releaseClaims(
            client,
            groupId,
            unfinished.map((c) => c.eventId),
          );
          const commit = await client.query('COMMIT');
          // PostgreSQL answers COMMIT of a transaction an earlier statement aborted with ROLLBACK, not an error.
          if (commit.command === 'ROLLBACK') {
            return {
              kind: 'unattributed',
              error: new Error('COMMIT of the batch transaction answered ROLLBACK'),
            };
          }
        }
      } catch (error) {
        // COMMIT failing leaves its outcome unknown: running the records again is safe (claims decide).
        return fail(error);
      }
      return failure ? { kind: 'committed', done, outcomes, failure } : { kind: 'committed', done, outcomes };
    } finally {
      client.release(broken);
    }
  }

  /** One record on its own (the per-record fallback): skip, or dispatch in its own transactions. */
  async #single(
    item: RunItem,
    subscription: SubscriptionDefinition,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
  ): Promise<RecordOutcome> {
    const { metrics, groupId } = this.#options;
    const { record, decision } = item;
    if (decision.kind === 'skip') {
      metrics.consumed.inc({
        group: groupId,
        topic: record.topic,
        event_type: decision.type,
        outcome: 'skipped',
      });
      return 'done';
    }
    const { event } = decision;
    return this.#dispatch(
      record,
      subscription,
      event,
      this.#handlerFor(subscription, event),
      scope,
      heartbeat,
    );
  }

  /**
   * A record in transactions of its own, one per attempt, until it is handled, found
   * duplicate or dead-lettered. `firstFailure`: attempt 1 already failed in a batch transaction.
   */
  async #dispatch(
    record: ConsumedRecord,
    subscription: SubscriptionDefinition,
    event: AnyReceivedEvent,
    handler: AnyHandler,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
    firstFailure?: { readonly error: unknown },
  ): Promise<RecordOutcome> {
    const { metrics, groupId, logger, signal } = this.#options;
    const labels = { group: groupId, topic: record.topic, event_type: event.type };
    const where = { ...labels, partition: record.partition, offset: record.offset, eventId: event.id };
    let infrastructureFailures = 0;
    let pending: AttemptResult | undefined = firstFailure
      ? { kind: 'failed', error: firstFailure.error }
      : undefined;
    for (let attempt = 1; ; ) {
      if (!scope.isActive()) return 'interrupted';
      const result =
        pending ??
        (await heartbeat.during(this.#heartbeatEveryMs, () =>
          this.#attempt(event, handler, attempt, labels),
        ));
      pending = undefined;
      switch (result.kind) {
        case 'handled':
          metrics.consumed.inc({ ...labels, outcome: 'handled' });
          return 'done';
        case 'duplicate':
          metrics.consumed.inc({ ...labels, outcome: 'duplicate' });
          logger.info('duplicate event skipped: already processed by this group', where);
          return 'done';
        case 'infrastructure': {
          // Not the handler's fault and not the record's: wait for PostgreSQL, do not spend an attempt.
          infrastructureFailures += 1;
          const delay = backoffDelayMs(INFRASTRUCTURE_RETRY, infrastructureFailures, this.#options.random);
          logger.error('cannot open the processing transaction; retrying', {
            ...where,
            ...errorDetails(result.error),
            retryInMs: delay,
          });
          if (!(await waitActive(delay, scope, signal))) return 'interrupted';
          continue;
        }
        case 'failed': {
          if (signal.aborted) return 'interrupted'; // stopping: the record is delivered again later
          if (isNonRetriable(result.error, subscription.retry.nonRetryable)) {
            // The handler says no attempt will ever succeed: no retry, no backoff, its own error in the dead letter.
            return this.#deadLetter(record, subscription, scope, heartbeat, {
              reason: 'non-retriable',
              error: result.error,
              attempts: attempt,
              eventType: event.type,
            });
          }
          if (attempt >= subscription.retry.maxAttempts) {
            return this.#deadLetter(record, subscription, scope, heartbeat, {
              reason: 'handler-failed',
              error: new HandlerFailedError(event.type, groupId, attempt, result.error),
              attempts: attempt,
              eventType: event.type,
            });
          }
          metrics.retried.inc(labels);
          const delay = backoffDelayMs(subscription.retry, attempt, this.#options.random);
          logger.warn('handler failed; retrying', {
            ...where,
            attempt,
            maxAttempts: subscription.retry.maxAttempts,
            error: describe(result.error),
            retryInMs: delay,
          });
          if (!(await waitActive(delay, scope, signal))) return 'interrupted';
          attempt += 1;
          continue;
        }
      }
    }
  }

  /** One handler attempt in its own transaction, with the claim row. */
  async #attempt(
    event: AnyReceivedEvent,
    handler: AnyHandler,
    attempt: number,
    labels: { group: string; topic: string; event_type: string },
  ): Promise<AttemptResult> {
    const { pool, groupId, metrics, signal } = this.#options;
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return { kind: 'infrastructure', error };
    }
    // A client whose transaction state is unknown is destroyed, not returned to the pool.
    let broken: Error | undefined;
    try {
      try {
        await client.query('BEGIN');
        if (!(await claimEvent(client, groupId, event))) {
          await client.query('ROLLBACK');
          return { kind: 'duplicate' };
        }
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        return { kind: 'infrastructure', error };
      }

      const context: HandlerContext = { attempt, signal, db: client };
      const endTimer = metrics.handlerDuration.startTimer(labels);
      try {
        await handler(event, context);
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        return { kind: 'failed', error };
      } finally {
        endTimer();
      }

      try {
        const commit = await client.query('COMMIT');
        // PostgreSQL answers COMMIT of a transaction an earlier statement aborted with ROLLBACK, not an error.
        if (commit.command === 'ROLLBACK') {
          return {
            kind: 'failed',
            error: new Error(
              'the transaction was rolled back: a statement of the handler failed and the handler went on',
            ),
          };
        }
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        return { kind: 'failed', error };
      }
      return { kind: 'handled' };
    } finally {
      client.release(broken);
    }
  }

  async #deadLetter(
    record: ConsumedRecord,
    subscription: SubscriptionDefinition,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
    failure: { reason: DeadLetterReason; error: Error; attempts: number; eventType: string },
  ): Promise<RecordOutcome> {
    const { metrics, groupId, logger, deadLetters, signal } = this.#options;
    // A parameterized topic's dead-letter topic may carry the same parameters (`env.{env}.orders.dlq`).
    const deadLetterTopic = subscription.deadLetterTopic.includes('{')
      ? fillTemplate(
          subscription.deadLetterTopic,
          (name) => parametersOf(subscription.topic.name, record.topic)[name],
        )
      : subscription.deadLetterTopic;
    const deadLetter = deadLetterRecord(record, {
      deadLetterTopic,
      groupId,
      reason: failure.reason,
      error: failure.error,
      attempts: failure.attempts,
    });
    const where = {
      group: groupId,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      eventType: failure.eventType,
      reason: failure.reason,
      deadLetterTopic,
    };
    for (let failures = 0; ; ) {
      if (!scope.isActive()) return 'interrupted';
      try {
        await heartbeat.during(this.#heartbeatEveryMs, () => deadLetters.send([deadLetter]));
        break;
      } catch (error) {
        // Never skip a record whose dead letter is not written: hold the partition and try again.
        failures += 1;
        const delay = backoffDelayMs(INFRASTRUCTURE_RETRY, failures, this.#options.random);
        logger.error('cannot publish the dead letter; the record stays uncommitted and is retried', {
          ...where,
          ...errorDetails(error),
          retryInMs: delay,
        });
        if (!(await waitActive(delay, scope, signal))) return 'interrupted';
      }
    }
    metrics.deadLettered.inc({ group: groupId, topic: record.topic, reason: failure.reason });
    metrics.consumed.inc({
      group: groupId,
      topic: record.topic,
      event_type: failure.eventType,
      outcome: 'dead-lettered',
    });
    logger.warn('record dead-lettered', {
      ...where,
      attempts: failure.attempts,
      error: failure.error.message,
    });
    return 'dead-lettered';
  }
}
