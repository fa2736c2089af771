/**
 * Why a consumer gave up on a record. The class name is what a dead letter's
 * `kafka_dlt-exception-fqcn` header carries (JavaScript has no packages, so
 * the "fully qualified" name is the bare class name); a record the contract
 * refuses reuses the producer's `EventValidationError` / `UnknownEventTypeError`.
 */

/** A handler failed every attempt its subscription's retry policy allows. The handler's own error is the `cause`. */
export class HandlerFailedError extends Error {
  readonly eventType: string;
  readonly attempts: number;
  constructor(eventType: string, groupId: string, attempts: number, cause: unknown) {
    super(
      `${eventType} handler of consumer group ${groupId} failed ${attempts} time(s); last error: ${describe(cause)}`,
      { cause },
    );
    this.name = 'HandlerFailedError';
    this.eventType = eventType;
    this.attempts = attempts;
  }
}

/** Bytes that are not what the contract's wire format says: a value that is not UTF-8 JSON, a header that is not UTF-8 text. */
export class UndecodableRecordError extends Error {
  readonly part: 'value' | 'headers';
  constructor(part: 'value' | 'headers', detail: string, cause?: unknown) {
    super(`record ${part} cannot be decoded: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'UndecodableRecordError';
    this.part = part;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
