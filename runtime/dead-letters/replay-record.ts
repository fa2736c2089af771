/**
 * The record a replay sends back: the dead letter's original key, value and headers, to the
 * topic named by `kafka_dlt-original-topic` (the newest one when a record was dead-lettered more
 * than once), without the dead-letter provenance (`kafka_dlt-*`) and delivery-attempt headers, with
 * a replay marker instead: `x-replayed-from: <dlq topic>:<partition>:<offset>` and
 * `x-replayed-at: <ISO time>`. The event id (`ce_id`) is unchanged, so consumer groups that
 * handled the event already find their processed-event claim and skip it.
 *
 * The copy goes to the original partition number (`kafka_dlt-original-partition`): where the
 * record was, whatever partitioner its producer used (ours hash the key, so for our events that is
 * also where the key goes). Only without that header is it partitioned by its key.
 */
import { type DeadLetterProvenance, DLT_HEADERS } from '../consume/dead-letter.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import type { HeaderValue, OutgoingRecord } from '../kafka/records.ts';

export const REPLAY_HEADERS = {
  from: 'x-replayed-from',
  at: 'x-replayed-at',
} as const;

/** Headers a replay leaves out: provenance and attempt counts of the failure, and earlier replay markers. */
export function isFailureHeader(key: string): boolean {
  return (
    key.startsWith('kafka_dlt-') ||
    key === DLT_HEADERS.deliveryAttempt ||
    key === REPLAY_HEADERS.from ||
    key === REPLAY_HEADERS.at
  );
}

export function replayRecord(
  deadLetter: ConsumedRecord,
  provenance: DeadLetterProvenance,
  replayedAt: Date,
): OutgoingRecord {
  if (!provenance.originalTopic) {
    throw new Error(
      `dead letter ${deadLetter.topic}:${deadLetter.partition}:${deadLetter.offset} has no ${DLT_HEADERS.originalTopic} header`,
    );
  }
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const { key, value } of deadLetter.headerEntries) {
    if (isFailureHeader(key)) continue;
    const existing = headers[key];
    if (existing === undefined) headers[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[key] = [existing, value];
  }
  headers[REPLAY_HEADERS.from] = `${deadLetter.topic}:${deadLetter.partition}:${deadLetter.offset}`;
  headers[REPLAY_HEADERS.at] = replayedAt.toISOString();
  return {
    topic: provenance.originalTopic,
    ...(provenance.originalPartition !== undefined ? { partition: provenance.originalPartition } : {}),
    key: deadLetter.key,
    value: deadLetter.value,
    headers,
  };
}
