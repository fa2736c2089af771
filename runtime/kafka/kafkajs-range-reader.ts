/**
 * Reads a range of offsets of one topic and stops, without disturbing anybody: the offset range
 * comes from the admin client (low watermark, high watermark at the start of the read), the
 * consumer is a throwaway group member that never commits an offset (kafkajs has no
 * manual assignment; the group is deleted afterwards), partitions outside the range are paused,
 * and the read ends at the high watermark taken at the start, so records written meanwhile are not
 * waited for. For tools (the dead-letter CLI), not for services.
 *
 * kafkajs only, whatever `KAFKA_CLIENT` says: it is a read-only tool path (no port, no commits),
 * and the dead-letter CLI keeps using it on either client.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { ConsumedRecord } from './consumer-port.ts';
import { toConsumedRecord } from './kafkajs-consumer.ts';

export interface PartitionRange {
  readonly partition: number;
  /** First offset to read (inclusive); default the low watermark. */
  readonly from?: bigint;
  /** Last offset to read (inclusive); default the high watermark − 1. */
  readonly to?: bigint;
}

export interface PartitionExtent {
  readonly partition: number;
  /** Oldest offset still retained. */
  readonly low: bigint;
  /** Offset of the next record to be written, when the read started. */
  readonly high: bigint;
}

export interface RangeReadOptions {
  /** Partitions to read and their bounds; default every partition, all of it. */
  readonly ranges?: readonly PartitionRange[];
  /** Gives up (rejecting, saying how far it got) after this long; default 60 000 ms. */
  readonly timeoutMs?: number;
  /** Prefix of the throwaway group id; default `range-reader`. */
  readonly groupPrefix?: string;
}

export interface RangeRead {
  readonly extents: readonly PartitionExtent[];
  /** In partition order, then offset order. */
  readonly records: readonly ConsumedRecord[];
}

export class TopicNotFoundError extends Error {
  readonly topic: string;
  constructor(topic: string) {
    super(`topic ${topic} does not exist on the broker`);
    this.name = 'TopicNotFoundError';
    this.topic = topic;
  }
}

/** Low and high watermark of every partition; `TopicNotFoundError` when the topic is missing. */
export async function topicExtents(kafka: Kafka, topic: string): Promise<PartitionExtent[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new TopicNotFoundError(topic);
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Reads `[from, to]` of the chosen partitions (all retained records by default) and returns them. */
export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  options: RangeReadOptions = {},
): Promise<RangeRead> {
  const extents = await topicExtents(kafka, topic);
  const wanted = new Map<number, { start: bigint; end: bigint }>();
  for (const extent of extents) {
    const range = options.ranges
      ? options.ranges.find((r) => r.partition === extent.partition)
      : { partition: extent.partition };
    if (!range) continue;
    const start = range.from !== undefined && range.from > extent.low ? range.from : extent.low;
    const end = range.to !== undefined && range.to + 1n < extent.high ? range.to + 1n : extent.high;
    if (start < end) wanted.set(extent.partition, { start, end });
  }
  if (wanted.size === 0) return { extents, records: [] };

  const groupId = `${options.groupPrefix ?? 'range-reader'}-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    allowAutoTopicCreation: false,
  });
  const byPartition = new Map<number, ConsumedRecord[]>([...wanted.keys()].map((p) => [p, []]));
  const pending = new Set(wanted.keys());
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let finished: () => void = () => {};
    let failed: (error: unknown) => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      finished = resolve;
      failed = reject;
    });
    done.catch(() => {}); // awaited below; a timeout before that point must not go unhandled
    const timer = setTimeout(() => {
      const got = [...byPartition.values()].reduce((n, r) => n + r.length, 0);
      failed(
        new Error(
          `reading ${topic}: ${got} record(s) read in ${timeoutMs} ms, partition(s) ${[...pending].join(', ')} not read to their end`,
        ),
      );
    }, timeoutMs);
    const finishPartition = (partition: number) => {
      if (!pending.delete(partition)) return;
      consumer.pause([{ topic, partitions: [partition] }]);
      if (pending.size === 0) finished();
    };
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) failed(event.payload.error);
    });
    try {
      // Resolves once the member has joined (fetching goes on in the background), unless the timeout comes first.
      await Promise.race([
        done,
        consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const bounds = wanted.get(batch.partition);
            if (!bounds || !pending.has(batch.partition)) return;
            const into = byPartition.get(batch.partition)!;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < bounds.start || offset >= bounds.end) continue;
              // A batch fetched before the seek took effect may repeat offsets.
              if (into.length > 0 && BigInt(into.at(-1)!.offset) >= offset) continue;
              into.push(toConsumedRecord(topic, batch.partition, message));
            }
            if (BigInt(batch.lastOffset()) >= bounds.end - 1n) finishPartition(batch.partition);
          },
        }),
      ]);
      const idle = extents.map((e) => e.partition).filter((p) => !wanted.has(p));
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      for (const [partition, { start }] of wanted) {
        consumer.seek({ topic, partition, offset: start.toString() });
      }
      await done;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect().catch(() => {});
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect().catch(() => {}));
  }
  const records = [...byPartition.entries()].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
  return { extents, records };
}
