/**
 * The language-free model of every contract: one readonly catalog of all
 * bounded contexts, the topics they own, the events on those topics and the
 * consumer groups that read them. Built by `buildCatalog`, read by emitters.
 * Everything is sorted so that emitted output is stable.
 */
import type { SourceLocation } from '../parse/locate.ts';

/** A JSON Schema as the parser resolved it (draft-07 superset), every `$ref` already followed. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

export interface Catalog {
  readonly contexts: readonly ContextModel[];
  readonly topics: readonly TopicModel[];
  readonly events: readonly EventModel[];
  readonly consumerGroups: readonly ConsumerGroupModel[];
}

export interface ContextModel {
  /**
   * The context's name, e.g. `user`: in strict mode the document's file name without extension; in
   * lenient mode from the document's `id` (its last segment) or `info.title`, so two `asyncapi.yaml`
   * files are two contexts.
   */
  readonly name: string;
  /** Folder of the document relative to the contracts root ('' at the root), e.g. `chat`. */
  readonly system: string;
  /** The document's `id`, used as the CloudEvents source of what it publishes. */
  readonly source: string;
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly location: SourceLocation;
}

export interface TopicParameter {
  readonly name: string;
  readonly description?: string;
  readonly enum?: readonly string[];
  /** A regular expression every value must match (a 2.x parameter schema's `pattern`, or `x-pattern`). */
  readonly pattern?: string;
  /**
   * Runtime expression (`$message.payload#/tenant`) the value comes from, when the contract gives one.
   * Without it (lenient mode) the publisher takes the value as an argument and a consumer subscribes
   * by pattern, receiving the value parsed from the topic name.
   */
  readonly location?: RuntimeExpression;
}

export interface TopicModel {
  /** Channel id in its owner document, e.g. `userEvents`. */
  readonly channelId: string;
  /** Kafka topic name (the channel address, or `bindings.kafka.topic`); may hold `{parameters}`. */
  readonly address: string;
  readonly parameters: readonly TopicParameter[];
  readonly kind: 'event' | 'dead-letter';
  readonly title?: string;
  readonly description?: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly config: Readonly<Record<string, string>>;
  /** Address of the dead-letter topic records of this topic go to when consumers give up. */
  readonly deadLetterTopic?: string;
  /**
   * How the dead-letter topic was decided: `declared` by the owner's `x-dead-letter-channel`, or
   * `default` (`<topic>.dlq`, lenient mode, when the contract declares none). A consumer group may
   * still name its own (`Subscription.deadLetterTopic`).
   */
  readonly deadLetterOrigin?: 'declared' | 'default';
  /** For a dead-letter topic: the address of the topic it serves. */
  readonly deadLetterFor?: string;
  /** Event names carried by the topic, sorted. */
  readonly events: readonly string[];
  /** Context names with a `send` operation on the topic, sorted. */
  readonly producers: readonly string[];
  /** Consumer group ids with a `receive` operation on the topic, sorted. */
  readonly consumerGroups: readonly string[];
  /** The context whose document defines the channel. */
  readonly owner: string;
  readonly location: SourceLocation;
  /** `x-compatibility` of the channel: the default mode of its events' payloads. */
  readonly compatibility?: CompatibilityMode;
  /** `x-breaking-changes` of the channel. */
  readonly breakingChanges?: readonly BreakingChangeOverride[];
}

/** Confluent Schema Registry's compatibility modes, as `x-compatibility` names them. */
export type CompatibilityMode =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/** A reviewed exception to a breaking-change rule (`x-breaking-changes` on a message or channel). */
export interface BreakingChangeOverride {
  /** The contracts:diff rule id it lets pass, e.g. `payload.backward` or `topic.partitions-increased`. */
  readonly rule: string;
  readonly reason: string;
  readonly location: SourceLocation;
}

/** A parsed AsyncAPI runtime expression such as `$message.payload#/user_id`. */
export interface RuntimeExpression {
  readonly expression: string;
  readonly source: 'payload' | 'header';
  /** JSON pointer segments inside the payload or headers. */
  readonly path: readonly string[];
}

export interface EventModel {
  /** Event type on the wire (`ce_type`): the message `name`. */
  readonly name: string;
  readonly topic: string;
  readonly owner: string;
  /** CloudEvents source: the owner document's `id`. */
  readonly source: string;
  readonly schemaVersion: number;
  readonly title?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly contentType: string;
  readonly payload: JsonSchema;
  readonly headers?: JsonSchema;
  /** Schema of the Kafka key when the contract declares one (`bindings.kafka.key`). */
  readonly keySchema?: JsonSchema;
  /** Where the Kafka key comes from. */
  readonly key: EventKey;
  readonly examples: readonly EventExample[];
  readonly deprecated: boolean;
  readonly location: SourceLocation;
  /** `x-compatibility` of the message (else its channel's, else BACKWARD). */
  readonly compatibility?: CompatibilityMode;
  /** `x-breaking-changes` of the message. */
  readonly breakingChanges?: readonly BreakingChangeOverride[];
  /**
   * Earlier major versions carried beside this one during a migration window: messages with the
   * same `name` on the same topic, with the same partition key and a lower `x-schema-version`,
   * oldest first. This model is the current (highest) version. Absent for an event declared once.
   */
  readonly versions?: readonly EventVersion[];
}

/**
 * One earlier major version of an event (`EventModel.versions`): its own payload, headers,
 * examples, location and `deprecated`; topic, owner, source and key rule are the event's.
 */
export type EventVersion = Omit<EventModel, 'versions'>;

/**
 * - `payload`: derived from the payload by the contract's `x-partition-key` (strict mode's rule);
 * - `argument`: the publisher passes it. `required` with a type when the message declares a key
 *   schema (`bindings.kafka.key`); otherwise optional, and a missing or null key is sent as a null
 *   Kafka key (the client's partitioner then spreads records; no per-key order).
 */
export type EventKey =
  | {
      readonly source: 'payload';
      readonly expression: RuntimeExpression;
      /** Shape of the partition-key field, for the key's TypeScript type. */
      readonly type: KeyType;
    }
  | { readonly source: 'argument'; readonly required: boolean; readonly type: KeyType };

export type KeyType = 'string' | 'integer' | 'number';

export interface EventExample {
  readonly name?: string;
  readonly summary?: string;
  readonly payload: unknown;
  readonly headers?: unknown;
}

export interface RetryPolicy {
  /** Handler attempts in all, the first included, before a record is dead-lettered. */
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
  /** Error names that dead-letter a record at once (`x-retry.nonRetryable`); absent when the contract lists none. */
  readonly nonRetryable?: readonly string[];
}

export interface ConsumerGroupModel {
  readonly groupId: string;
  readonly context: string;
  readonly description?: string;
  readonly subscriptions: readonly Subscription[];
}

export interface Subscription {
  readonly topic: string;
  /** Events this group handles, sorted; the topic's other events are acknowledged and skipped. */
  readonly events: readonly string[];
  readonly retry: RetryPolicy;
  /** Where this group dead-letters: its own operation's `x-dead-letter-channel`, else the topic's. */
  readonly deadLetterTopic: string;
  readonly operationId: string;
  readonly location: SourceLocation;
}
