/**
 * The seam between topic management and a Kafka client library. `applyTopics`
 * and `describeTopics` speak only this interface; `kafkajs-admin.ts` is the one
 * module that imports kafkajs. Another client (for example @platformatic/kafka)
 * replaces it by implementing `TopicAdmin`.
 */

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface ClusterDescription {
  readonly clusterId: string;
  readonly controller: number | null;
  readonly brokers: readonly BrokerNode[];
}

export interface PartitionDescription {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly partitions: readonly PartitionDescription[];
}

/** Where a config value comes from: set on the topic itself, inherited from the broker, or Kafka's default. */
export type ConfigOrigin = 'topic' | 'broker' | 'default' | 'unknown';

export interface TopicConfigEntry {
  readonly name: string;
  /** `null` for sensitive values the broker will not reveal. */
  readonly value: string | null;
  readonly origin: ConfigOrigin;
  readonly readOnly: boolean;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface TopicAdmin {
  describeCluster(): Promise<ClusterDescription>;
  listTopics(): Promise<string[]>;
  /** Metadata of topics that exist; asking for a missing topic is an error (check `listTopics` first). */
  fetchTopicMetadata(names: readonly string[]): Promise<TopicMetadata[]>;
  /** Every config entry of each topic, keyed by topic name. */
  describeTopicConfigs(names: readonly string[]): Promise<Map<string, TopicConfigEntry[]>>;
  /** `exists` when the topic was already there (for example created concurrently). */
  createTopic(topic: NewTopic): Promise<'created' | 'exists'>;
  /**
   * Sets the given topic-level configs. Incremental: keys not named keep their
   * current value (an implementation on the non-incremental AlterConfigs API
   * must carry the other topic overrides along itself).
   */
  setTopicConfigs(name: string, entries: Readonly<Record<string, string>>): Promise<void>;
  /** Raises the topic's partition count to `total`. */
  increasePartitions(name: string, total: number): Promise<void>;
  close(): Promise<void>;
}
