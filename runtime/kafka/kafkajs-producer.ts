/**
 * `KafkaProducerPort` on kafkajs.
 *
 * - Idempotent producer, acks=all (-1), at most 5 requests in flight (what
 *   idempotence allows), Snappy compression by default.
 * - Keys are partitioned by kafkajs' DefaultPartitioner (murmur2, the same as
 *   the Java client), so a Java producer or Kafka Connect puts a key on the
 *   same partition.
 * - One `send` = records grouped per topic into `sendBatch` calls of at most
 *   `maxBatchBytes` / `maxBatchRecords` each (a record batch above the broker's
 *   `message.max.bytes` would be refused), sent one after another so a later
 *   chunk is never written before an earlier one has been acknowledged.
 * - Results come back in input order: kafkajs answers with a base offset per
 *   partition, and the partitioner records where each message went.
 * - Retriable failures (broker down, leader moving, timeouts) are retried for
 *   `retryWindowMs` (30 s: KRaft fences a silent broker after
 *   `broker.session.timeout.ms`, 9 s by default, before its partitions' leadership
 *   moves; in test/fault/broker-outage.test.ts a direct publish started while
 *   the single broker was stopped is acknowledged 13–18 s after the stop, the
 *   restart included), with kafkajs' own retries bounded inside each call. If the idempotent producer's
 *   state is lost (unknown producer id, sequence out of order), the kafkajs
 *   producer is replaced by a fresh one. Whatever fails is rejected as a
 *   `KafkaSendError` saying whether the records themselves were refused.
 */
import type {
  CompressionTypes as CompressionType,
  IHeaders,
  Kafka,
  RecordMetadata as KafkajsRecordMetadata,
  Message,
  PartitionerArgs,
  Producer,
} from 'kafkajs';
import kafkajs from 'kafkajs';
import { errorDetails, type Logger, silentLogger } from '../core/logger.ts';
import { createKafka } from './kafkajs.ts';
import { notePortBuilt } from './ports-built.ts';
import type { KafkaProducerPort } from './producer-port.ts';
import type { OutgoingRecord, RecordMetadata } from './records.ts';
import {
  chunkRecords,
  type Failure,
  offsetsInOrder,
  PRODUCER_STATE_ERRORS,
  partitionSlot,
  retryWithinWindow,
  sendChunks,
  TOPIC_ERRORS,
} from './send-support.ts';

/** Re-exported for callers and tests that import it from here. */
export { chunkRecords };

const { CompressionTypes, Partitioners } = kafkajs;

export type Compression = 'snappy' | 'gzip' | 'none';

export interface KafkajsProducerOptions {
  /** A client from `createKafka`; when absent one is created from `brokers`. */
  readonly kafka?: Kafka;
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  readonly logger?: Logger;
  /** Default `snappy`. */
  readonly compression?: Compression;
  /** 1 to 5 (idempotence allows no more); default 5. */
  readonly maxInFlightRequests?: number;
  /** How long retriable failures are retried before `send` rejects; default 30000 ms. */
  readonly retryWindowMs?: number;
  /** Upper bound of one `sendBatch` call's record bytes (keys, values, headers); default 900 KiB. */
  readonly maxBatchBytes?: number;
  /** Upper bound of one `sendBatch` call's record count; default 10000. */
  readonly maxBatchRecords?: number;
  /** How long the broker may wait for the in-sync replicas (produce request timeout); default 30000 ms. */
  readonly ackTimeoutMs?: number;
}

interface KafkajsErrorShape {
  readonly name?: string;
  readonly type?: string;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly originalError?: unknown;
}

/** kafkajs' retrier wraps the error that ended it in one of these, with the original as `cause`. */
const WRAPPERS = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

/**
 * The error that actually happened: kafkajs' retrier wraps it (`KafkaJSNumberOfRetriesExceeded`
 * when retries ran out; `KafkaJSNonRetriableError` when an inner retrier gave up, e.g. a
 * reconnect refused while the broker is down), sometimes twice.
 */
export function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const shape = current as KafkajsErrorShape | null;
    if (!shape || typeof shape !== 'object' || !WRAPPERS.has(shape.name ?? '')) return current;
    const inner = shape.cause ?? shape.originalError;
    if (inner === undefined || inner === null || inner === current || typeof inner !== 'object')
      return current;
    current = inner;
  }
  return current;
}

/** How to react to an error of one kafkajs `sendBatch` call. Pure: exported for unit tests. */
export function classifyKafkajsError(err: unknown): { failure: Failure; type: string | undefined } {
  const root = rootCause(err) as KafkajsErrorShape | null;
  const type = root?.type;
  if (type && PRODUCER_STATE_ERRORS.has(type)) return { failure: 'reset', type };
  if (type && TOPIC_ERRORS.has(type)) return { failure: 'retriable', type };
  const name = root?.name ?? '';
  if (
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSConnectionClosedError' ||
    name === 'KafkaJSRequestTimeoutError' ||
    name === 'KafkaJSMetadataNotLoaded' ||
    name === 'KafkaJSTopicMetadataNotLoaded' ||
    name === 'KafkaJSBrokerNotFound' ||
    name === 'KafkaJSLockTimeout' ||
    name === 'KafkaJSStaleTopicMetadataAssignment'
  ) {
    return { failure: 'retriable', type: type ?? name };
  }
  if (root?.retriable === true) return { failure: 'retriable', type: type ?? name };
  return { failure: 'refused', type: type ?? name };
}

/** kafkajs' header map. kafkajs only reads it; the cast drops `readonly` from the array type. */
function toKafkajsHeaders(headers: OutgoingRecord['headers']): IHeaders {
  return headers as IHeaders;
}

export function createKafkajsProducer(options: KafkajsProducerOptions): KafkaProducerPort {
  notePortBuilt('kafkajs', 'producer');
  return new KafkajsProducer(options);
}

class KafkajsProducer implements KafkaProducerPort {
  readonly #kafka: Kafka;
  readonly #log: Logger;
  readonly #compression: CompressionType;
  readonly #maxInFlight: number;
  readonly #retryWindowMs: number;
  readonly #maxBatchBytes: number;
  readonly #maxBatchRecords: number;
  readonly #ackTimeoutMs: number;
  /** Where the partitioner put each message object of a call (messages are fresh objects per call). */
  readonly #partitionOf = new WeakMap<Message, number>();
  #producer: Producer;
  #generation = 0;
  #connected: Promise<void> | undefined;
  #closing = false;

  constructor(options: KafkajsProducerOptions) {
    this.#log = options.logger ?? silentLogger;
    this.#kafka =
      options.kafka ??
      createKafka({
        brokers: options.brokers ?? [],
        clientId: options.clientId ?? 'contract-events-producer',
        ...(options.logger ? { logger: options.logger } : {}),
      });
    const compression = options.compression ?? 'snappy';
    this.#compression =
      compression === 'snappy'
        ? CompressionTypes.Snappy
        : compression === 'gzip'
          ? CompressionTypes.GZIP
          : CompressionTypes.None;
    this.#maxInFlight = options.maxInFlightRequests ?? 5;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1 || this.#maxInFlight > 5) {
      throw new Error(
        `maxInFlightRequests must be 1 to 5 for an idempotent producer, got ${options.maxInFlightRequests}`,
      );
    }
    this.#retryWindowMs = options.retryWindowMs ?? 30_000;
    this.#maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.#maxBatchRecords = options.maxBatchRecords ?? 10_000;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#producer = this.#newProducer();
  }

  #newProducer(): Producer {
    const partitionOf = this.#partitionOf;
    return this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: this.#maxInFlight,
      allowAutoTopicCreation: false,
      // Bounded on purpose: `send` retries whole chunks across the failover window itself.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args: PartitionerArgs) => {
          const chosen = partition(args);
          partitionOf.set(args.message, chosen);
          return chosen;
        };
      },
    });
  }

  connect(): Promise<void> {
    this.#closing = false;
    if (!this.#connected) {
      const producer = this.#producer;
      this.#connected = producer.connect().catch((err: unknown) => {
        this.#connected = undefined;
        throw err;
      });
    }
    return this.#connected;
  }

  async disconnect(): Promise<void> {
    this.#closing = true;
    this.#connected = undefined;
    await this.#producer.disconnect();
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const chunks = chunkRecords(records, this.#maxBatchBytes, this.#maxBatchRecords);
    return sendChunks(chunks, (chunk) => this.#sendWithRetry(chunk));
  }

  #sendWithRetry(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    let generation = this.#generation;
    return retryWithinWindow(
      records,
      {
        retryWindowMs: this.#retryWindowMs,
        log: this.#log,
        isClosing: () => this.#closing,
        classify: classifyKafkajsError,
        details: (err) => errorDetails(rootCause(err)),
        reset: () => this.#reset(generation),
      },
      async () => {
        generation = this.#generation;
        await this.connect();
        return this.#sendOnce(records);
      },
    );
  }

  /** Replaces the kafkajs producer (a new producer id, sequences from 0) unless another call already did. */
  async #reset(generation: number): Promise<void> {
    if (generation !== this.#generation || this.#closing) return;
    this.#generation++;
    const old = this.#producer;
    this.#producer = this.#newProducer();
    this.#connected = undefined;
    this.#log.warn('replacing the idempotent Kafka producer after it lost its producer state');
    await old.disconnect().catch(() => {});
  }

  async #sendOnce(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    const byTopic = new Map<string, { messages: Message[]; indexes: number[] }>();
    const messages: Message[] = records.map((r, i) => {
      const message: Message = { key: r.key, value: r.value, headers: toKafkajsHeaders(r.headers) };
      if (r.partition !== undefined) message.partition = r.partition;
      let group = byTopic.get(r.topic);
      if (!group) {
        group = { messages: [], indexes: [] };
        byTopic.set(r.topic, group);
      }
      group.messages.push(message);
      group.indexes.push(i);
      return message;
    });
    const response = await this.#producer.sendBatch({
      acks: -1,
      timeout: this.#ackTimeoutMs,
      compression: this.#compression,
      topicMessages: [...byTopic].map(([topic, group]) => ({ topic, messages: group.messages })),
    });
    return mapResults(records, messages, response, this.#partitionOf);
  }
}

/** Input-order metadata from kafkajs' per-partition base offsets. Pure: exported for unit tests. */
export function mapResults(
  records: readonly OutgoingRecord[],
  messages: readonly Message[],
  response: readonly KafkajsRecordMetadata[],
  partitionOf: WeakMap<Message, number>,
): RecordMetadata[] {
  const base = new Map<string, bigint>();
  for (const r of response) {
    if (r.baseOffset !== undefined) base.set(partitionSlot(r.topicName, r.partition), BigInt(r.baseOffset));
  }
  return offsetsInOrder(
    records,
    messages.map((m) => partitionOf.get(m)),
    base,
    'kafkajs',
  );
}
