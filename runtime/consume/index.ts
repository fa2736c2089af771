export {
  type ConsumerHandle,
  type ConsumerPortFactory,
  type ConsumerPortSettings,
  type ConsumerRuntime,
  type ConsumerRuntimeOptions,
  createConsumerRuntime,
} from './consumer-runtime.ts';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterProvenance,
  type DeadLetterReason,
  DLT_HEADERS,
  readDeadLetter,
} from './dead-letter.ts';
export { HandlerFailedError, UndecodableRecordError } from './errors.ts';
export { PROCESSED_EVENTS_TABLE, type PruneOptions, pruneProcessedEvents } from './processed-events.ts';
