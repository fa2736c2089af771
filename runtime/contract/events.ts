/**
 * What producers accept and what handlers receive. Generated publishers and
 * handler maps are written in terms of these types.
 */
import type { ClientBase, PoolClient } from 'pg';
import type { ConsumerGroupDefinition, EventMap, TopicDefinition } from './definitions.ts';

/** Throw it (or a subclass naming the rule) from a handler for a record that can never succeed: dead-lettered at once, no retries. */
export { NonRetriableError } from '../consume/errors.ts';

/**
 * A domain event as a caller publishes it: its type, its payload and the application headers its
 * contract declares (typed values, e.g. `{ retryCount: 3 }`: the runtime validates and encodes
 * them); the key and the envelope headers follow from the contract. Generated publishers type
 * `headers` per event (`WithApplicationHeaders`); here any are accepted and checked at run time.
 */
export type OutgoingEvent<TMap extends EventMap> = {
  readonly [K in keyof TMap & string]: {
    readonly type: K;
    readonly payload: TMap[K];
    /** The Kafka key, for events whose contract has no partition-key expression (generated publishers type it per event). */
    readonly key?: string | number | null;
    /** Address parameters the contract does not derive from the payload (generated publishers type them per topic). */
    readonly parameters?: Readonly<Record<string, string>>;
    /** The contract's application headers, typed (generated publishers type them per event). */
    readonly headers?: Readonly<Record<string, unknown>>;
    /**
     * For an event carried in several major versions: the version the payload is written in (and
     * sent as). Absent: the version the producer is pinned to (`schemaVersions`), else the current.
     */
    readonly schemaVersion?: number;
  };
}[keyof TMap & string];

export interface PublishOptions {
  /** Event id (`ce_id`); a new UUID when absent. Supplying it makes retries of the same publish idempotent downstream. */
  readonly id?: string;
  /** Occurrence time (`ce_time`); now when absent. */
  readonly time?: Date;
  /** W3C trace context to continue; a new trace when absent. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface PublishReceipt {
  readonly id: string;
  readonly topic: string;
  /** Null for an event sent without a key (its contract has no partition key and none was passed). */
  readonly key: string | null;
  readonly partition: number;
  readonly offset: string;
}

export interface TopicPublisher<TMap extends EventMap> {
  publish(event: OutgoingEvent<TMap>, options?: PublishOptions): Promise<PublishReceipt>;
  publishAll(
    events: readonly OutgoingEvent<TMap>[],
    options?: Omit<PublishOptions, 'id'>,
  ): Promise<PublishReceipt[]>;
}

/** The producer seam generated publishers are built on. */
export interface EventProducer {
  topic<TMap extends EventMap>(topic: TopicDefinition<TMap>): TopicPublisher<TMap>;
}

/** An event written to the outbox: it will be published by the relay once the caller's transaction commits. */
export interface OutboxReceipt {
  readonly id: string;
  readonly type: string;
  readonly topic: string;
  /** Null for an event written without a key. */
  readonly key: string | null;
}

/** Typed outbox writes for one topic. `db` is the caller's own client, inside its open transaction. */
export interface TopicOutbox<TMap extends EventMap> {
  write(db: ClientBase, event: OutgoingEvent<TMap>, options?: PublishOptions): Promise<OutboxReceipt>;
  writeAll(
    db: ClientBase,
    events: readonly OutgoingEvent<TMap>[],
    options?: Omit<PublishOptions, 'id'>,
  ): Promise<OutboxReceipt[]>;
}

/** The outbox seam generated outbox mappers are built on. */
export interface OutboxWriter {
  topic<TMap extends EventMap>(topic: TopicDefinition<TMap>): TopicOutbox<TMap>;
}

/**
 * A delivered event, decoded and validated, as a handler sees it. For an event carried in several
 * major versions, `TVersion` is one version's number: a handler receives a union of these,
 * discriminated by `schemaVersion` (see `VersionedEventHandler`).
 */
export interface ReceivedEvent<TType extends string, TPayload, THeaders, TVersion extends number = number> {
  readonly type: TType;
  readonly id: string;
  readonly source: string;
  readonly time: string;
  /** The major version the record was written in (`ce_schemaversion`; the current one when absent). */
  readonly schemaVersion: TVersion;
  /** The record's key; null when it was sent without one (contracts without a partition key). */
  readonly key: string | null;
  readonly payload: TPayload;
  readonly headers: THeaders;
  /**
   * For a parameterized channel consumed by pattern: the parameters parsed from the record's
   * topic name (`env.prod.orders` → `{ env: 'prod' }`); empty otherwise.
   */
  readonly parameters: Readonly<Record<string, string>>;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface HandlerContext {
  /** 1 on the first delivery to the handler, then 2, 3, ... on retries. */
  readonly attempt: number;
  /** Aborted when the consumer is stopping. */
  readonly signal: AbortSignal;
  /**
   * An open PostgreSQL transaction in which the runner also records the event id as processed
   * by this consumer group. Write the handler's effects through it and they commit together
   * with that record: a redelivered event finds the record and has no second effect.
   */
  readonly db: PoolClient;
}

/**
 * Handles one event. Throwing retries it per the contract's `x-retry` policy, then dead-letters
 * it (`handler-failed`); throwing a `NonRetriableError` dead-letters it at once (`non-retriable`).
 */
export type EventHandler<TType extends string, TPayload, THeaders> = (
  event: ReceivedEvent<TType, TPayload, THeaders>,
  context: HandlerContext,
) => Promise<void> | void;

/**
 * Handles an event carried in several major versions during a migration window: `TEvent` is the
 * union of one `ReceivedEvent` per version, so `event.schemaVersion === 1` narrows `event.payload`
 * to version 1's payload. Retries and dead letters as for `EventHandler`.
 */
export type VersionedEventHandler<TEvent extends ReceivedEvent<string, unknown, unknown>> = (
  event: TEvent,
  context: HandlerContext,
) => Promise<void> | void;

/**
 * Handles the events of one type in a batch at once (one multi-row statement instead of one per
 * event): `batch` receives consecutive events of its type from one partition, in offset order
 * (events of other types, duplicates and skipped records between them left out), in the batch's
 * transaction. When it throws, the runtime rolls the transaction back and handles the batch's
 * records again one at a time (`batch` called with one event, each in a savepoint of its own), so
 * the failing event is retried and dead-lettered on its own: `batch` may see an event again after
 * a failure elsewhere in its batch, but its writes through `context.db` never apply twice.
 */
export interface BatchEventHandler<TType extends string, TPayload, THeaders> {
  readonly batch: (
    events: readonly ReceivedEvent<TType, TPayload, THeaders>[],
    context: HandlerContext,
  ) => Promise<void> | void;
}

/** `BatchEventHandler` of an event carried in several major versions: `TEvent` is the union of one `ReceivedEvent` per version. */
export interface VersionedBatchEventHandler<TEvent extends ReceivedEvent<string, unknown, unknown>> {
  readonly batch: (events: readonly TEvent[], context: HandlerContext) => Promise<void> | void;
}

/** Handler map shape every generated `…Handlers` interface satisfies: topic key → event type → handler (one event, or a batch). */
export type HandlerMap = {
  readonly [topicKey: string]: {
    readonly [eventType: string]:
      | VersionedEventHandler<ReceivedEvent<never, never, never, never>>
      | VersionedBatchEventHandler<ReceivedEvent<never, never, never, never>>;
  };
};

export interface ConsumerOptions {
  /** Overrides the contract's consumer group id (for replays into a fresh group, tests, ...). */
  readonly groupId?: string;
  /**
   * Where the group starts on a partition it has no committed offset for: `earliest`
   * (default: a new group handles every retained event) or `latest`.
   */
  readonly startFrom?: 'earliest' | 'latest';
  /** Partitions handled at the same time by this member, each still in order; default 3. */
  readonly partitionsConsumedConcurrently?: number;
}

/**
 * Where a consumer group member stands now:
 * - `starting`: not joined yet (connecting, first join);
 * - `joined`: a member of its group, fetching or handling records;
 * - `rebalancing`: rejoining its group (another member came or went);
 * - `stalled`: joined, but nothing heard from the broker (no fetch, heartbeat or commit)
 *   for a session timeout: the group coordinator has given up on it too;
 * - `restarting`: crashed (broker unreachable, …) and being restarted by the client;
 * - `failed`: crashed and not restarted, or could not start;
 * - `stopped`: stopped on purpose.
 */
export type ConsumerMemberState =
  | 'starting'
  | 'joined'
  | 'rebalancing'
  | 'stalled'
  | 'restarting'
  | 'failed'
  | 'stopped';

export interface ConsumerStatus {
  readonly state: ConsumerMemberState;
  /** Since when (ms since the epoch). */
  readonly since: number;
  /** The last fetch, heartbeat, commit or join the broker answered (ms since the epoch), if any. */
  readonly lastContactAt?: number | undefined;
  /** Why it crashed or failed. */
  readonly error?: string | undefined;
}

export interface RunningConsumer {
  /** Resolves once the member has joined its group; rejects with the reason when it cannot start. */
  readonly ready: Promise<void>;
  /** Finishes the record in hand, commits what was handled, leaves the group. */
  stop(): Promise<void>;
  /** Where the member stands now (readiness checks); consumers that cannot tell leave it out. */
  status?(): ConsumerStatus;
}

/** The consumer seam generated consumer factories are built on. */
export interface EventConsumerFactory {
  create(group: ConsumerGroupDefinition, handlers: HandlerMap, options?: ConsumerOptions): RunningConsumer;
}
