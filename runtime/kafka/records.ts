/**
 * Kafka records as the runtime sees them, independent of the client library.
 * The adapters in this folder translate to and from the client's own types.
 */

/** A header value as written: text (CloudEvents binary mode, W3C trace context) or bytes (Spring's binary `kafka_dlt-*` provenance). */
export type HeaderValue = string | Buffer;

/** A record to publish. */
export interface OutgoingRecord {
  readonly topic: string;
  /**
   * Pins the partition. Absent for events (the key decides); a dead letter sets it to the
   * source partition number, as Spring's DeadLetterPublishingRecoverer does.
   */
  readonly partition?: number;
  /** An event's key as text, or null for an event without one; a dead letter repeats the original key bytes. */
  readonly key: string | Buffer | null;
  /** Events: the payload's JSON text (sent as UTF-8). A dead letter repeats the original bytes, which may be null. */
  readonly value: string | Buffer | null;
  /**
   * Header values are strings for events. Dead letters add binary values, and an array
   * writes a header key several times, in order (Kafka's `lastHeader` reads the last).
   */
  readonly headers: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
}

/** Where a published record landed. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A record as consumed: bytes as they were on the wire. */
export interface IncomingRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Broker or producer timestamp, milliseconds since the epoch, as a string. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Each header key's last value (Kafka's `lastHeader`). */
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
}
