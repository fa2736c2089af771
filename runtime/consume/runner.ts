/**
 * One consumer group member's record loop. Per partition, in offset order, the
 * fetched batch is cut into runs of at most `maxRecordsPerTransaction` records
 * (ending before any record the contract refuses), each handled in ONE
 * PostgreSQL transaction (unit-of-work.ts), each handler's writes fenced by a
 * savepoint, stopping at the first failing handler, when the consumer stops, or
 * after `maxTransactionMs`; then COMMIT ─▶ acknowledge the finished records ─▶
 * commit offsets (if the batch goes on).
 *
 * The failing record is then retried on its own (record-retry.ts) and
 * dead-lettered after the last attempt, or at once when the handler threw a
 * `NonRetriableError`; the run after it starts a new transaction. A refused
 * record (undecodable, unknown type, schema: routes.ts) is dead-lettered at
 * once, between two runs (dead-lettering.ts).
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
import type { Pool } from 'pg';
import type { ConsumerGroupDefinition, SubscriptionDefinition } from '../contract/definitions.ts';
import type { HandlerMap } from '../contract/events.ts';
import { errorDetails, type Logger } from '../core/logger.ts';
import type {
  BatchScope,
  ConsumedRecord,
  PartitionBatch,
  TopicSubscription,
} from '../kafka/consumer-port.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { publishDeadLetter } from './dead-lettering.ts';
import { BackgroundHeartbeat } from './heartbeat.ts';
import type { MemberSettings, PartitionWork } from './partition-work.ts';
import { handleOnItsOwn, type RecordOutcome } from './record-retry.ts';
import {
  defaultRetrierFactory,
  INFRASTRUCTURE_RETRY,
  INTERRUPTED,
  InfrastructureFailure,
  type RetrierFactory,
  whileInfrastructureFails,
} from './retry.ts';
import { ConsumerRoutes } from './routes.ts';
import { type ItemOutcome, type RunItem, runUnitOfWork, type UnitResult } from './unit-of-work.ts';

/** Defaults of the transaction bounds (RunnerOptions). */
export const DEFAULT_MAX_RECORDS_PER_TRANSACTION = 500;
export const DEFAULT_MAX_TRANSACTION_MS = 1_000;
/** Between the runs of a long batch, acknowledged offsets are committed at most this often. */
export const COMMIT_BETWEEN_RUNS_MS = 1_000;

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
  /**
   * Runs a batch's records unfenced first (no savepoint per handler), falling back to the
   * fenced run only when a handler fails after writing: handlers may then be called again for
   * records before the failing one (their writes never apply twice). Default false; runs of a
   * subscription with a batch-form handler always go unfenced first.
   */
  readonly optimistic?: boolean;
  /** Makes the retrier of each policy (handler retries, infrastructure waits); default core's `createRetrier` with `random`. */
  readonly retrier?: RetrierFactory;
  /** Feeds the default retrier's jitter. */
  readonly random?: () => number;
}

/** How a run's transaction ended, once the infrastructure answered. */
type RunResult = Exclude<UnitResult, { kind: 'infrastructure' } | { kind: 'aborted' }>;

export class GroupRunner {
  readonly #member: MemberSettings;
  readonly #heartbeatEveryMs: number;
  readonly #maxRecords: number;
  readonly #maxTransactionMs: number;
  readonly #optimistic: boolean;

  constructor(options: RunnerOptions) {
    this.#heartbeatEveryMs = options.heartbeatEveryMs ?? 1_000;
    this.#maxRecords = Math.max(1, options.maxRecordsPerTransaction ?? DEFAULT_MAX_RECORDS_PER_TRANSACTION);
    this.#maxTransactionMs = Math.max(0, options.maxTransactionMs ?? DEFAULT_MAX_TRANSACTION_MS);
    this.#optimistic = options.optimistic ?? false;
    const retrierFor = options.retrier ?? defaultRetrierFactory(options.random);
    this.#member = {
      groupId: options.groupId,
      pool: options.pool,
      deadLetters: options.deadLetters,
      metrics: options.metrics,
      logger: options.logger,
      signal: options.signal,
      // Throws at once when a handler the contract requires is missing.
      routes: new ConsumerRoutes(options.group, options.groupId, options.handlers),
      retrierFor,
      infrastructureRetrier: retrierFor(INFRASTRUCTURE_RETRY),
    };
  }

  /** What the port subscribes to: one entry per subscription's topic. */
  topics(): TopicSubscription[] {
    return this.#member.routes.topics();
  }

  readonly handleBatch = async (batch: PartitionBatch, scope: BatchScope): Promise<void> => {
    const { logger, groupId, routes } = this.#member;
    const subscription = routes.subscriptionFor(batch.topic);
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
    const work: PartitionWork = {
      runner: this.#member,
      scope,
      heartbeat: new BackgroundHeartbeat(scope, this.#heartbeatEveryMs),
    };
    const finished = async (record: ConsumedRecord, outcome: 'done' | 'dead-lettered') => {
      scope.acknowledge(record.offset);
      this.#setLag(batch, BigInt(record.offset) + 1n);
      // A dead letter is committed at once: a second copy after a crash is possible, but only in that window.
      if (outcome === 'dead-lettered') await scope.commit();
    };

    let committedAt = Date.now();
    for (let next = 0; next < records.length; ) {
      if (!scope.isActive()) return;
      const record = records[next]!;
      const decision = routes.decide(record, subscription);
      if (decision.kind === 'dead-letter') {
        const outcome = await publishDeadLetter(work, record, subscription, {
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
        const result = await this.#runTransaction(work, run, subscription);
        if (result === 'interrupted') return;
        if (result.kind === 'unattributed') {
          // Rare: find the culprit the slow way, one transaction per record.
          for (const item of run) {
            if (!scope.isActive()) return;
            const outcome = await this.#single(work, item, subscription);
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
            const outcome = await handleOnItsOwn(
              work,
              item.record,
              item.decision.event,
              subscription,
              result.failure,
            );
            if (outcome === 'interrupted') return;
            await finished(item.record, outcome);
            next += 1;
          }
        }
      }
      work.heartbeat.rethrow();
      // The port commits after the batch; a long batch commits as it goes, at most once per interval
      // (what is acknowledged and not yet committed is only redelivered after a crash, and the claims skip it).
      if (next < records.length && scope.isActive() && Date.now() - committedAt >= COMMIT_BETWEEN_RUNS_MS) {
        await scope.commit();
        committedAt = Date.now();
      }
      await scope.heartbeat();
    }
  };

  /** The records from `from` on that go into one transaction: up to the limit, ending before a record to dead-letter. */
  #nextRun(
    records: readonly ConsumedRecord[],
    from: number,
    first: RunItem,
    subscription: SubscriptionDefinition,
  ): RunItem[] {
    const { routes } = this.#member;
    const run: RunItem[] = [first];
    for (let i = from + 1; i < records.length && run.length < this.#maxRecords; i++) {
      const record = records[i]!;
      const decision = routes.decide(record, subscription);
      if (decision.kind === 'dead-letter') break;
      run.push({ record, decision });
    }
    return run;
  }

  #setLag(batch: PartitionBatch, position: bigint): void {
    const lag = BigInt(batch.highWatermark) - position;
    this.#member.metrics.consumerLag.set(
      { group: this.#member.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  /** One run in one transaction (each handler fenced), retried while PostgreSQL is unreachable. */
  async #runTransaction(
    work: PartitionWork,
    run: readonly RunItem[],
    subscription: SubscriptionDefinition,
  ): Promise<RunResult | 'interrupted'> {
    const { logger, groupId, metrics, pool, signal, routes } = this.#member;
    const { scope } = work;
    const { topic, partition } = run[0]!.record;
    const optimistic = this.#optimistic || routes.hasBatchHandlers(subscription);
    const unitOf = (fenced: boolean) =>
      work.heartbeat.during(() =>
        runUnitOfWork(run, {
          pool,
          groupId,
          metrics,
          signal,
          handlerFor: (event) => routes.handler(subscription, event),
          attempt: 1,
          fenced,
          goOn: (startedAt) => scope.isActive() && Date.now() - startedAt < this.#maxTransactionMs,
        }),
      );
    const result = await whileInfrastructureFails(
      this.#member.infrastructureRetrier,
      scope,
      signal,
      async () => {
        if (optimistic) {
          const unit = await unitOf(false);
          if (unit.kind === 'infrastructure') throw new InfrastructureFailure(unit.error);
          if (unit.kind === 'committed') return unit;
          // A handler failed after writing, or a statement failed unseen: nothing committed; fence each handler.
          logger.debug(
            'the unfenced batch transaction was rolled back; running it again with a savepoint per handler',
            {
              group: groupId,
              topic,
              partition,
              fromOffset: run[0]!.record.offset,
              records: run.length,
              ...errorDetails(unit.error),
            },
          );
          if (!scope.isActive()) throw INTERRUPTED;
        }
        const unit = await unitOf(true);
        // Not the handlers' fault and not the records': wait for PostgreSQL, spend no attempt.
        if (unit.kind === 'infrastructure') throw new InfrastructureFailure(unit.error);
        if (unit.kind === 'aborted') throw new Error('unreachable: a fenced unit of work is never aborted');
        return unit;
      },
      (error, delayMs) =>
        logger.error('the batch transaction failed; retrying it', {
          group: groupId,
          topic,
          partition,
          fromOffset: run[0]!.record.offset,
          records: run.length,
          ...errorDetails(error),
          retryInMs: delayMs,
        }),
    );
    if (result === 'interrupted') return result;
    if (result.kind === 'unattributed') {
      logger.warn('the batch transaction was rolled back at COMMIT; handling its records one by one', {
        group: groupId,
        topic,
        partition,
        ...errorDetails(result.error),
      });
    } else {
      this.#count(run, result.done, result.outcomes, metrics);
    }
    return result;
  }

  /** Counts a committed run's outcomes, one `inc` per label set. */
  #count(
    run: readonly RunItem[],
    done: number,
    outcomes: readonly ItemOutcome[],
    metrics: RuntimeMetrics,
  ): void {
    const { groupId, logger } = this.#member;
    // Runs are mostly one type and one outcome: count consecutive equal label sets, then add them up.
    const counts: { type: string; outcome: ItemOutcome; n: number }[] = [];
    let current: { type: string; outcome: ItemOutcome; n: number } | undefined;
    for (let i = 0; i < done; i++) {
      const { record, decision } = run[i]!;
      const type = decision.kind === 'dispatch' ? decision.event.type : decision.type;
      const outcome = outcomes[i]!;
      if (current && current.type === type && current.outcome === outcome) {
        current.n += 1;
      } else {
        current = counts.find((c) => c.type === type && c.outcome === outcome);
        if (current) {
          current.n += 1;
        } else {
          current = { type, outcome, n: 1 };
          counts.push(current);
        }
      }
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
    for (const c of counts) {
      metrics.consumed.inc({ group: groupId, topic, event_type: c.type, outcome: c.outcome }, c.n);
    }
  }

  /** One record on its own (the per-record fallback): skip, or handle it in its own transactions. */
  async #single(
    work: PartitionWork,
    item: RunItem,
    subscription: SubscriptionDefinition,
  ): Promise<RecordOutcome> {
    const { metrics, groupId } = this.#member;
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
    return handleOnItsOwn(work, record, decision.event, subscription);
  }
}
