/** One failed check of a payload or header set against its contract schema. */
export interface SchemaViolation {
  /** JSON pointer into the value, `/` for the value itself, e.g. `/user_id`. */
  readonly path: string;
  /** The schema rule that failed, e.g. `#/properties/user_id/type`. */
  readonly schemaPath: string;
  readonly message: string;
}

/** An event its contract refuses: thrown before anything is written or sent. */
export class EventValidationError extends Error {
  readonly eventType: string;
  readonly part: 'payload' | 'headers';
  readonly violations: readonly SchemaViolation[];
  constructor(eventType: string, part: 'payload' | 'headers', violations: readonly SchemaViolation[]) {
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
