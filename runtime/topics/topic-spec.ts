/**
 * What a contract says a Kafka topic must look like. The generator emits one
 * of these per channel (and per dead-letter channel) into `generated/topics.ts`;
 * `applyTopics` makes a broker match them.
 */
export interface TopicSpec {
  /** Topic name: the channel's `address`. */
  readonly name: string;
  /** `event` carries domain events; `dead-letter` receives records a consumer gave up on. */
  readonly kind: 'event' | 'dead-letter';
  readonly partitions: number;
  /** Replication factor the contract asks for (capped to the broker count when applied). */
  readonly replicas: number;
  /** Topic-level configuration (`retention.ms`, `cleanup.policy`, ...), values as Kafka expects them: strings. */
  readonly config: Readonly<Record<string, string>>;
  /** For an event topic that has consumers: its dead-letter topic's name. */
  readonly deadLetterTopic?: string;
  /** For a dead-letter topic: the event topic it serves. */
  readonly deadLetterFor?: string;
  readonly description?: string;
}
