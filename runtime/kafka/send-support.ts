/**
 * What every `KafkaProducerPort` adapter does the same way, whatever the client
 * library: cutting a send into chunks the broker accepts, sending them one after
 * another, retrying a chunk across a broker failover window, turning what failed
 * into a `KafkaSendError`, and giving each record its offset in input order.
 */
import { backoffMs } from '../core/backoff.ts';
import { KafkaSendError } from '../core/kafka-send-error.ts';
import type { Logger } from '../core/logger.ts';
import { sleep } from '../core/sleep.ts';
import type { HeaderValue, OutgoingRecord, RecordMetadata } from './records.ts';

/** Retry it (the cluster may come back), recreate the client's idempotence state first, or give up (the records are refused). */
export type Failure = 'retriable' | 'reset' | 'refused';

/** Kafka errors that refuse a whole topic. Retried inside the window (metadata may lag after a failover). */
export const TOPIC_ERRORS: ReadonlySet<string> = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'TOPIC_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
]);

/** Errors after which the idempotent producer's id or sequence numbers no longer match the broker's. */
export const PRODUCER_STATE_ERRORS: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

/** Splits records into chunks of at most `maxBytes` (estimated) and `maxRecords`, in order. Pure. */
export function chunkRecords(
  records: readonly OutgoingRecord[],
  maxBytes: number,
  maxRecords: number,
): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordSize(record);
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxRecords)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function recordSize(record: OutgoingRecord): number {
  // An estimate (string lengths, not UTF-8 byte counts, for headers): chunks stay far below the
  // broker's limit, and this runs for every record.
  let size = 64 + byteLength(record.key) + (record.value?.length ?? 0);
  for (const name in record.headers) {
    const value = record.headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly HeaderValue[]) size += name.length + v.length;
    else size += name.length + (value as HeaderValue).length;
  }
  return size;
}

function byteLength(value: string | Buffer | null): number {
  return value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Sends the chunks one after another (a later chunk is never written before an earlier one
 * is acknowledged). A failure after some chunks went through says how many records did.
 */
export async function sendChunks(
  chunks: readonly (readonly OutgoingRecord[])[],
  sendChunk: (chunk: readonly OutgoingRecord[]) => Promise<RecordMetadata[]>,
): Promise<RecordMetadata[]> {
  const results: RecordMetadata[] = [];
  for (const chunk of chunks) {
    try {
      results.push(...(await sendChunk(chunk)));
    } catch (err) {
      if (!(err instanceof KafkaSendError) || results.length === 0) throw err;
      // Earlier chunks are in Kafka: say how many, so a caller need not send them again.
      throw new KafkaSendError(err.message, {
        retriable: err.retriable,
        topics: err.topics,
        attempts: err.attempts,
        acknowledged: results.length,
        cause: err.cause,
      });
    }
  }
  return results;
}

export interface RetryWindow {
  readonly retryWindowMs: number;
  readonly log: Logger;
  /** True once `disconnect` was called: stop retrying. */
  isClosing(): boolean;
  /** How to react to an error of one attempt, and the Kafka error type or error name it stands for. */
  classify(err: unknown): { failure: Failure; type: string | undefined };
  /** The error as the `KafkaSendError` message ends; default its `message`. */
  describe?(err: unknown): string;
  /** What to log about an error (the root cause, not the client's wrappers). */
  details(err: unknown): Record<string, unknown>;
  /** Replaces the client's idempotent producer after a `reset` failure. */
  reset?(): Promise<void>;
}

/** Between send attempts inside the failover window: 200 ms doubling to 3 s. */
const SEND_BACKOFF = { initialMs: 200, maxMs: 3000 };

/**
 * Calls `attempt` until it succeeds, the records are refused, the window has passed, or the
 * producer is closing; backs off 200 ms doubling to 3 s. Whatever fails is a `KafkaSendError`
 * saying whether the records themselves were refused (and, for a refused topic, which).
 */
export async function retryWithinWindow(
  records: readonly OutgoingRecord[],
  window: RetryWindow,
  attempt: () => Promise<RecordMetadata[]>,
): Promise<RecordMetadata[]> {
  const started = Date.now();
  const topics = [...new Set(records.map((r) => r.topic))];
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const { failure, type } = window.classify(err);
      const elapsed = Date.now() - started;
      const message = window.describe
        ? window.describe(err)
        : err instanceof Error
          ? err.message
          : String(err);
      if (failure === 'refused') {
        throw new KafkaSendError(`Kafka refused records for ${topics.join(', ')}: ${message}`, {
          retriable: false,
          topics: type && TOPIC_ERRORS.has(type) && topics.length === 1 ? topics : [],
          attempts: n,
          cause: err,
        });
      }
      const closing = window.isClosing();
      if (closing || elapsed >= window.retryWindowMs) {
        // A topic still unknown after the whole window is missing, not failing over.
        const topicRefused = type !== undefined && TOPIC_ERRORS.has(type) && !closing;
        throw new KafkaSendError(
          `sending ${records.length} record(s) to ${topics.join(', ')} failed ${
            closing ? 'while the producer was closing' : `for ${Math.round(elapsed / 1000)} s`
          } (${n} attempt(s)): ${message}`,
          {
            retriable: !topicRefused,
            topics: topicRefused && topics.length === 1 ? topics : [],
            attempts: n,
            cause: err,
          },
        );
      }
      window.log.warn('Kafka send failed, retrying', {
        attempt: n,
        elapsedMs: elapsed,
        records: records.length,
        topics,
        ...window.details(err),
      });
      if (failure === 'reset' && window.reset) await window.reset();
      await sleep(Math.min(backoffMs(SEND_BACKOFF, n), Math.max(0, window.retryWindowMs - elapsed)));
    }
  }
}

/**
 * Input-order metadata from each partition's base offset: the records of one topic
 * partition are written in the order given, so the n-th of them is at base + n. Pure.
 */
export function offsetsInOrder(
  records: readonly OutgoingRecord[],
  partitions: readonly (number | undefined)[],
  baseOffsets: ReadonlyMap<string, bigint>,
  client: string,
): RecordMetadata[] {
  const next = new Map<string, bigint>();
  return records.map((record, i) => {
    const partition = partitions[i];
    if (partition === undefined) throw new Error(`${client} did not partition a record for ${record.topic}`);
    const slot = partitionSlot(record.topic, partition);
    const offset = next.get(slot) ?? baseOffsets.get(slot);
    if (offset === undefined) {
      throw new Error(`${client} returned no offset for ${record.topic} partition ${partition}`);
    }
    next.set(slot, offset + 1n);
    return { topic: record.topic, partition, offset: offset.toString() };
  });
}

/** The key of one topic partition in `offsetsInOrder`'s map. */
export function partitionSlot(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}
