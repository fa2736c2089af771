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
 *   `kafka_dlt-exception-fqcn`, `-cause-fqcn` (the error's cause, or the error
 *   itself when it has none: Spring always writes it), `-message`, `-stacktrace` (UTF-8);
 * - the attempt count in `kafka_deliveryAttempt` (4-byte big-endian int), the
 *   header Spring's listener container uses for the delivery attempt and its
 *   header mapper reads as an `Integer`;
 * - the reason in `kafka_dlt-reason` (UTF-8: `handler-failed`, `non-retriable`,
 *   `undecodable`, `schema-invalid`, `unknown-type`), our one addition, under the
 *   `kafka_dlt-` prefix so tools that strip provenance before a replay strip it too;
 *   written after the exception headers, which is how a reader tells it belongs to
 *   the newest failure (see `readDeadLetter`).
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

export type DeadLetterReason =
  | 'handler-failed'
  | 'non-retriable'
  | 'undecodable'
  | 'schema-invalid'
  | 'unknown-type';

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'handler-failed',
  'non-retriable',
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
  // Always written, as Spring does: its recoverer names the root of the listener's wrapping, which is
  // the exception itself when nothing wraps it (a Spring listener's @Header for it is required by default).
  add(DLT_HEADERS.exceptionCauseFqcn, text(nameOf(info.error.cause ?? info.error)));
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
  /** Attempts of the newest failure; absent when the header left belongs to an earlier one. */
  readonly attempts?: number;
  /** `kafka_dlt-reason` of the newest failure; absent when the newest was written by another tool (Spring). */
  readonly reason?: string;
  /** A `kafka_dlt-reason` left from an earlier dead-lettering of the same record (kept for the record, not the newest failure's). */
  readonly earlierReason?: string;
}

/**
 * Headers as a consumer sees them: every entry in wire order (`ConsumedRecord.headerEntries`;
 * the precise form), or each key's last value, keys in order of first appearance
 * (`ConsumedRecord.headers`).
 */
export type DeadLetterHeaders = Readonly<Record<string, Buffer | undefined>> | readonly RecordHeader[];

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

interface HeaderIndex {
  /** Keys in order of first appearance. */
  readonly order: Map<string, number>;
  readonly values: Map<string, Buffer[]>;
  /** False for the last-value form: how often a key occurs is unknown. */
  readonly counted: boolean;
}

function indexHeaders(headers: DeadLetterHeaders): HeaderIndex {
  const order = new Map<string, number>();
  const values = new Map<string, Buffer[]>();
  const add = (key: string, value: Buffer) => {
    if (!order.has(key)) order.set(key, order.size);
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  };
  if (Array.isArray(headers)) {
    for (const { key, value } of headers as readonly RecordHeader[]) add(key, value);
    return { order, values, counted: true };
  }
  for (const [key, value] of Object.entries(headers as Readonly<Record<string, Buffer | undefined>>)) {
    if (value !== undefined) add(key, value);
  }
  return { order, values, counted: false };
}

/**
 * Which failure `kafka_dlt-reason` and `kafka_deliveryAttempt` describe. Our writer removes every
 * earlier exception header, reason and attempt count and writes exactly one of each, the reason and
 * the attempt count after `kafka_dlt-exception-fqcn`. Spring's recoverer, dead-lettering one of ours
 * again, removes only the exception headers and appends its own at the end, so our reason is then
 * found BEFORE the (only) exception class, or beside several (Spring with
 * `stripPreviousExceptionHeaders=false`). That is read from the order of first appearance, which
 * both header forms keep (kafkajs folds repeated keys into the first one's place). Spring's own
 * container appends its `kafka_deliveryAttempt` after whatever the record carried, so a second
 * attempt value after a stale one is Spring's.
 */
function newestFailure(index: HeaderIndex): {
  reason?: Buffer;
  attempts?: Buffer;
  earlierReason?: Buffer;
} {
  const at = (key: string) => index.order.get(key) ?? -1;
  const all = (key: string) => index.values.get(key) ?? [];
  const fqcnAt = at(DLT_HEADERS.exceptionFqcn);
  const reasonAt = at(DLT_HEADERS.reason);
  const attempts = all(DLT_HEADERS.deliveryAttempt);
  const reasons = all(DLT_HEADERS.reason);
  if (reasonAt < 0) return { attempts: attempts.at(-1) };
  const single = !index.counted || (all(DLT_HEADERS.exceptionFqcn).length === 1 && reasons.length === 1);
  if (fqcnAt >= 0 && reasonAt > fqcnAt && single) {
    return {
      reason: reasons.at(-1),
      attempts: at(DLT_HEADERS.deliveryAttempt) > fqcnAt ? attempts.at(-1) : undefined,
    };
  }
  // The reason is an earlier failure's; so is the first attempt value written with it.
  return {
    earlierReason: reasons.at(-1),
    attempts: index.counted && attempts.length > 1 ? attempts.at(-1) : undefined,
  };
}

/**
 * Reads the provenance headers of a dead letter. Pass `headerEntries` where you have them:
 * with only the last values, a stale attempt count cannot be told from a newer one and is left out.
 */
export function readDeadLetter(headers: DeadLetterHeaders): DeadLetterProvenance {
  const index = indexHeaders(headers);
  const last = (key: string) => index.values.get(key)?.at(-1);
  const str = (key: string) => last(key)?.toString('utf8');
  const partition = readNumber(last(DLT_HEADERS.originalPartition));
  const newest = newestFailure(index);
  const attempts = readNumber(newest.attempts);
  const provenance: DeadLetterProvenance = {
    originalTopic: str(DLT_HEADERS.originalTopic),
    originalPartition: partition === undefined ? undefined : Number(partition),
    originalOffset: readNumber(last(DLT_HEADERS.originalOffset)),
    originalTimestamp: readNumber(last(DLT_HEADERS.originalTimestamp)),
    originalTimestampType: str(DLT_HEADERS.originalTimestampType),
    originalConsumerGroup: str(DLT_HEADERS.originalConsumerGroup),
    exceptionFqcn: str(DLT_HEADERS.exceptionFqcn),
    exceptionCauseFqcn: str(DLT_HEADERS.exceptionCauseFqcn),
    exceptionMessage: str(DLT_HEADERS.exceptionMessage),
    exceptionStacktrace: str(DLT_HEADERS.exceptionStacktrace),
    attempts: attempts === undefined ? undefined : Number(attempts),
    reason: newest.reason?.toString('utf8'),
  };
  return newest.earlierReason === undefined
    ? provenance
    : { ...provenance, earlierReason: newest.earlierReason.toString('utf8') };
}
