/**
 * Fetched record batches of @platformatic/kafka as the runtime's `ConsumedRecord`s, and
 * subscriptions resolved against the cluster's topic names. Pure: no I/O, unit-tested.
 *
 * Keys, values and header values stay the Buffers the library decoded (slices of the fetch
 * response), never copied.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import type { ConsumedRecord, RecordHeader, TopicSubscription } from './consumer-port.ts';

/** Record batch attribute bits (Kafka's `RecordBatch`): timestamp type and control batch. */
const LOG_APPEND_TIME = 0x08;
const CONTROL_BATCH = 0x20;

export interface PartitionRecords {
  readonly records: ConsumedRecord[];
  /** Where the next fetch of the partition starts when every record was handled (past control batches too). */
  readonly next: bigint;
}

/**
 * The records of one fetched partition at or after `from`, in offset order. Batches fetched
 * from before `from` (the broker answers from the start of the batch holding it) are skipped
 * up to it; control batches (transaction markers) yield nothing but move `next` past them.
 */
export function recordsOfPartition(
  topic: string,
  partition: number,
  batches: readonly RecordsBatch[] | null | undefined,
  from: bigint,
): PartitionRecords {
  const records: ConsumedRecord[] = [];
  let next = from;
  for (const batch of batches ?? []) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (end > next) next = end;
    if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
    const logAppend = (batch.attributes & LOG_APPEND_TIME) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      const headerEntries: RecordHeader[] = [];
      const headers: Record<string, Buffer> = {};
      for (const [rawKey, value] of record.headers) {
        if (rawKey === null || value === null) continue;
        const key = rawKey.toString('utf8');
        headerEntries.push({ key, value });
        headers[key] = value;
      }
      const timestamp = logAppend ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta;
      records.push({
        topic,
        partition,
        offset: offset.toString(),
        timestamp: timestamp.toString(),
        timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
        key: record.key,
        value: record.value,
        headers,
        headerEntries,
      });
    }
  }
  return { records, next };
}

/** Exact names as given, patterns matched against `available`; sorted, without duplicates. */
export function resolveSubscription(
  subscriptions: readonly TopicSubscription[],
  available: readonly string[],
): string[] {
  const names = new Set<string>();
  for (const subscription of subscriptions) {
    if (typeof subscription === 'string') {
      names.add(subscription);
      continue;
    }
    for (const topic of available) {
      subscription.lastIndex = 0;
      if (subscription.test(topic)) names.add(topic);
    }
  }
  return [...names].sort();
}
