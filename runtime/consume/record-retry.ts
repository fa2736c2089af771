/**
 * One record on its own, one transaction per attempt (unit-of-work.ts, the
 * handler unfenced: it is alone), until it is handled, found duplicate or
 * dead-lettered: retried per the subscription's contract policy through the
 * member's retrier (heartbeating waits), dead-lettered `handler-failed` after
 * the last attempt or `non-retriable` at once. An infrastructure failure
 * spends no attempt: it is waited out under the infrastructure policy.
 */
import type { SubscriptionDefinition } from '../contract/definitions.ts';
import { errorDetails } from '../core/logger.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import { publishDeadLetter } from './dead-lettering.ts';
import type { AnyReceivedEvent } from './decode.ts';
import { describe, HandlerFailedError, isNonRetriable } from './errors.ts';
import type { PartitionWork } from './partition-work.ts';
import {
  handlerRetryPolicy,
  heartbeatingWait,
  INTERRUPTED,
  InfrastructureFailure,
  whileInfrastructureFails,
} from './retry.ts';
import { runUnitOfWork } from './unit-of-work.ts';

/** What became of one record: finished (acknowledge it), dead-lettered (acknowledge and commit), or left for redelivery. */
export type RecordOutcome = 'done' | 'dead-lettered' | 'interrupted';

/** A handler attempt that failed (the handler's error, or its transaction's). */
class AttemptFailed {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** `firstFailure`: attempt 1 already failed in a batch transaction. */
export async function handleOnItsOwn(
  work: PartitionWork,
  record: ConsumedRecord,
  event: AnyReceivedEvent,
  subscription: SubscriptionDefinition,
  firstFailure?: { readonly error: unknown },
): Promise<RecordOutcome> {
  const { metrics, groupId, logger, signal, pool, routes } = work.runner;
  const { scope } = work;
  const labels = { group: groupId, topic: record.topic, event_type: event.type };
  const where = { ...labels, partition: record.partition, offset: record.offset, eventId: event.id };
  const item = [{ record, decision: { kind: 'dispatch', event } as const }];
  const handlerFor = () => routes.handler(subscription, event);
  const retry = work.runner.retrierFor(handlerRetryPolicy(subscription.retry));
  let attempted = 0;
  try {
    const outcome = await retry(
      async (attempt) => {
        attempted = attempt;
        if (!scope.isActive()) throw INTERRUPTED;
        if (attempt === 1 && firstFailure) throw new AttemptFailed(firstFailure.error);
        const result = await whileInfrastructureFails(
          work.runner.infrastructureRetrier,
          scope,
          signal,
          async () => {
            const unit = await work.heartbeat.during(() =>
              runUnitOfWork(item, {
                pool,
                groupId,
                metrics,
                signal,
                handlerFor,
                attempt,
                fenced: false,
                goOn: () => true,
              }),
            );
            // Not the handler's fault and not the record's: wait for PostgreSQL, do not spend an attempt.
            if (unit.kind === 'infrastructure' && !unit.atCommit) throw new InfrastructureFailure(unit.error);
            return unit;
          },
          (error, delayMs) =>
            logger.error('cannot open the processing transaction; retrying', {
              ...where,
              ...errorDetails(error),
              retryInMs: delayMs,
            }),
        );
        if (result === 'interrupted') throw INTERRUPTED;
        switch (result.kind) {
          case 'committed':
            if (result.failure) throw new AttemptFailed(result.failure.error);
            return result.outcomes[0] === 'duplicate' ? 'duplicate' : 'handled';
          case 'aborted':
            throw new AttemptFailed(result.error);
          case 'unattributed':
            // Rolled back at COMMIT: a statement of the handler failed and it went on, or PostgreSQL refused the COMMIT.
            throw new AttemptFailed(result.error);
          case 'infrastructure':
            // COMMIT failed: its outcome is unknown; the next attempt's claim decides.
            throw new AttemptFailed(result.error);
        }
      },
      {
        signal,
        wait: heartbeatingWait(scope, signal),
        retryable: (error) =>
          error instanceof AttemptFailed && !isNonRetriable(error.error, subscription.retry.nonRetryable),
        onRetry: (error, attempt, delayMs) => {
          metrics.retried.inc(labels);
          logger.warn('handler failed; retrying', {
            ...where,
            attempt,
            maxAttempts: subscription.retry.maxAttempts,
            error: describe((error as AttemptFailed).error),
            retryInMs: delayMs,
          });
        },
      },
    );
    metrics.consumed.inc({ ...labels, outcome: outcome });
    if (outcome === 'duplicate')
      logger.info('duplicate event skipped: already processed by this group', where);
    return 'done';
  } catch (error) {
    if (!(error instanceof AttemptFailed)) {
      if (error === INTERRUPTED) return 'interrupted';
      throw error; // a heartbeat reporting a rebalance: the port rejoins
    }
    // Stopping, or the partition went stale during the backoff: the record is delivered again later.
    if (signal.aborted || !scope.isActive()) return 'interrupted';
    if (isNonRetriable(error.error, subscription.retry.nonRetryable)) {
      // The handler says no attempt will ever succeed: no retry, no backoff, its own error in the dead letter.
      return publishDeadLetter(work, record, subscription, {
        reason: 'non-retriable',
        error: error.error,
        attempts: attempted,
        eventType: event.type,
      });
    }
    return publishDeadLetter(work, record, subscription, {
      reason: 'handler-failed',
      error: new HandlerFailedError(event.type, groupId, attempted, error.error),
      attempts: attempted,
      eventType: event.type,
    });
  }
}
