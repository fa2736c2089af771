/**
 * Dead letters as Spring Kafka's `DeadLetterPublishingRecoverer` writes them,
 * so a Java service and a TypeScript one read each other's dead letters:
 *
 * - key, value and headers of the original record, byte for byte, to the same
 *   partition number of the dead-letter topic;
 * - provenance headers with Spring's names AND Spring's encodings:
 *   `kafka_dlt-original-topic` (UTF-8), `-partition` (4-byte big-endian int),
 *   `-offset` and `-timestamp` (8-byte big-endian long), `-timestamp-type`
 *   (`CreateTime` / `LogAppendTime`, UTF-8), `-consumer-group` (UTF-8);
 *   `kafka_dlt-exception-fqcn`, `-cause-fqcn` (only when there is a cause),
 *   `-message`, `-stacktrace` (UTF-8);
 * - the attempt count in `kafka_deliveryAttempt` (4-byte big-endian int), the
 *   header Spring's listener container uses for the delivery attempt and its
 *   header mapper reads as an `Integer`;
 * - the reason in `kafka_dlt-reason` (UTF-8: `handler-failed`, `undecodable`,
 *   `schema-invalid`, `unknown-type`), our one addition, under the `kafka_dlt-`
 *   prefix so tools that strip provenance before a replay strip it too.
 *
 * Like Spring's defaults, previous exception headers (of a replayed dead letter)
 * are replaced and previous `original` headers are kept, the new values after
 * them (`lastHeader` reads the newest).
 */
import type { ConsumedRecord, RecordHeader } from '../kafka/consumer-port.ts';
import type { HeaderValue, OutgoingRecord } from '../kafka/records.ts';

export const DLT_HEADERS = {
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalTimestamp: 'kafka_dlt-original-timestamp',
  originalTimestampType: 'kafka_dlt-original-timestamp-type',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  exceptionFqcn: 'kafka_dlt-exception-fqcn',
  exceptionCauseFqcn: 'kafka_dlt-exception-cause-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
  exceptionStacktrace: 'kafka_dlt-exception-stacktrace',
  deliveryAttempt: 'kafka_deliveryAttempt',
  reason: 'kafka_dlt-reason',
} as const;

export type DeadLetterReason = 'handler-failed' | 'undecodable' | 'schema-invalid' | 'unknown-type';

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'handler-failed',
  'undecodable',
  'schema-invalid',
  'unknown-type',
];

/** Headers describing one failure: replaced, not accumulated, when a dead letter fails again (Spring's `stripPreviousExceptionHeaders`). */
const REPLACED = new Set<string>([
  DLT_HEADERS.exceptionFqcn,
  DLT_HEADERS.exceptionCauseFqcn,
  DLT_HEADERS.exceptionMessage,
  DLT_HEADERS.exceptionStacktrace,
  'kafka_dlt-key-exception-fqcn',
  'kafka_dlt-key-exception-message',
  'kafka_dlt-key-exception-stacktrace',
  DLT_HEADERS.deliveryAttempt,
  DLT_HEADERS.reason,
]);

/** Long texts are cut so a dead letter stays far below the broker's record size limit. */
const MAX_TEXT_BYTES = 16 * 1024;

export interface DeadLetterInfo {
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly reason: DeadLetterReason;
  readonly error: Error;
  /** Handler attempts made: 1 for a record refused before any handler ran. */
  readonly attempts: number;
}

export function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

export function int64(value: string | bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(value));
  return buffer;
}

function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= MAX_TEXT_BYTES) return bytes;
  // Cut on a character boundary: decode the prefix leniently and drop a trailing partial character.
  return Buffer.from(
    `${bytes
      .subarray(0, MAX_TEXT_BYTES)
      .toString('utf8')
      .replace(/\uFFFD$/, '')}…`,
    'utf8',
  );
}

function nameOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

/** Java's `printStackTrace` form: the error's stack, then `Caused by: ` and each cause's stack. */
export function stackTrace(error: Error): string {
  const parts: string[] = [error.stack ?? `${error.name}: ${error.message}`];
  const seen = new Set<unknown>([error]);
  let cause: unknown = error.cause;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    seen.add(cause);
    parts.push(
      `Caused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}

/** The dead letter of `record`: its own bytes and headers plus the provenance headers, to the same partition number. */
export function deadLetterRecord(record: ConsumedRecord, info: DeadLetterInfo): OutgoingRecord {
  const entries: RecordHeader[] = record.headerEntries.filter((h) => !REPLACED.has(h.key));
  const add = (key: string, value: Buffer) => entries.push({ key, value });
  add(DLT_HEADERS.originalTopic, text(record.topic));
  add(DLT_HEADERS.originalPartition, int32(record.partition));
  add(DLT_HEADERS.originalOffset, int64(record.offset));
  add(DLT_HEADERS.originalTimestamp, int64(record.timestamp));
  add(DLT_HEADERS.originalTimestampType, text(record.timestampType));
  add(DLT_HEADERS.originalConsumerGroup, text(info.groupId));
  add(DLT_HEADERS.exceptionFqcn, text(nameOf(info.error)));
  if (info.error.cause !== undefined) add(DLT_HEADERS.exceptionCauseFqcn, text(nameOf(info.error.cause)));
  add(DLT_HEADERS.exceptionMessage, text(info.error.message));
  add(DLT_HEADERS.exceptionStacktrace, text(stackTrace(info.error)));
  add(DLT_HEADERS.deliveryAttempt, int32(info.attempts));
  add(DLT_HEADERS.reason, text(info.reason));

  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const { key, value } of entries) {
    const existing = headers[key];
    if (existing === undefined) headers[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[key] = [existing, value];
  }
  return {
    topic: info.deadLetterTopic,
    partition: record.partition,
    key: record.key,
    value: record.value,
    headers,
  };
}

/** Provenance of a dead letter, read back from its headers (ours or a Spring service's). */
export interface DeadLetterProvenance {
  readonly originalTopic?: string;
  readonly originalPartition?: number;
  readonly originalOffset?: string;
  readonly originalTimestamp?: string;
  readonly originalTimestampType?: string;
  readonly originalConsumerGroup?: string;
  readonly exceptionFqcn?: string;
  readonly exceptionCauseFqcn?: string;
  readonly exceptionMessage?: string;
  readonly exceptionStacktrace?: string;
  readonly attempts?: number;
  readonly reason?: string;
}

/**
 * A binary number as Spring writes it (4- or 8-byte big-endian); decimal text is
 * accepted too, as written by tools that do not follow Spring.
 */
function readNumber(value: Buffer | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 4) return String(value.readInt32BE());
  if (value.length === 8) return value.readBigInt64BE().toString();
  const decimal = value.toString('utf8');
  return /^-?\d+$/.test(decimal) ? decimal : undefined;
}

/** Reads the provenance headers of a dead letter; `headers` holds each key's last value. */
export function readDeadLetter(headers: Readonly<Record<string, Buffer | undefined>>): DeadLetterProvenance {
  const str = (key: string) => headers[key]?.toString('utf8');
  const partition = readNumber(headers[DLT_HEADERS.originalPartition]);
  const attempts = readNumber(headers[DLT_HEADERS.deliveryAttempt]);
  return {
    originalTopic: str(DLT_HEADERS.originalTopic),
    originalPartition: partition === undefined ? undefined : Number(partition),
    originalOffset: readNumber(headers[DLT_HEADERS.originalOffset]),
    originalTimestamp: readNumber(headers[DLT_HEADERS.originalTimestamp]),
    originalTimestampType: str(DLT_HEADERS.originalTimestampType),
    originalConsumerGroup: str(DLT_HEADERS.originalConsumerGroup),
    exceptionFqcn: str(DLT_HEADERS.exceptionFqcn),
    exceptionCauseFqcn: str(DLT_HEADERS.exceptionCauseFqcn),
    exceptionMessage: str(DLT_HEADERS.exceptionMessage),
    exceptionStacktrace: str(DLT_HEADERS.exceptionStacktrace),
    attempts: attempts === undefined ? undefined : Number(attempts),
    reason: str(DLT_HEADERS.reason),
  };
}
