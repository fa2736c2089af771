export {
  type ConsumerHandle,
  type ConsumerPortFactory,
  type ConsumerPortSettings,
  type ConsumerRuntime,
  type ConsumerRuntimeOptions,
  createConsumerRuntime,
  DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
} from './consumer-runtime.ts';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterHeaders,
  type DeadLetterProvenance,
  type DeadLetterReason,
  DLT_HEADERS,
  readDeadLetter,
} from './dead-letter.ts';
export { HandlerFailedError, isNonRetriable, NonRetriableError, UndecodableRecordError } from './errors.ts';
export { PROCESSED_EVENTS_TABLE, type PruneOptions, pruneProcessedEvents } from './processed-events.ts';
export type { RetrierFactory } from './retry.ts';
export { DEFAULT_MAX_RECORDS_PER_TRANSACTION, DEFAULT_MAX_TRANSACTION_MS } from './runner.ts';
