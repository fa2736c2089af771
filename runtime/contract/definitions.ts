/**
 * The shapes generated code hands to the runtime: what an event, a topic and
 * a consumer group are, as data. Generated files declare constants of these
 * types; the runtime (producer, outbox, consumer runner) reads them, so a
 * contract edit never needs a runtime edit.
 */
import type { ValidateFunction } from 'ajv';
import type { TopicSpec } from '../topics/topic-spec.ts';
import type { HeaderFields } from './headers.ts';

export interface EventDefinition<TType extends string = string, TPayload = unknown, THeaders = unknown> {
  /** Event type on the wire (`ce_type`). */
  readonly type: TType;
  /**
   * The topic (or address template) of the event's first channel. An event several channels carry
   * (a shared message in someone else's document) is published to the topic it is published through.
   */
  readonly topic: string;
  /** CloudEvents `ce_source`: the publishing context. */
  readonly source: string;
  /** Major version of the payload schema (`ce_schemaversion`). */
  readonly schemaVersion: number;
  readonly contentType: string;
  /**
   * Derives the Kafka key from the payload, as the contract's partition-key expression says.
   * Absent when the publisher passes the key (`keyArgument`).
   * (Method syntax on purpose: a topic's definitions are read through `EventDefinition<string, unknown>`.)
   */
  partitionKey?(payload: TPayload): string;
  /**
   * Present when the contract gives no partition-key expression (documents generated leniently):
   * the publisher passes `key`. `required` with `type` when the message declares a key schema;
   * otherwise a missing or null key is sent as a null Kafka key.
   */
  readonly keyArgument?: KeyArgument;
  /**
   * For a parameterized channel (`tenant.{tenantId}.orders`): the concrete topic of one event,
   * its parameters read from the payload. Absent when `topic` is a plain name.
   */
  topicFor?(payload: TPayload): string;
  /** The runtime expression the key comes from, e.g. `$message.payload#/user_id`; absent for a key argument. */
  readonly partitionKeyExpression?: string;
  readonly validatePayload: ValidateFunction<TPayload>;
  readonly validateHeaders: ValidateFunction<THeaders> | undefined;
  /**
   * Application headers (beside the envelope) the contract types other than string: how each
   * travels as text (`retryCount: 'integer'`, `meta: 'json'`). Encoded on publish, decoded on
   * consume before validation. Absent when the event has none.
   */
  readonly headerFields?: HeaderFields;
  /**
   * Application headers the contract requires: a publish without them is validated (and refused)
   * even though the caller passed no headers. Absent when none is required.
   */
  readonly requiredHeaders?: readonly string[];
  /**
   * Earlier major versions of the event carried beside this one (the current, `schemaVersion`)
   * during a migration window, oldest first: a consumer validates a record against the version
   * its `ce_schemaversion` names, a producer sends the version it is pinned to. Absent for an event
   * declared in one version. Key, topic, source and content type are the event's.
   */
  readonly versions?: readonly EventVersionDefinition[];
}

/** One earlier major version of an event (`EventDefinition.versions`): how its records are checked. */
export interface EventVersionDefinition {
  /** Its `x-schema-version` (`ce_schemaversion`). */
  readonly schemaVersion: number;
  readonly validatePayload: ValidateFunction<unknown>;
  readonly validateHeaders: ValidateFunction<unknown> | undefined;
  readonly headerFields?: HeaderFields;
  readonly requiredHeaders?: readonly string[];
  /** The contract marks this version `deprecated: true` (to be removed once nobody sends it). */
  readonly deprecated?: boolean;
}

export interface KeyArgument {
  readonly required: boolean;
  readonly type: 'string' | 'integer' | 'number';
}

/** A channel parameter the publisher passes (`parameters: { env: 'prod' }`) and a consumer reads from the topic name. */
export interface TopicParameterDefinition {
  readonly name: string;
  /** The values allowed, when the contract lists them. */
  readonly enum?: readonly string[];
  /** A regular expression every value must match, when the contract gives one. */
  readonly pattern?: string;
}

/** Event type → payload type of one topic. */
export type EventMap = { readonly [type: string]: unknown };

export interface TopicDefinition<TMap extends EventMap = EventMap> {
  /** The topic name, or for a parameterized channel its address template (`env.{env}.orders`). */
  readonly name: string;
  /**
   * The address's parameters when the publisher passes them (no payload location in the contract);
   * absent for a plain name or when every parameter comes from the payload (`topicFor`).
   */
  readonly parameters?: readonly TopicParameterDefinition[];
  readonly spec: TopicSpec;
  readonly events: { readonly [K in keyof TMap & string]: EventDefinition<K, TMap[K], unknown> };
}

export interface RetryPolicy {
  /** Handler attempts in all, the first included, before a record goes to the dead-letter topic. */
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
  /**
   * Error names (`error.name`, or the class name) that mean "never retry", as the contract's
   * `x-retry.nonRetryable` lists them: such an error, or one in its cause chain, dead-letters the
   * record at once (reason `non-retriable`), like a thrown `NonRetriableError`. Absent: none.
   */
  readonly nonRetryable?: readonly string[];
}

export interface SubscriptionDefinition {
  readonly topic: TopicDefinition;
  /** Key of this topic's handlers in the group's handler map. */
  readonly handlerKey: string;
  /** Event types this group handles; the topic's other types are acknowledged and skipped. */
  readonly events: readonly string[];
  readonly retry: RetryPolicy;
  readonly deadLetterTopic: string;
}

export interface ConsumerGroupDefinition {
  readonly groupId: string;
  /** The bounded context that owns the group. */
  readonly context: string;
  readonly subscriptions: readonly SubscriptionDefinition[];
}
