/**
 * Why a consumer gave up on a record. The class name is what a dead letter's
 * `kafka_dlt-exception-fqcn` header carries (JavaScript has no packages, so
 * the "fully qualified" name is the bare class name); a record the contract
 * refuses reuses the producer's `EventValidationError` / `UnknownEventTypeError`.
 */

const NON_RETRIABLE: unique symbol = Symbol.for('contract-events.non-retriable') as typeof NON_RETRIABLE;

/**
 * Thrown by a handler to say "this record will never succeed" (a business rule refuses it,
 * the data it refers to is gone for good): the record goes to the dead-letter topic at once,
 * with no retries and no backoff, reason `non-retriable`, attempt count 1, and this error's own
 * class name in `kafka_dlt-exception-fqcn`. Subclass it to name the rule:
 *
 *     class PermissionRuleViolation extends NonRetriableError {}
 *     throw new PermissionRuleViolation(`user ${id} may not grant ${role}`);
 *
 * `name` is the subclass's name unless the subclass sets its own. Found anywhere in the cause
 * chain of what a handler throws, it has the same effect (as Spring's classifier traverses causes).
 */
export class NonRetriableError extends Error {
  /** Recognised across copies of the runtime (`instanceof` is per module instance). */
  readonly [NON_RETRIABLE] = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Whether a handler's error means "never retry": a `NonRetriableError` (or an error whose `name`
 * the contract lists in `x-retry.nonRetryable`) is the error or one of its causes.
 */
export function isNonRetriable(error: unknown, names: readonly string[] = []): error is Error {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if ((current as { [NON_RETRIABLE]?: unknown })[NON_RETRIABLE] === true) return true;
    if (names.length > 0 && (names.includes(current.name) || names.includes(current.constructor.name))) {
      return true;
    }
  }
  return false;
}

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
