/**
 * Kafka did not take a batch of records; none of it may be assumed written.
 *
 * `retriable: true`: the cluster was unavailable for longer than the producer's
 * retry window (broker down, no leader, timeouts); the same records may succeed
 * later. `retriable: false`: Kafka refuses the records themselves (too large,
 * invalid, a topic that does not exist or may not be written): sending them
 * again fails again, so a relay isolates them instead of retrying the batch.
 */
export class KafkaSendError extends Error {
  readonly retriable: boolean;
  /** Topics refused as a whole (unknown, not authorized), when that is what failed; otherwise empty. */
  readonly topics: readonly string[];
  /** Calls to the client before giving up. */
  readonly attempts: number;
  /**
   * How many of the leading records (in the order given) Kafka did acknowledge
   * before the failure: a producer that sends a large batch in several requests
   * says so, so that a relay need not publish them again. 0 when unknown.
   */
  readonly acknowledged: number;
  constructor(
    message: string,
    options: {
      retriable: boolean;
      topics?: readonly string[];
      attempts?: number;
      acknowledged?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'KafkaSendError';
    this.retriable = options.retriable;
    this.topics = options.topics ?? [];
    this.attempts = options.attempts ?? 1;
    this.acknowledged = options.acknowledged ?? 0;
  }
}

/** The `acknowledged` count of a send error, bounded by the batch size; 0 for other errors. */
export function acknowledgedRecords(err: unknown, batchSize: number): number {
  const n =
    typeof err === 'object' && err !== null ? (err as { acknowledged?: unknown }).acknowledged : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, batchSize) : 0;
}

/** True for an error that says the records themselves are refused (see `KafkaSendError`), from any producer port. */
export function isRefusedRecordsError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === false;
}
