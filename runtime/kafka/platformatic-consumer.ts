/**
 * `KafkaConsumerPort` on @platformatic/kafka's `Consumer`: the only module of the consumer
 * side that imports that library.
 *
 * The library's `MessagesStream` hands out single messages, tracks its own fetch positions
 * (no seek) and leaves out the high watermark and timestamp type, so this adapter uses only
 * the library's group membership and its low-level calls, and runs its own fetch loop:
 *
 * - Membership: `classic` joins with `joinGroup` (the library heartbeats and rejoins on its own
 *   timer); `consumer` (KIP-848) joins through `consume()`, whose stream is parked unread (a
 *   stream nobody reads never fetches) and only keeps the subscription.
 * - Fetch: one Fetch request per leader per round for every assigned partition (the library's
 *   incremental fetch sessions), each partition from its own position; the records of a
 *   partition become one `PartitionBatch`, handled in offset order, up to
 *   `partitionsConsumedConcurrently` partitions at a time. Buffers are the response's slices.
 * - Offsets: autocommit off. After each round the acknowledged offset + 1 of every partition
 *   is committed in one OffsetCommit, sent while the next fetch goes out (commits go one at a
 *   time, in order, so a late one never moves a partition back). A partition's next fetch
 *   starts after its last acknowledged record: after an unacknowledged record the
 *   next fetch returns to that record (what kafkajs' `resolveOffset` does). A handler that
 *   throws is retried from its first unacknowledged record after a backoff (kafkajs restarts
 *   its consumer the same way). A partition new to the member starts at the group's committed
 *   offset, else at `startFrom` (earliest or latest); an offset out of range falls back the same way.
 * - Rebalances: every round is committed when it ends, so at a rebalance only the round in hand
 *   has anything uncommitted. Classic groups: when the library starts to rejoin, the batch's
 *   `isActive()` turns false and `heartbeat()` commits what it acknowledged and rejects, and the
 *   fetch loop waits for the commits in flight before it fetches again; the commit is accepted
 *   while the group prepares the rebalance. KIP-848 groups revoke
 *   partitions without waiting for the application: a batch of a revoked partition stops at
 *   once and its last acknowledged offsets are committed on a best-effort basis (a refused
 *   commit means records redelivered, never skipped).
 * - Pattern subscriptions: the library subscribes by name only, so a `RegExp` is resolved
 *   against the cluster's topics at start and again every `patternRefreshMs` (a new matching
 *   topic is added to the subscription; classic groups rejoin for it).
 * - `stop()`: the batch in hand finishes, its offsets are committed, the member leaves the
 *   group (the library always sends the leave, static members included) and disconnects.
 */
import {
  Admin,
  type ClusterMetadata,
  Consumer,
  type ConsumerOptions,
  consumerGroupChannel,
  type fetchV17,
  findErrorBy,
  ListOffsetTimestamps,
  type MessagesStream,
} from '@platformatic/kafka';
import type { ConsumerMemberState, ConsumerStatus } from '../contract/events.ts';
import { backoffMs } from '../core/backoff.ts';
import { errorDetails } from '../core/logger.ts';
import { sleep } from '../core/sleep.ts';
import type { BatchHandler, KafkaConsumerPort, PartitionBatch, TopicSubscription } from './consumer-port.ts';
import type { ConsumerLogLevel } from './kafkajs-consumer.ts';
import { memberStatus } from './member-status.ts';
import { describePlatformaticError } from './platformatic-producer.ts';
import { recordsOfPartition, resolveSubscription } from './platformatic-records.ts';
import { notePortBuilt } from './ports-built.ts';

/** Between subscribe attempts while a just-created topic's metadata spreads: 100 ms doubling to 1 s. */
const SUBSCRIBE_BACKOFF = { initialMs: 100, maxMs: 1000 };
/** Between retries of a failed fetch round or a failed batch: 200 ms doubling to 5 s, ±20 %. */
const RETRY_BACKOFF = { initialMs: 200, maxMs: 5000, jitter: 0.2 };

/**
 * Bytes fetched per partition in one round unless `maxBytesPerPartition` says otherwise (Kafka
 * still returns a whole record batch that is larger). A round's records are decoded at once, so
 * this bounds the consumer's memory: draining a backlog of 1M events (`npm run bench -- --only
 * memory`), peak RSS was 1,105 MB at 1 MiB, 503 MB at 256 KiB and 445 MB at 128 KiB, at the same
 * throughput.
 */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 256 * 1024;

export interface PlatformaticConsumerOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly groupId: string;
  /** Where a group without committed offsets starts; default `earliest`. */
  readonly startFrom?: 'earliest' | 'latest';
  /** Partitions handled at the same time (each in order); default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** Group session timeout (classic protocol; KIP-848 takes the broker's); default 30 000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Default 3 000 ms (classic protocol; KIP-848 takes the interval the broker sends). */
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new records (also bounds how long `stop()` waits for an idle fetch); default 1 000 ms. */
  readonly maxWaitTimeMs?: number;
  /** Static membership (KIP-345): a restarted member with the same id takes its partitions back without a rebalance. */
  readonly groupInstanceId?: string;
  /** `classic` (default) or `consumer` (KIP-848, brokers 4.0 and later). */
  readonly groupProtocol?: 'classic' | 'consumer';
  /** How often pattern subscriptions look for new matching topics; default 5 000 ms. */
  readonly patternRefreshMs?: number;
  /** Most bytes fetched per partition per round; default `DEFAULT_MAX_BYTES_PER_PARTITION` (256 KiB). */
  readonly maxBytesPerPartition?: number;
  /** TCP connect timeout per broker; default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout; default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly log?: (level: ConsumerLogLevel, message: string, details?: Record<string, unknown>) => void;
}

type BufferConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
type FetchRequestTopic = fetchV17.FetchRequestTopic;
type FetchResponse = fetchV17.FetchResponse;

const slot = (topic: string, partition: number) => `${topic}\u0000${partition}`;

interface Assigned {
  readonly topic: string;
  readonly partition: number;
}

/** Whether the library (or the broker behind it) says a topic does not exist (yet). */
function isUnknownTopic(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (findErrorBy(err, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION')) return true;
  return /unknown topic/i.test(err.message);
}

class PlatformaticConsumerPort implements KafkaConsumerPort {
  readonly #options: PlatformaticConsumerOptions;
  readonly #log: NonNullable<PlatformaticConsumerOptions['log']>;
  readonly #stopSignal = new AbortController();
  #consumer: BufferConsumer | undefined;
  #admin: Admin | undefined;
  #parked: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopping = false;
  #state: { state: ConsumerMemberState; since: number; error?: string } = {
    state: 'starting',
    since: Date.now(),
  };
  #lastContactAt: number | undefined;
  /** Bumped whenever the assignment may have changed (a rejoin started, a new assignment seen). */
  #epoch = 0;
  #rejoining = false;
  #assignmentKey = '';
  #assigned = new Set<string>();
  /** Next offset to fetch per partition. */
  readonly #positions = new Map<string, bigint>();
  /** Acknowledged offset + 1 per partition, not yet committed. */
  readonly #pending = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** The last commit sent (settled or not; never rejects): the next one waits for it. */
  #committing: Promise<void> = Promise.resolve();
  #subscriptions: readonly TopicSubscription[] = [];
  #topics: string[] = [];
  #patternCheckedAt = 0;

  constructor(options: PlatformaticConsumerOptions) {
    if (options.brokers.length === 0) throw new Error('createPlatformaticConsumer: no Kafka brokers given');
    this.#options = options;
    this.#log = options.log ?? (() => {});
  }

  get #groupId(): string {
    return this.#options.groupId;
  }

  #enter(state: ConsumerMemberState, error?: string): void {
    if (this.#state.state === 'stopped') return;
    if (this.#state.state === state && error === undefined) return;
    this.#state = { state, since: Date.now(), ...(error !== undefined ? { error } : {}) };
  }

  #contact(): void {
    this.#lastContactAt = Date.now();
  }

  #create(): BufferConsumer {
    const o = this.#options;
    const base = {
      clientId: o.clientId ?? 'contract-events-consumer',
      bootstrapBrokers: [...o.brokers],
      groupId: o.groupId,
      autocommit: false,
      autocreateTopics: false,
      maxWaitTime: o.maxWaitTimeMs ?? 1000,
      minBytes: 1,
      maxBytes: 10 * 1024 * 1024,
      maxBytesPerPartition: o.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      connectTimeout: o.connectionTimeoutMs ?? 3000,
      timeout: o.requestTimeoutMs ?? 30_000,
      retries: 3,
      retryDelay: 250,
      ...(o.groupInstanceId !== undefined ? { groupInstanceId: o.groupInstanceId } : {}),
    };
    const options: ConsumerOptions<Buffer, Buffer, Buffer, Buffer> =
      o.groupProtocol === 'consumer'
        ? { ...base, groupProtocol: 'consumer' }
        : {
            ...base,
            sessionTimeout: o.sessionTimeoutMs ?? 30_000,
            heartbeatInterval: o.heartbeatIntervalMs ?? 3000,
            rebalanceTimeout: Math.max(60_000, o.sessionTimeoutMs ?? 30_000),
          };
    return new Consumer<Buffer, Buffer, Buffer, Buffer>(options);
  }

  async start(topics: readonly TopicSubscription[], handle: BatchHandler): Promise<void> {
    if (this.#consumer) throw new Error(`consumer of group ${this.#groupId} already started`);
    const consumer = this.#create();
    this.#consumer = consumer;
    this.#subscriptions = topics;
    this.#watch(consumer);
    try {
      this.#topics = await this.#resolveTopics();
      await this.#waitForTopics(this.#topics);
      if (this.#stopping)
        throw new Error(`consumer of group ${this.#groupId} stopped before it joined the group`);
      await this.#join(this.#topics);
      if (this.#stopping)
        throw new Error(`consumer of group ${this.#groupId} stopped before it joined the group`);
    } catch (err) {
      this.#enter(this.#stopping ? 'stopped' : 'failed', err instanceof Error ? err.message : String(err));
      await this.#close();
      throw err;
    }
    this.#enter('joined');
    this.#contact();
    this.#log('info', `joined consumer group ${this.#groupId}`, {
      memberId: consumer.memberId,
      groupInstanceId: this.#options.groupInstanceId,
      protocol: this.#options.groupProtocol ?? 'classic',
      topics: this.#topics,
    });
    this.#loop = this.#run(consumer, handle);
  }

  /** Library events and its join tracing drive `status()` and the staleness of batches. */
  #watch(consumer: BufferConsumer): void {
    consumer.on('consumer:heartbeat:end', () => this.#contact());
    consumer.on('consumer:group:join', () => {
      this.#rejoining = false;
      this.#contact();
      this.#enter('joined');
    });
    consumer.on('consumer:group:rebalance', () => {
      this.#epoch++;
      this.#enter('rebalancing');
    });
    consumer.on('consumer:heartbeat:error', ({ error }) => {
      this.#log('warn', `heartbeat of consumer group ${this.#groupId} failed`, { error: error.message });
    });
    consumer.on('consumer:heartbeat:stalled', ({ stalledFor, lastError }) => {
      this.#log('warn', `heartbeats of consumer group ${this.#groupId} stalled`, {
        stalledFor,
        error: lastError?.message,
      });
    });
    consumer.on('error', (error: Error) => {
      if (this.#stopping) return;
      this.#log('error', `consumer of group ${this.#groupId} lost its membership; rejoining`, {
        error: describePlatformaticError(error),
      });
      this.#enter('restarting', describePlatformaticError(error));
    });
    // A classic member learns of a rebalance when a heartbeat fails and the library rejoins at
    // once; the tracing channel of its group calls is the only place that says so.
    const onStart = (context: { client?: unknown; operation?: unknown }) => {
      if (context.client !== consumer || context.operation !== 'joinGroup') return;
      this.#rejoining = true;
      this.#epoch++;
      if (this.#state.state === 'joined') this.#enter('rebalancing');
    };
    const subscribers = { start: onStart as (message: unknown) => void };
    consumerGroupChannel.subscribe(subscribers as Parameters<typeof consumerGroupChannel.subscribe>[0]);
    this.#unsubscribe = () =>
      consumerGroupChannel.unsubscribe(subscribers as Parameters<typeof consumerGroupChannel.unsubscribe>[0]);
  }

  async #resolveTopics(): Promise<string[]> {
    if (this.#subscriptions.every((s) => typeof s === 'string'))
      return resolveSubscription(this.#subscriptions, []);
    this.#admin ??= new Admin({
      clientId: `${this.#options.clientId ?? 'contract-events-consumer'}-topics`,
      bootstrapBrokers: [...this.#options.brokers],
      connectTimeout: this.#options.connectionTimeoutMs ?? 3000,
      retries: 3,
      retryDelay: 250,
    });
    this.#patternCheckedAt = Date.now();
    return resolveSubscription(this.#subscriptions, await this.#admin.listTopics());
  }

  /** Waits out a topic created a moment ago that the broker does not serve yet, up to `patienceMs`. */
  async #waitForTopics(topics: readonly string[], patienceMs = 10_000): Promise<void> {
    if (topics.length === 0) return;
    const consumer = this.#consumer!;
    const deadline = Date.now() + patienceMs;
    for (let failures = 1; ; failures++) {
      const delay = backoffMs(SUBSCRIBE_BACKOFF, failures);
      try {
        await consumer.metadata({ topics: [...topics], autocreateTopics: false, forceUpdate: failures > 1 });
        return;
      } catch (err) {
        if (!isUnknownTopic(err) || Date.now() + delay > deadline || this.#stopping) throw err;
        await sleep(delay, this.#stopSignal.signal);
      }
    }
  }

  async #join(topics: readonly string[]): Promise<void> {
    const consumer = this.#consumer!;
    if (this.#options.groupProtocol === 'consumer') {
      const stream = await consumer.consume({
        topics: [...topics],
        autocommit: false,
        mode: 'committed',
        fallbackMode: this.#options.startFrom ?? 'earliest',
        highWaterMark: 1,
      });
      // The stream only holds the subscription and never fetches while nobody reads it; the
      // library resumes streams after a revocation, which would start a fetch loop nobody reads.
      stream.pause();
      Object.defineProperty(stream, 'resume', { configurable: true, value: () => stream });
      this.#parked = stream;
      const deadline = Date.now() + 60_000;
      for (let failures = 1; !consumer.isActive(); failures++) {
        if (this.#stopping) return;
        if (Date.now() > deadline)
          throw new Error(`consumer of group ${this.#groupId} did not join within 60 s`);
        await sleep(backoffMs(SUBSCRIBE_BACKOFF, failures), this.#stopSignal.signal);
      }
      return;
    }
    consumer.topics.trackAll(...topics);
    await consumer.joinGroup({});
  }

  /** Adds topics newly matching a pattern subscription. */
  async #refreshPatterns(consumer: BufferConsumer): Promise<void> {
    const refreshMs = this.#options.patternRefreshMs ?? 5000;
    if (!this.#admin || Date.now() - this.#patternCheckedAt < refreshMs) return;
    const topics = await this.#resolveTopics();
    const added = topics.filter((t) => !this.#topics.includes(t));
    if (added.length === 0) return;
    await this.#waitForTopics(added);
    this.#topics = topics;
    this.#log('info', `consumer group ${this.#groupId} subscribes to new matching topics`, { topics: added });
    consumer.topics.trackAll(...added);
    // KIP-848 members send their subscription with the next heartbeat; classic members rejoin.
    if (this.#options.groupProtocol !== 'consumer') await consumer.joinGroup({});
  }

  /** The member's current partitions; on a change, positions of new partitions from the group's commits. */
  async #syncAssignment(consumer: BufferConsumer): Promise<Assigned[]> {
    const assignments = consumer.assignments ?? [];
    const list: Assigned[] = [];
    for (const a of assignments) for (const p of a.partitions) list.push({ topic: a.topic, partition: p });
    list.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const key = list.map((a) => slot(a.topic, a.partition)).join(',');
    if (key === this.#assignmentKey) return list;
    this.#epoch++;
    this.#assignmentKey = key;
    this.#assigned = new Set(list.map((a) => slot(a.topic, a.partition)));
    for (const s of [...this.#positions.keys()]) if (!this.#assigned.has(s)) this.#positions.delete(s);
    const fresh = list.filter((a) => !this.#positions.has(slot(a.topic, a.partition)));
    if (fresh.length > 0) await this.#seekToCommitted(consumer, fresh);
    this.#log('info', `consumer group ${this.#groupId} assignment`, {
      partitions: list.map((a) => `${a.topic}:${a.partition}`),
    });
    return list;
  }

  async #seekToCommitted(consumer: BufferConsumer, partitions: readonly Assigned[]): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions)
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    const committed = await consumer.listCommittedOffsets({
      topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })),
    });
    const missing = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      const offset = committed.get(topic)?.[partition];
      if (offset !== undefined && offset >= 0n) this.#positions.set(slot(topic, partition), offset);
      else missing.set(topic, [...(missing.get(topic) ?? []), partition]);
    }
    if (missing.size > 0) await this.#seekToStart(consumer, missing);
  }

  /** `startFrom` for partitions without a usable offset (none committed, or out of range). */
  async #seekToStart(consumer: BufferConsumer, partitions: ReadonlyMap<string, number[]>): Promise<void> {
    const offsets = await consumer.listOffsets({
      topics: [...partitions.keys()],
      partitions: Object.fromEntries(partitions),
      timestamp:
        (this.#options.startFrom ?? 'earliest') === 'earliest'
          ? ListOffsetTimestamps.EARLIEST
          : ListOffsetTimestamps.LATEST,
    });
    for (const [topic, ps] of partitions) {
      for (const partition of ps) {
        const offset = offsets.get(topic)?.[partition];
        if (offset === undefined || offset < 0n) {
          throw new Error(
            `consumer of group ${this.#groupId}: no start offset for ${topic} partition ${partition}`,
          );
        }
        this.#positions.set(slot(topic, partition), offset);
      }
    }
  }

  async #run(consumer: BufferConsumer, handle: BatchHandler): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      try {
        await this.#refreshPatterns(consumer);
        const assigned = await this.#syncAssignment(consumer);
        if (this.#stopping) break;
        // KIP-848 members get no join event after a reassignment: a settled assignment is joined again.
        if (this.#state.state === 'rebalancing' && !this.#rejoining) this.#enter('joined');
        if (assigned.length === 0 || this.#rejoining) {
          await this.#committing;
          await sleep(Math.min(200, this.#options.maxWaitTimeMs ?? 1000), this.#stopSignal.signal);
          continue;
        }
        const batches = await this.#fetchRound(consumer, assigned);
        this.#contact();
        const failed = await this.#handleAll(batches, handle);
        // The round's acknowledgements go in one OffsetCommit, while the next fetch is sent.
        this.#commit().catch((err: unknown) => {
          this.#log(
            'warn',
            `consumer group ${this.#groupId}: committing after a round failed; it is retried with the next round, and records after the last commit are redelivered if the member stops first`,
            { error: describePlatformaticError(err) },
          );
        });
        if (failed === undefined) {
          failures = 0;
          if (this.#state.state === 'restarting') this.#enter('joined');
          continue;
        }
        failures++;
        this.#enter('restarting', failed.message);
        await sleep(backoffMs(RETRY_BACKOFF, failures), this.#stopSignal.signal);
      } catch (err) {
        if (this.#stopping) break;
        failures++;
        this.#log('warn', `consumer of group ${this.#groupId}: fetch round failed; retrying`, {
          failures,
          error: describePlatformaticError(err),
        });
        if (failures > 2) this.#enter('restarting', describePlatformaticError(err));
        consumer.clearMetadata();
        await sleep(backoffMs(RETRY_BACKOFF, failures), this.#stopSignal.signal);
        await this.#rejoinIfLost(consumer);
      }
    }
  }

  /** A classic member whose rejoin failed for good (the library gave up) joins again. */
  async #rejoinIfLost(consumer: BufferConsumer): Promise<void> {
    if (this.#stopping || this.#options.groupProtocol === 'consumer' || this.#rejoining) return;
    if (consumer.memberId !== null && consumer.isActive()) return;
    try {
      await consumer.joinGroup({});
    } catch (err) {
      this.#log('warn', `consumer of group ${this.#groupId}: rejoining failed`, errorDetails(err));
    }
  }

  /** One Fetch per leader for every assigned partition; the records of each partition as one batch. */
  async #fetchRound(consumer: BufferConsumer, assigned: readonly Assigned[]): Promise<PartitionBatch[]> {
    const metadata: ClusterMetadata = await consumer.metadata({
      topics: this.#topics,
      autocreateTopics: false,
    });
    const requests = new Map<number, Map<string, FetchRequestTopic>>();
    const topicNames = new Map<string, string>();
    const maxBytes = this.#options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
    for (const { topic, partition } of assigned) {
      const meta = metadata.topics.get(topic);
      const leader = meta?.partitions[partition]?.leader;
      const position = this.#positions.get(slot(topic, partition));
      if (!meta || leader === undefined || leader < 0 || position === undefined) continue;
      topicNames.set(meta.id, topic);
      let byTopic = requests.get(leader);
      if (!byTopic) {
        byTopic = new Map();
        requests.set(leader, byTopic);
      }
      let request = byTopic.get(meta.id);
      if (!request) {
        request = { topicId: meta.id, partitions: [] };
        byTopic.set(meta.id, request);
      }
      request.partitions.push({
        partition,
        fetchOffset: position,
        partitionMaxBytes: maxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
    }
    const responses = await Promise.all(
      [...requests].map(([node, byTopic]) => this.#fetchFrom(consumer, node, [...byTopic.values()])),
    );
    const batches: PartitionBatch[] = [];
    for (const response of responses) {
      if (!response) continue;
      for (const topicResponse of response.responses) {
        const topic = topicNames.get(topicResponse.topicId) ?? topicResponse.topicId;
        for (const p of topicResponse.partitions) {
          const key = slot(topic, p.partitionIndex);
          const from = this.#positions.get(key);
          if (p.errorCode !== 0 || from === undefined) continue;
          const { records, next } = recordsOfPartition(topic, p.partitionIndex, p.records, from);
          if (records.length === 0) {
            // Control batches only: nothing to hand over, but the position moves past them.
            if (next > from) this.#positions.set(key, next);
            continue;
          }
          batches.push({
            topic,
            partition: p.partitionIndex,
            highWatermark: p.highWatermark.toString(),
            records,
          });
        }
      }
    }
    return batches;
  }

  /** A node's fetch; offsets out of range restart at `startFrom`, and the round goes on without them. */
  async #fetchFrom(
    consumer: BufferConsumer,
    node: number,
    topics: FetchRequestTopic[],
  ): Promise<FetchResponse | undefined> {
    try {
      return await consumer.fetch({ node, topics, maxWaitTime: this.#options.maxWaitTimeMs ?? 1000 });
    } catch (err) {
      if (!(err instanceof Error) || !findErrorBy(err, 'apiId', 'OFFSET_OUT_OF_RANGE')) throw err;
      const response = (err as Error & { response?: FetchResponse }).response;
      const reset = new Map<string, number[]>();
      const names = new Map<string, string>();
      const meta = await consumer.metadata({ topics: this.#topics, autocreateTopics: false });
      for (const [name, t] of meta.topics) names.set(t.id, name);
      for (const t of response?.responses ?? []) {
        const topic = names.get(t.topicId) ?? t.topicId;
        for (const p of t.partitions) {
          if (p.errorCode !== 0) reset.set(topic, [...(reset.get(topic) ?? []), p.partitionIndex]);
        }
      }
      this.#log(
        'warn',
        `consumer group ${this.#groupId}: fetch offsets out of range; restarting at ${this.#options.startFrom ?? 'earliest'}`,
        {
          partitions: [...reset].flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)),
        },
      );
      await this.#seekToStart(consumer, reset);
      return response;
    }
  }

  /** Handles the batches of a round, `partitionsConsumedConcurrently` at a time; the first error, if any. */
  async #handleAll(batches: readonly PartitionBatch[], handle: BatchHandler): Promise<Error | undefined> {
    let next = 0;
    let failed: Error | undefined;
    const worker = async () => {
      while (next < batches.length && !this.#stopping) {
        const batch = batches[next++]!;
        const error = await this.#handleOne(batch, handle);
        failed ??= error;
      }
    };
    const width = Math.max(1, Math.min(this.#options.partitionsConsumedConcurrently ?? 1, batches.length));
    await Promise.all(Array.from({ length: width }, worker));
    return failed;
  }

  async #handleOne(batch: PartitionBatch, handle: BatchHandler): Promise<Error | undefined> {
    const { topic, partition } = batch;
    const key = slot(topic, partition);
    const epoch = this.#epoch;
    const first = BigInt(batch.records[0]!.offset);
    const last = BigInt(batch.records[batch.records.length - 1]!.offset);
    let acknowledged: bigint | undefined;
    const active = () =>
      !this.#stopping && !this.#rejoining && this.#epoch === epoch && this.#stillAssigned(topic, partition);
    let error: Error | undefined;
    try {
      await handle(batch, {
        isActive: active,
        heartbeat: async () => {
          if (active()) return;
          await this.#commit();
          throw new Error(
            `consumer group ${this.#groupId} is ${this.#stopping ? 'stopping' : 'rebalancing'}: batch of ${topic} partition ${partition} ends`,
          );
        },
        acknowledge: (offset) => {
          const o = BigInt(offset);
          if (o < first || o > last) return;
          if (acknowledged !== undefined && o <= acknowledged) return;
          acknowledged = o;
          this.#pending.set(key, { topic, partition, offset: o + 1n });
        },
        commit: () => this.#commit(),
      });
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
      if (active()) {
        this.#log(
          'error',
          `handler of group ${this.#groupId} failed on ${topic} partition ${partition}; retrying from its first unacknowledged record`,
          {
            error: error.message,
            acknowledgedThrough: acknowledged?.toString(),
          },
        );
      }
    }
    // The next fetch of this partition starts after the last acknowledged record, or at the first
    // record again when none was: unacknowledged records are fetched and handed over again. (A
    // partition the member lost loses its position at the next assignment check.)
    if (this.#positions.has(key)) {
      this.#positions.set(key, acknowledged !== undefined ? acknowledged + 1n : first);
    }
    return error && this.#epoch === epoch ? error : undefined;
  }

  #stillAssigned(topic: string, partition: number): boolean {
    for (const a of this.#consumer?.assignments ?? []) {
      if (a.topic === topic && a.partitions.includes(partition)) return true;
    }
    return false;
  }

  /**
   * Commits every acknowledged, uncommitted offset (acknowledged + 1) in one OffsetCommit, after
   * the commit before it settled: commits never overlap, so one that failed has put its offsets
   * back before the next takes what is pending, and a partition's committed offset only grows.
   */
  #commit(): Promise<void> {
    const commit = this.#committing.then(() => this.#commitPending());
    this.#committing = commit.then(
      () => {},
      () => {},
    );
    return commit;
  }

  async #commitPending(): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer || this.#pending.size === 0) return;
    const offsets = [...this.#pending.values()];
    this.#pending.clear();
    try {
      await consumer.commit({
        offsets: offsets.map(({ topic, partition, offset }) => ({
          topic,
          partition,
          offset,
          leaderEpoch: -1,
        })),
      });
      this.#contact();
    } catch (err) {
      // Put back what was not committed unless a later acknowledgement replaced it.
      for (const o of offsets) {
        const key = slot(o.topic, o.partition);
        if (!this.#pending.has(key)) this.#pending.set(key, o);
      }
      throw err;
    }
  }

  status(): ConsumerStatus {
    return memberStatus(this.#state, this.#lastContactAt, this.#options.sessionTimeoutMs ?? 30_000);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopSignal.abort();
    await this.#loop;
    try {
      await this.#commit();
    } catch (err) {
      this.#log('warn', `consumer group ${this.#groupId}: the last commit before leaving failed`, {
        error: describePlatformaticError(err),
      });
    }
    await this.#close();
    this.#state = { state: 'stopped', since: Date.now() };
  }

  async #close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const parked = this.#parked;
    this.#parked = undefined;
    // Give the parked stream its own resume back: closing drains it through resume().
    if (parked) Reflect.deleteProperty(parked, 'resume');
    const closing: Promise<unknown>[] = [];
    if (this.#consumer) {
      closing.push(
        this.#consumer.close(true).catch((err: unknown) => {
          this.#log('warn', `consumer of group ${this.#groupId}: leaving the group failed`, {
            error: describePlatformaticError(err),
          });
        }),
      );
    }
    if (this.#admin) closing.push(this.#admin.close().catch(() => {}));
    this.#admin = undefined;
    await Promise.all(closing);
  }
}

/** A consumer port for one group member on @platformatic/kafka. */
export function createPlatformaticConsumer(options: PlatformaticConsumerOptions): KafkaConsumerPort {
  notePortBuilt('platformatic', 'consumer');
  return new PlatformaticConsumerPort(options);
}
