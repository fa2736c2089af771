/**
 * `KafkaConsumerPort` on kafkajs: the only module of the consumer side that imports kafkajs.
 *
 * Offsets: `eachBatch` with `eachBatchAutoResolve: false`, so kafkajs moves a
 * partition's position only for offsets the handler acknowledged
 * (`resolveOffset`); the next fetch starts at the first unacknowledged record.
 * `autoCommit` stays on with a threshold of one acknowledged record and no
 * interval: kafkajs then commits what was acknowledged after every batch and
 * before it rejoins a rebalancing group, and `commit()` commits at once.
 *
 * Status (`status()`, for readiness): kafkajs' instrumentation events drive it:
 * GROUP_JOIN → joined, REBALANCING → rebalancing, CRASH → restarting (kafkajs
 * restarts it) or failed, DISCONNECT/STOP → stopped when we stop it; FETCH,
 * HEARTBEAT, COMMIT_OFFSETS and END_BATCH_PROCESS count as contact with the
 * broker, and a joined member without contact for a session timeout is stalled.
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { ConsumerMemberState, ConsumerStatus } from '../contract/events.ts';
import { backoffMs } from '../core/backoff.ts';
import { sleep } from '../core/sleep.ts';
import type {
  BatchHandler,
  ConsumedRecord,
  KafkaConsumerPort,
  RecordHeader,
  TimestampType,
  TopicSubscription,
} from './consumer-port.ts';
import { memberStatus } from './member-status.ts';
import { notePortBuilt } from './ports-built.ts';

/** Between subscribe attempts while a just-created topic's metadata spreads: 100 ms doubling to 1 s. */
const SUBSCRIBE_BACKOFF = { initialMs: 100, maxMs: 1000 };

export type ConsumerLogLevel = 'info' | 'warn' | 'error';

export interface KafkajsConsumerOptions {
  readonly groupId: string;
  /**
   * Where a group without committed offsets starts: `earliest` (default: a new group sees
   * every retained event, nothing published before its first deploy is silently skipped) or `latest`.
   */
  readonly startFrom?: 'earliest' | 'latest';
  /** Partitions handled at the same time (each in order); default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** Group session timeout; default 30 000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Default 3 000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new records (also bounds how long `stop()` waits for an idle fetch); default 1 000 ms. */
  readonly maxWaitTimeMs?: number;
  /** Most bytes one fetch asks for per partition; default kafkajs' 1 MiB. */
  readonly maxBytesPerPartition?: number;
  readonly log?: (level: ConsumerLogLevel, message: string, details?: Record<string, unknown>) => void;
}

const TIMESTAMP_TYPES: Readonly<Record<number, TimestampType>> = {
  0: 'CreateTime',
  1: 'LogAppendTime',
};

/** kafkajs folds repeated header keys into arrays and types every value loosely; back to one entry per value. */
function headerEntries(headers: IHeaders | undefined): RecordHeader[] {
  const entries: RecordHeader[] = [];
  for (const [key, raw] of Object.entries(headers ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (value === undefined) continue;
      entries.push({ key, value: Buffer.isBuffer(value) ? value : Buffer.from(value) });
    }
  }
  return entries;
}

/** A kafkajs message as the runtime sees it (headers in wire order of first appearance, timestamp type). */
export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const entries = headerEntries(message.headers);
  const last: Record<string, Buffer> = {};
  for (const { key, value } of entries) last[key] = value;
  // kafkajs decodes the record batch's timestamp type into `batchContext`, which its typings omit.
  const batchContext = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    timestampType: TIMESTAMP_TYPES[batchContext?.timestampType ?? 0] ?? 'NoTimestampType',
    key: message.key ?? null,
    value: message.value ?? null,
    headers: last,
    headerEntries: entries,
  };
}

class KafkajsConsumerPort implements KafkaConsumerPort {
  readonly #kafka: Kafka;
  readonly #options: KafkajsConsumerOptions;
  #consumer: Consumer | undefined;
  #stopping = false;
  #notJoined: ((error: Error) => void) | undefined;
  #state: { state: ConsumerMemberState; since: number; error?: string } = {
    state: 'starting',
    since: Date.now(),
  };
  #lastContactAt: number | undefined;

  constructor(kafka: Kafka, options: KafkajsConsumerOptions) {
    this.#kafka = kafka;
    this.#options = options;
  }

  async start(topics: readonly TopicSubscription[], handle: BatchHandler): Promise<void> {
    if (this.#consumer) throw new Error(`consumer of group ${this.#options.groupId} already started`);
    const log = this.#options.log ?? (() => {});
    const { groupId } = this.#options;
    const consumer = this.#kafka.consumer({
      groupId,
      sessionTimeout: this.#options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.#options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: this.#options.maxWaitTimeMs ?? 1_000,
      ...(this.#options.maxBytesPerPartition !== undefined
        ? { maxBytesPerPartition: this.#options.maxBytesPerPartition }
        : {}),
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer on retriable errors; never once we are stopping.
      retry: { restartOnFailure: async () => !this.#stopping },
    });
    this.#consumer = consumer;

    let joined: () => void = () => {};
    let failed: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      joined = resolve;
      failed = reject;
    });
    this.#notJoined = failed;
    const enter = (state: ConsumerMemberState, error?: string) => {
      if (this.#state.state === 'stopped') return;
      if (this.#state.state === state && error === undefined) return;
      this.#state = { state, since: Date.now(), ...(error !== undefined ? { error } : {}) };
    };
    const contact = () => {
      this.#lastContactAt = Date.now();
    };
    for (const event of [
      consumer.events.FETCH,
      consumer.events.HEARTBEAT,
      consumer.events.COMMIT_OFFSETS,
      consumer.events.END_BATCH_PROCESS,
    ]) {
      consumer.on(event, contact);
    }
    consumer.on(consumer.events.REBALANCING, () => enter('rebalancing'));
    consumer.on(consumer.events.DISCONNECT, () => {
      // A crash disconnects first, then reports CRASH; only our own stop ends here for good.
      if (this.#stopping) enter('stopped');
    });
    consumer.on(consumer.events.STOP, () => {
      if (this.#stopping) enter('stopped');
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      contact();
      enter('joined');
      log('info', `joined consumer group ${groupId}`, {
        memberId: event.payload.memberId,
        leader: event.payload.isLeader,
        assignment: event.payload.memberAssignment,
      });
      joined();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      log('error', `consumer of group ${groupId} crashed${restart ? '; kafkajs restarts it' : ''}`, {
        error: error.message,
        restart,
      });
      enter(restart ? 'restarting' : 'failed', error.message);
      if (!restart) failed(error);
    });

    await consumer.connect();
    const fromBeginning = (this.#options.startFrom ?? 'earliest') === 'earliest';
    await subscribeWhenKnown(consumer, topics, fromBeginning);
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch } = payload;
        const records = batch.messages.map((m) => toConsumedRecord(batch.topic, batch.partition, m));
        await handle(
          { topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, records },
          {
            isActive: () => !this.#stopping && payload.isRunning() && !payload.isStale(),
            heartbeat: () => payload.heartbeat(),
            acknowledge: (offset) => payload.resolveOffset(offset),
            commit: async () => {
              await payload.commitOffsetsIfNecessary();
            },
          },
        );
      },
    });
    await ready;
  }

  status(): ConsumerStatus {
    return memberStatus(this.#state, this.#lastContactAt, this.#options.sessionTimeoutMs ?? 30_000);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#notJoined?.(
      new Error(`consumer of group ${this.#options.groupId} stopped before it joined the group`),
    );
    const consumer = this.#consumer;
    if (!consumer) return;
    // disconnect() stops the runner first: it waits for the batch in hand, commits what it acknowledged, leaves the group.
    await consumer.disconnect();
    this.#state = { state: 'stopped', since: Date.now() };
  }
}

/** Throws, naming the group, when a member asks for what kafkajs has not: static membership or KIP-848. */
export function refuseKafkajsGroupFeatures(settings: {
  readonly groupId: string;
  readonly groupInstanceId?: string | undefined;
  readonly groupProtocol?: 'classic' | 'consumer' | undefined;
}): void {
  if (settings.groupInstanceId !== undefined || (settings.groupProtocol ?? 'classic') !== 'classic') {
    throw new Error(
      `consumer of group ${settings.groupId}: kafkajs supports neither static membership nor the consumer group protocol (KAFKA_CLIENT=platformatic does)`,
    );
  }
}

/** A consumer port for one group member on a kafkajs client (`runtime/kafka/kafkajs.ts` creates it with logging). */
export function createKafkajsConsumer(kafka: Kafka, options: KafkajsConsumerOptions): KafkaConsumerPort {
  notePortBuilt('kafkajs', 'consumer');
  return new KafkajsConsumerPort(kafka, options);
}

/**
 * Subscribes, waiting out a topic created a moment ago that a broker does not serve yet
 * (UNKNOWN_TOPIC_OR_PARTITION while metadata propagates) for up to `patienceMs`; a topic that
 * stays unknown fails the start with Kafka's own error.
 */
async function subscribeWhenKnown(
  consumer: Consumer,
  topics: readonly TopicSubscription[],
  fromBeginning: boolean,
  patienceMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (let failures = 1; ; failures++) {
    const delay = backoffMs(SUBSCRIBE_BACKOFF, failures);
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      return;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
