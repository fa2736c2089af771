/**
 * `KafkaProducerPort` on @platformatic/kafka (pure JavaScript, no native addon).
 *
 * The same guarantees as the kafkajs adapter (kafkajs-producer.ts):
 * - Idempotent producer, acks=all (-1), at most 5 requests in flight per
 *   connection, Snappy compression by default (the library's own WASM codec).
 * - Keys are partitioned as the Java client does (`partitionForKey` in murmur2.ts:
 *   `toPositive(murmur2(key)) % partitions`). The library's default partitioner is
 *   `murmur2 >>> 0`, which differs for every negative hash, so this adapter never
 *   lets it choose: it reads the topics' partition counts (the library caches its
 *   metadata) and sends every record with its partition set. Records without a key
 *   go round-robin per topic, as kafkajs does.
 * - One `send` = records cut into chunks (`maxBatchBytes` / `maxBatchRecords`), sent
 *   one after another; results in input order from each partition's base offset.
 * - Retriable failures are retried for `retryWindowMs` (30 s, as the kafkajs adapter,
 *   for the same KRaft failover reason) with the library's own retries bounded inside
 *   each call. The library re-initialises its producer id itself after an error of an
 *   idempotent send. Whatever fails is rejected as a `KafkaSendError`.
 */
import {
  type ClusterMetadata,
  findErrorBy,
  type MessageToProduce,
  ProduceAcks,
  Producer,
} from '@platformatic/kafka';
import { errorDetails, type Logger, silentLogger } from '../core/logger.ts';
import type { Compression } from './kafkajs-producer.ts';
import { partitionForKey } from './murmur2.ts';
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

export interface PlatformaticProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly logger?: Logger;
  /** Default `snappy`. */
  readonly compression?: Compression;
  /** How long retriable failures are retried before `send` rejects; default 30000 ms. */
  readonly retryWindowMs?: number;
  /** Upper bound of one chunk's record bytes (keys, values, headers); default 900 KiB. */
  readonly maxBatchBytes?: number;
  /** Upper bound of one chunk's record count; default 10000. */
  readonly maxBatchRecords?: number;
  /** How long the broker may wait for the in-sync replicas (produce request timeout); default 30000 ms. */
  readonly ackTimeoutMs?: number;
  /** TCP connect timeout per broker; default 3000 ms. */
  readonly connectionTimeoutMs?: number;
}

type BufferProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
type BufferMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const UNKNOWN_TOPIC = /^Unknown topic /;

/** How to react to an error of one @platformatic/kafka call. Pure: exported for unit tests. */
export function classifyPlatformaticError(err: unknown): { failure: Failure; type: string | undefined } {
  if (!(err instanceof Error)) return { failure: 'refused', type: undefined };
  // The library's metadata call turns UNKNOWN_TOPIC_OR_PARTITION into a bare UserError (no
  // cause, no code but PLT_KFK_USER, canRetry false) whose message is all that says so.
  if (findErrorBy(err, 'code', 'PLT_KFK_USER') && UNKNOWN_TOPIC.test(err.message)) {
    return { failure: 'retriable', type: 'UNKNOWN_TOPIC_OR_PARTITION' };
  }
  for (const type of TOPIC_ERRORS) {
    if (findErrorBy(err, 'apiId', type)) return { failure: 'retriable', type };
  }
  // The library drops its producer id and sequences after any failed idempotent send and
  // initialises a new one on the next: retrying is the reset.
  for (const type of PRODUCER_STATE_ERRORS) {
    if (findErrorBy(err, 'apiId', type)) return { failure: 'retriable', type };
  }
  const protocol = findErrorBy(err, 'code', 'PLT_KFK_PROTOCOL');
  const apiId = typeof protocol?.apiId === 'string' ? protocol.apiId : undefined;
  const code = (err as { code?: unknown }).code;
  const type = apiId ?? (typeof code === 'string' ? code : err.name);
  // Not reaching the cluster (connection refused or lost, timeouts, which the library codes as
  // network errors too, a closed pool while closing) is never the records' fault, whatever
  // `canRetry` says; a closing producer stops retrying in `retryWithinWindow`.
  if (findErrorBy(err, 'code', 'PLT_KFK_NETWORK')) return { failure: 'retriable', type };
  if (findErrorBy(err, 'code', 'PLT_KFK_USER') || findErrorBy(err, 'canRetry', false)) {
    return { failure: 'refused', type };
  }
  return { failure: 'retriable', type };
}

/**
 * The library's message, with the Kafka error under it: its produce errors say only
 * "Producing messages failed." and keep the broker's answer (e.g. MESSAGE_TOO_LARGE) nested.
 */
export function describePlatformaticError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const protocol = findErrorBy(err, 'code', 'PLT_KFK_PROTOCOL');
  if (protocol && protocol !== err) return `${err.message} (${String(protocol.apiId)}: ${protocol.message})`;
  return err.message;
}

/**
 * A header name already encoded, and the last value sent under it with its bytes: the same few
 * names (the CloudEvents envelope, trace context) are on every record, and most of their values
 * (type, source, spec and schema version, content type, the time within one millisecond, a key's
 * subject) repeat from one record to the next. The library only reads these buffers.
 */
interface HeaderSlot {
  readonly name: Buffer;
  lastText: string;
  lastBytes: Buffer;
}

const headerSlots = new Map<string, HeaderSlot>();
const MAX_CACHED_HEADER_NAMES = 1024;
const EMPTY = Buffer.alloc(0);

function headerSlot(name: string): HeaderSlot {
  let slot = headerSlots.get(name);
  if (slot === undefined) {
    slot = { name: Buffer.from(name, 'utf8'), lastText: '', lastBytes: EMPTY };
    if (headerSlots.size < MAX_CACHED_HEADER_NAMES) headerSlots.set(name, slot);
  }
  return slot;
}

function headerValue(slot: HeaderSlot, value: string | Buffer): Buffer {
  if (typeof value !== 'string') return value;
  if (value === slot.lastText) return slot.lastBytes;
  const bytes = Buffer.from(value, 'utf8');
  slot.lastText = value;
  slot.lastBytes = bytes;
  return bytes;
}

/**
 * Header values as bytes; a repeated header gets one Map entry per value, in order (the Map is
 * keyed by Buffer identity, so each repeat gets a key Buffer of its own).
 */
function toHeaders(headers: OutgoingRecord['headers']): Map<Buffer, Buffer> {
  const map = new Map<Buffer, Buffer>();
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const slot = headerSlot(name);
    if (!Array.isArray(value)) {
      map.set(slot.name, headerValue(slot, value as string | Buffer));
      continue;
    }
    let first = true;
    for (const v of value as readonly (string | Buffer)[]) {
      map.set(first ? slot.name : Buffer.from(name, 'utf8'), headerValue(slot, v));
      first = false;
    }
  }
  return map;
}

const toBytes = (value: string | Buffer | null): Buffer | undefined =>
  value === null ? undefined : typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

export function createPlatformaticProducer(options: PlatformaticProducerOptions): KafkaProducerPort {
  notePortBuilt('platformatic', 'producer');
  return new PlatformaticProducer(options);
}

class PlatformaticProducer implements KafkaProducerPort {
  readonly #options: PlatformaticProducerOptions;
  readonly #log: Logger;
  readonly #retryWindowMs: number;
  readonly #maxBatchBytes: number;
  readonly #maxBatchRecords: number;
  /** Next round-robin partition per topic for records without a key. */
  readonly #roundRobin = new Map<string, number>();
  #producer: BufferProducer | undefined;
  #connected: Promise<void> | undefined;
  #closing = false;

  constructor(options: PlatformaticProducerOptions) {
    if (options.brokers.length === 0) throw new Error('createPlatformaticProducer: no Kafka brokers given');
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#retryWindowMs = options.retryWindowMs ?? 30_000;
    this.#maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.#maxBatchRecords = options.maxBatchRecords ?? 10_000;
  }

  #client(): BufferProducer {
    if (this.#producer) return this.#producer;
    const o = this.#options;
    const ackTimeoutMs = o.ackTimeoutMs ?? 30_000;
    this.#producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      clientId: o.clientId ?? 'contract-events-producer',
      bootstrapBrokers: [...o.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      compression: o.compression ?? 'snappy',
      autocreateTopics: false,
      maxInflights: 5,
      connectTimeout: o.connectionTimeoutMs ?? 3000,
      // The produce request's own timeout (the broker's wait for the in-sync replicas) …
      timeout: ackTimeoutMs,
      // … and the client's wait for any response, a little longer.
      requestTimeout: ackTimeoutMs + 5000,
      // Bounded on purpose: `send` retries whole chunks across the failover window itself.
      retries: 3,
      retryDelay: 250,
      repeatOnStaleMetadata: true,
    });
    return this.#producer;
  }

  connect(): Promise<void> {
    this.#closing = false;
    if (!this.#connected) {
      this.#connected = this.#client()
        .metadata({ topics: [] })
        .then(
          () => {},
          (err: unknown) => {
            this.#connected = undefined;
            throw err;
          },
        );
    }
    return this.#connected;
  }

  async disconnect(): Promise<void> {
    this.#closing = true;
    this.#connected = undefined;
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.close();
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const chunks = chunkRecords(records, this.#maxBatchBytes, this.#maxBatchRecords);
    return sendChunks(chunks, (chunk) =>
      retryWithinWindow(
        chunk,
        {
          retryWindowMs: this.#retryWindowMs,
          log: this.#log,
          isClosing: () => this.#closing,
          classify: classifyPlatformaticError,
          describe: describePlatformaticError,
          details: errorDetails,
        },
        async () => {
          await this.connect();
          return this.#sendOnce(chunk);
        },
      ),
    );
  }

  async #sendOnce(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    const producer = this.#client();
    const topics = [...new Set(records.map((r) => r.topic))];
    const metadata = await producer.metadata({ topics, autocreateTopics: false });
    const partitions: number[] = new Array(records.length);
    const messages: BufferMessage[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      // The key is encoded once: for the record and for its partition.
      const key = toBytes(r.key);
      const partition = this.#partitionOf(r, key, metadata);
      partitions[i] = partition;
      const message: BufferMessage = { topic: r.topic, partition, headers: toHeaders(r.headers) };
      const value = toBytes(r.value);
      if (key !== undefined) message.key = key;
      if (value !== undefined) message.value = value;
      messages[i] = message;
    }
    const result = await producer.send({ messages });
    const base = new Map<string, bigint>();
    for (const o of result.offsets ?? []) base.set(partitionSlot(o.topic, o.partition), o.offset);
    return offsetsInOrder(records, partitions, base, '@platformatic/kafka');
  }

  #partitionOf(record: OutgoingRecord, key: Buffer | undefined, metadata: ClusterMetadata): number {
    if (record.partition !== undefined) return record.partition;
    const count = metadata.topics.get(record.topic)?.partitionsCount;
    if (count === undefined || count < 1) {
      throw new Error(`@platformatic/kafka returned no partitions for topic ${record.topic}`);
    }
    if (key !== undefined) return partitionForKey(key, count);
    const next = this.#roundRobin.get(record.topic) ?? Math.floor(Math.random() * count);
    this.#roundRobin.set(record.topic, (next + 1) % count);
    return next % count;
  }
}
