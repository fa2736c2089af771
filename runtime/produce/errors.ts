/** One failed check of a payload or header set against its contract schema. */
export interface SchemaViolation {
  /** JSON pointer into the value, `/` for the value itself, e.g. `/user_id`. */
  readonly path: string;
  /** The schema rule that failed, e.g. `#/properties/user_id/type`. */
  readonly schemaPath: string;
  readonly message: string;
}

export type EventPart = 'payload' | 'headers' | 'key' | 'parameters' | 'schemaVersion';

/** An event its contract refuses: thrown before anything is written or sent. */
export class EventValidationError extends Error {
  readonly eventType: string;
  /**
   * What broke the contract: the payload, the headers, the Kafka key or the address parameters a
   * publisher passed, or a schema version the event is not carried in.
   */
  readonly part: EventPart;
  readonly violations: readonly SchemaViolation[];
  constructor(eventType: string, part: EventPart, violations: readonly SchemaViolation[]) {
    super(
      `${eventType} ${part} breaks its contract: ${violations.map((v) => `${v.path} ${v.message} (${v.schemaPath})`).join('; ')}`,
    );
    this.name = 'EventValidationError';
    this.eventType = eventType;
    this.part = part;
    this.violations = violations;
  }
}

/** An event type the topic's contract does not carry (only reachable by bypassing the generated types). */
export class UnknownEventTypeError extends Error {
  constructor(topic: string, type: string) {
    super(`topic ${topic} carries no event type "${type}"`);
    this.name = 'UnknownEventTypeError';
  }
}

// Send failures belong to the Kafka seam; re-exported for the producer's callers.
export { acknowledgedRecords, isRefusedRecordsError, KafkaSendError } from '../core/kafka-send-error.ts';
