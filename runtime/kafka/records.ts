/**
 * Kafka records as the runtime sees them, independent of the client library.
 * The adapters in this folder translate to and from the client's own types.
 */

/** A record to publish. Header values are strings (CloudEvents binary mode, W3C trace context). */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
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
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
}
