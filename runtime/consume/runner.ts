/**
 * One consumer group member's record loop. Per partition, in offset order:
 *
 *   decide (decode.ts) ──skip──────────────────────────────────────────▶ acknowledge
 *          │──refuse (undecodable, unknown type, schema) ──▶ dead letter ─▶ acknowledge + commit
 *          └─dispatch ─▶ BEGIN; claim (group, event id); handler(event, { db }); COMMIT ─▶ acknowledge
 *                          │ claim exists: duplicate ─────────────────────────────────▶ acknowledge
 *                          └ handler fails: ROLLBACK, back off, again; after the last
 *                            attempt ─▶ dead letter ─▶ acknowledge + commit
 *
 * Only acknowledged records are ever committed (the port guarantees it), so a
 * crash, a stop or a lost partition leaves every unfinished record to be
 * delivered again, and the claim row makes that redelivery harmless. Nothing
 * is skipped on an infrastructure failure: PostgreSQL being unreachable or the
 * dead-letter topic refusing writes holds the partition (heartbeating) until
 * it works again or the consumer stops.
 */
import type { Pool, PoolClient } from 'pg';
import type { ConsumerGroupDefinition, SubscriptionDefinition } from '../contract/definitions.ts';
import type { EventHandler, HandlerContext, HandlerMap } from '../contract/events.ts';
import type {
  BatchScope,
  ConsumedRecord,
  PartitionBatch,
  TopicSubscription,
} from '../kafka/consumer-port.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { errorDetails, type Logger } from '../produce/logger.ts';
import { type DeadLetterReason, deadLetterRecord } from './dead-letter.ts';
import { type AnyReceivedEvent, decide } from './decode.ts';
import { describe, HandlerFailedError } from './errors.ts';
import { claimEvent } from './processed-events.ts';
import { backoffDelayMs, INFRASTRUCTURE_RETRY, waitActive } from './retry.ts';

type AnyHandler = EventHandler<string, unknown, unknown>;

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
  /** Heartbeat cadence while a handler or a dead-letter publish runs; default 1 000 ms. */
  readonly heartbeatEveryMs?: number;
  readonly random?: () => number;
}

/** What became of one record: finished (acknowledge it), dead-lettered (acknowledge and commit), or left for redelivery. */
type RecordOutcome = 'done' | 'dead-lettered' | 'interrupted';

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
function topicSubscription(name: string): TopicSubscription {
  if (!name.includes('{')) return name;
  const pattern = name
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]+');
  return new RegExp(`^${pattern}$`);
}

export class GroupRunner {
  readonly #options: RunnerOptions;
  readonly #routes: Route[];
  readonly #handlers = new Map<string, AnyHandler>();
  readonly #heartbeatEveryMs: number;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#heartbeatEveryMs = options.heartbeatEveryMs ?? 1_000;
    this.#routes = options.group.subscriptions.map((subscription) => {
      const sub = topicSubscription(subscription.topic.name);
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
    return this.#options.group.subscriptions.map((s) => topicSubscription(s.topic.name));
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
    const first = batch.records[0];
    if (first) this.#setLag(batch, BigInt(first.offset));
    const heartbeat = new BackgroundHeartbeat(scope);
    for (const record of batch.records) {
      if (!scope.isActive()) return;
      const outcome = await this.#processRecord(record, subscription, scope, heartbeat);
      if (outcome === 'interrupted') return;
      scope.acknowledge(record.offset);
      this.#setLag(batch, BigInt(record.offset) + 1n);
      // A dead letter is committed at once: a second copy after a crash is possible, but only in that window.
      if (outcome === 'dead-lettered') await scope.commit();
      heartbeat.rethrow();
      await scope.heartbeat();
    }
  };

  #setLag(batch: PartitionBatch, position: bigint): void {
    const lag = BigInt(batch.highWatermark) - position;
    this.#options.metrics.consumerLag.set(
      { group: this.#options.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  async #processRecord(
    record: ConsumedRecord,
    subscription: SubscriptionDefinition,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
  ): Promise<RecordOutcome> {
    const { metrics, groupId } = this.#options;
    const decision = decide(record, subscription);
    if (decision.kind === 'skip') {
      metrics.consumed.inc({
        group: groupId,
        topic: record.topic,
        event_type: decision.type,
        outcome: 'skipped',
      });
      return 'done';
    }
    if (decision.kind === 'dead-letter') {
      return this.#deadLetter(record, subscription, scope, heartbeat, {
        reason: decision.reason,
        error: decision.error,
        attempts: 1,
        eventType: decision.type ?? 'unknown',
      });
    }
    const { event } = decision;
    const handler = this.#handlers.get(`${subscription.topic.name}\u0000${event.type}`)!;
    return this.#dispatch(record, subscription, event, handler, scope, heartbeat);
  }

  async #dispatch(
    record: ConsumedRecord,
    subscription: SubscriptionDefinition,
    event: AnyReceivedEvent,
    handler: AnyHandler,
    scope: BatchScope,
    heartbeat: BackgroundHeartbeat,
  ): Promise<RecordOutcome> {
    const { metrics, groupId, logger, signal } = this.#options;
    const labels = { group: groupId, topic: record.topic, event_type: event.type };
    const where = { ...labels, partition: record.partition, offset: record.offset, eventId: event.id };
    let infrastructureFailures = 0;
    for (let attempt = 1; ; ) {
      if (!scope.isActive()) return 'interrupted';
      const result = await heartbeat.during(this.#heartbeatEveryMs, () =>
        this.#attempt(event, handler, attempt, labels),
      );
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
    const deadLetter = deadLetterRecord(record, {
      deadLetterTopic: subscription.deadLetterTopic,
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
      deadLetterTopic: subscription.deadLetterTopic,
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
