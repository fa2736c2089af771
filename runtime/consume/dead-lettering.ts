/**
 * Publishing one record's dead letter (dead-letter.ts builds it): held until the
 * dead-letter topic takes it (infrastructure policy, heartbeating), never skipped;
 * `interrupted` when the consumer stops first, so the record is delivered again.
 */
import type { SubscriptionDefinition } from '../contract/definitions.ts';
import { errorDetails } from '../core/logger.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import { type DeadLetterReason, deadLetterRecord } from './dead-letter.ts';
import type { PartitionWork } from './partition-work.ts';
import { InfrastructureFailure, whileInfrastructureFails } from './retry.ts';

export interface DeadLetterFailure {
  readonly reason: DeadLetterReason;
  readonly error: Error;
  readonly attempts: number;
  readonly eventType: string;
}

export async function publishDeadLetter(
  work: PartitionWork,
  record: ConsumedRecord,
  subscription: SubscriptionDefinition,
  failure: DeadLetterFailure,
): Promise<'dead-lettered' | 'interrupted'> {
  const { metrics, groupId, logger, deadLetters, signal } = work.runner;
  const deadLetterTopic = work.runner.routes.deadLetterTopic(subscription, record.topic);
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
  const sent = await whileInfrastructureFails(
    work.runner.infrastructureRetrier,
    work.scope,
    signal,
    async () => {
      try {
        await work.heartbeat.during(() => deadLetters.send([deadLetter]));
      } catch (error) {
        // Never skip a record whose dead letter is not written: hold the partition and try again.
        throw new InfrastructureFailure(error);
      }
    },
    (error, delayMs) =>
      logger.error('cannot publish the dead letter; the record stays uncommitted and is retried', {
        ...where,
        ...errorDetails(error),
        retryInMs: delayMs,
      }),
  );
  if (sent === 'interrupted') return 'interrupted';
  metrics.deadLettered.inc({ group: groupId, topic: record.topic, reason: failure.reason });
  metrics.consumed.inc({
    group: groupId,
    topic: record.topic,
    event_type: failure.eventType,
    outcome: 'dead-lettered',
  });
  logger.warn('record dead-lettered', { ...where, attempts: failure.attempts, error: failure.error.message });
  return 'dead-lettered';
}
