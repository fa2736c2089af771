import type { ConsumerStatus } from '../contract/events.ts';
import type { IncomingRecord } from './records.ts';

/** How the broker stamped a record's timestamp, spelled as Java's `TimestampType.toString()`. */
export type TimestampType = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer;
}

/** A consumed record with what a faithful dead letter needs besides the bytes. */
export interface ConsumedRecord extends IncomingRecord {
  /** Every header in wire order of first appearance; a repeated key keeps all its values, in order. */
  readonly headerEntries: readonly RecordHeader[];
  readonly timestampType: TimestampType;
}

/** Records of one partition, fetched together, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  /** The partition's high watermark when the batch was fetched (offset of the next record to be written). */
  readonly highWatermark: string;
  readonly records: readonly ConsumedRecord[];
}

/**
 * What the handler of a batch may do with the group while it works. Nothing is
 * committed that was not acknowledged, and acknowledgements are per partition,
 * in order: acknowledging offset N commits N + 1 as the group's position.
 */
export interface BatchScope {
  /** False once the consumer is stopping or the batch went stale (seek, lost assignment): acknowledge nothing more. */
  isActive(): boolean;
  /**
   * Keeps the group membership alive during long work. Rejects when the group is
   * rebalancing (after committing what was acknowledged): let that error end the batch.
   */
  heartbeat(): Promise<void>;
  /** The record at `offset` is finished (handled, skipped, duplicate or dead-lettered). */
  acknowledge(offset: string): void;
  /** Commits every acknowledged offset now (adapters also commit as they go, before a rebalance and on stop). */
  commit(): Promise<void>;
}

export type BatchHandler = (batch: PartitionBatch, scope: BatchScope) => Promise<void>;

/** A subscription: exact topic names, or a pattern for parameterized channels (`tenant.{tenantId}.orders`). */
export type TopicSubscription = string | RegExp;

/**
 * The one thing the consumer runtime needs from a Kafka consumer: join one
 * group, hand over batches per partition in order, commit only what the
 * handler acknowledged. One port is one group member.
 */
export interface KafkaConsumerPort {
  /** Connects, subscribes and starts handing batches to `handle`; resolves once the member has joined the group. */
  start(topics: readonly TopicSubscription[], handle: BatchHandler): Promise<void>;
  /** Lets the batch in hand finish, commits what it acknowledged, leaves the group and disconnects. */
  stop(): Promise<void>;
  /** Where the member stands now; a port that cannot tell leaves it out (readiness then ends at `start`). */
  status?(): ConsumerStatus;
}
