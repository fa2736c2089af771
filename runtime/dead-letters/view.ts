/**
 * One dead-letter record as an operator reads it: where it came from and why it failed
 * (`readDeadLetter` over its header entries, so Spring's and ours read alike), its event id and
 * type, and its key and payload as text (JSON pretty-printed) or hex.
 */
import { type DeadLetterProvenance, DLT_HEADERS, readDeadLetter } from '../consume/dead-letter.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Bytes shown to a person: UTF-8 text without control characters (tabs and newlines allowed), else `hex:…`. */
export function printable(bytes: Buffer | null): string | null {
  if (bytes === null) return null;
  const text = asText(bytes);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)
    ? text
    : `hex:${bytes.toString('hex')}`;
}

/** Spring's binary provenance headers: 4-byte ints and 8-byte longs, big-endian. */
const BINARY_NUMBERS: Readonly<Record<string, 4 | 8>> = {
  [DLT_HEADERS.originalPartition]: 4,
  [DLT_HEADERS.originalOffset]: 8,
  [DLT_HEADERS.originalTimestamp]: 8,
  [DLT_HEADERS.deliveryAttempt]: 4,
};

/** A header's value as text: binary provenance numbers decoded (`2 (int32)`), other bytes as `printable`. */
export function headerText(key: string, value: Buffer): string {
  const size = BINARY_NUMBERS[key];
  if (size === 4 && value.length === 4) return `${value.readInt32BE()} (int32)`;
  if (size === 8 && value.length === 8) return `${value.readBigInt64BE()} (int64)`;
  return printable(value) ?? '';
}

export interface DeadLetterView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** `partition:offset`, how the CLI names a record. */
  readonly position: string;
  /** When the dead letter was written (ISO). */
  readonly timestamp: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly provenance: DeadLetterProvenance;
  /** `reason` of the newest failure, or `(none)` when the writer gave none (Spring). */
  readonly reasonLabel: string;
  /** `fqcn`, or `fqcn ← cause` when the cause is another class. */
  readonly exceptionLabel: string;
  readonly groupLabel: string;
  readonly key: string | null;
  readonly value:
    | { readonly kind: 'json'; readonly json: unknown }
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'hex'; readonly hex: string }
    | { readonly kind: 'null' };
  /** Every header, in wire order: text, binary provenance numbers decoded (`2 (int32)`), other bytes `hex:…`. */
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

export function viewDeadLetter(record: ConsumedRecord): DeadLetterView {
  const provenance = readDeadLetter(record.headerEntries);
  const header = (key: string) => {
    const value = record.headers[key];
    return value === undefined ? undefined : asText(value);
  };
  const fqcn = provenance.exceptionFqcn ?? '(unknown)';
  const cause = provenance.exceptionCauseFqcn;
  let value: DeadLetterView['value'];
  if (record.value === null) value = { kind: 'null' };
  else {
    const text = asText(record.value);
    if (text === undefined) value = { kind: 'hex', hex: record.value.toString('hex') };
    else {
      try {
        value = { kind: 'json', json: JSON.parse(text) };
      } catch {
        value = { kind: 'text', text };
      }
    }
  }
  const eventId = header('ce_id');
  const eventType = header('ce_type');
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    position: `${record.partition}:${record.offset}`,
    timestamp: new Date(Number(record.timestamp)).toISOString(),
    ...(eventId !== undefined ? { eventId } : {}),
    ...(eventType !== undefined ? { eventType } : {}),
    provenance,
    reasonLabel: provenance.reason ?? '(none)',
    exceptionLabel: cause && cause !== fqcn ? `${fqcn} ← ${cause}` : fqcn,
    groupLabel: provenance.originalConsumerGroup ?? '(unknown)',
    key: printable(record.key),
    value,
    headers: record.headerEntries.map((h) => ({ key: h.key, value: headerText(h.key, h.value) })),
  };
}

/** The first `lines` lines of a stack trace. */
export function stackHead(stack: string | undefined, lines = 6): string | undefined {
  if (stack === undefined) return undefined;
  const all = stack.split('\n');
  return all.length <= lines
    ? stack
    : `${all.slice(0, lines).join('\n')}\n\t… ${all.length - lines} more line(s)`;
}
