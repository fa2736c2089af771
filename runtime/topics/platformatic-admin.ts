/**
 * `TopicAdmin` on @platformatic/kafka's `Admin`: the only module of topic management that
 * imports that library.
 *
 * Unlike kafkajs, the library has IncrementalAlterConfigs, so `setTopicConfigs` sends only
 * the keys it is given (SET operations) and every other override stays as it is. Cluster and
 * topic metadata come from the library's Metadata call (forced fresh, never auto-creating).
 */
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  type describeConfigsV4,
  findErrorBy,
  IncrementalAlterConfigOperationTypes,
} from '@platformatic/kafka';
import { notePortBuilt } from '../kafka/ports-built.ts';
import type {
  ClusterDescription,
  ConfigOrigin,
  NewTopic,
  TopicAdmin,
  TopicConfigEntry,
  TopicMetadata,
} from './admin.ts';
import { waitForLeaders } from './wait-for-leaders.ts';

export interface PlatformaticAdminOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TCP connect timeout per broker; default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout; default 30000 ms. */
  readonly requestTimeoutMs?: number;
  /** The library's retries of retriable errors; 0 for a quick yes/no probe. Default 5. */
  readonly retries?: number;
}

/** Creates a @platformatic/kafka admin client, checks the cluster answers, and wraps it as a `TopicAdmin`. */
export async function connectPlatformaticAdmin(options: PlatformaticAdminOptions): Promise<TopicAdmin> {
  if (options.brokers.length === 0) throw new Error('connectPlatformaticAdmin: no Kafka brokers given');
  const admin = new Admin({
    clientId: options.clientId ?? 'contract-events-topics',
    bootstrapBrokers: [...options.brokers],
    connectTimeout: options.connectionTimeoutMs ?? 3000,
    timeout: options.requestTimeoutMs ?? 30_000,
    retries: options.retries ?? 5,
    retryDelay: 200,
    autocreateTopics: false,
  });
  try {
    await admin.metadata({ topics: [] });
  } catch (err) {
    await admin.close().catch(() => {});
    throw new Error(`connectPlatformaticAdmin: cannot reach ${options.brokers.join(',')}: ${describe(err)}`, {
      cause: err,
    });
  }
  notePortBuilt('platformatic', 'admin');
  return new PlatformaticTopicAdmin(admin);
}

/** The library's source codes as the runtime's origins. Pure: exported for unit tests. */
export function originOfSource(source: number): ConfigOrigin {
  switch (source) {
    case ConfigSources.DYNAMIC_TOPIC_CONFIG:
      return 'topic';
    case ConfigSources.DYNAMIC_BROKER_CONFIG:
    case ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG:
    case ConfigSources.STATIC_BROKER_CONFIG:
      return 'broker';
    case ConfigSources.DEFAULT_CONFIG:
      return 'default';
    default:
      return 'unknown';
  }
}

function toEntry(config: describeConfigsV4.DescribeConfigsResponseConfig): TopicConfigEntry {
  return {
    name: config.name,
    value: config.isSensitive ? null : (config.value ?? null),
    origin: originOfSource(config.configSource),
    readOnly: config.readOnly,
  };
}

/** The library's message with the Kafka error under it (its admin errors nest the broker's answer). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const protocol = findErrorBy(err, 'code', 'PLT_KFK_PROTOCOL');
  if (protocol && protocol !== err) return `${err.message} (${String(protocol.apiId)}: ${protocol.message})`;
  return err.message;
}

class PlatformaticTopicAdmin implements TopicAdmin {
  readonly #admin: Admin;

  constructor(admin: Admin) {
    this.#admin = admin;
  }

  async describeCluster(): Promise<ClusterDescription> {
    const metadata = await this.#admin.metadata({ topics: [], forceUpdate: true });
    return {
      clusterId: metadata.id,
      controller: metadata.controllerId >= 0 ? metadata.controllerId : null,
      brokers: [...metadata.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port })),
    };
  }

  listTopics(): Promise<string[]> {
    return this.#admin.listTopics({ includeInternals: false });
  }

  async fetchTopicMetadata(names: readonly string[]): Promise<TopicMetadata[]> {
    if (names.length === 0) return [];
    const metadata = await this.#admin.metadata({
      topics: [...names],
      forceUpdate: true,
      autocreateTopics: false,
    });
    return names.map((name) => {
      const topic = metadata.topics.get(name);
      if (!topic) throw new Error(`fetchTopicMetadata: the cluster returned no metadata for topic ${name}`);
      return {
        name,
        partitions: topic.partitions
          .map((p, partition) => ({ partition, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition),
      };
    });
  }

  async describeTopicConfigs(names: readonly string[]): Promise<Map<string, TopicConfigEntry[]>> {
    const result = new Map<string, TopicConfigEntry[]>();
    if (names.length === 0) return result;
    const described = await this.#admin
      .describeConfigs({
        includeSynonyms: false,
        resources: names.map((resourceName) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName })),
      })
      .catch((err: unknown) => {
        throw new Error(`describing configs of topics ${names.join(', ')} failed: ${describe(err)}`, {
          cause: err,
        });
      });
    for (const resource of described) result.set(resource.resourceName, resource.configs.map(toEntry));
    return result;
  }

  async createTopic(topic: NewTopic): Promise<'created' | 'exists'> {
    try {
      await this.#admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        configs: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
      });
    } catch (err) {
      if (findErrorBy(err as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) return 'exists';
      throw new Error(
        `creating topic ${topic.name} (${topic.partitions} partitions, replication factor ${topic.replicationFactor}) failed: ${describe(err)}`,
        { cause: err },
      );
    }
    await this.#waitForLeaders(topic.name, topic.partitions);
    return 'created';
  }

  /** Until every partition of `name` has a leader (metadata errors retried), at most 60 s. */
  #waitForLeaders(name: string, partitions: number): Promise<void> {
    return waitForLeaders(name, partitions, {
      leaders: async () => {
        const metadata = await this.#admin.metadata({
          topics: [name],
          forceUpdate: true,
          autocreateTopics: false,
        });
        return (metadata.topics.get(name)?.partitions ?? []).map((p) => p?.leader ?? -1);
      },
      describe,
    });
  }

  async setTopicConfigs(name: string, entries: Readonly<Record<string, string>>): Promise<void> {
    const configs = Object.entries(entries).map(([key, value]) => ({
      name: key,
      value,
      configOperation: IncrementalAlterConfigOperationTypes.SET,
    }));
    if (configs.length === 0) return;
    await this.#admin
      .incrementalAlterConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configs }],
      })
      .catch((err: unknown) => {
        throw new Error(`setting config of topic ${name} failed: ${describe(err)}`, { cause: err });
      });
  }

  async increasePartitions(name: string, total: number): Promise<void> {
    await this.#admin.createPartitions({ topics: [{ name, count: total }] }).catch((err: unknown) => {
      throw new Error(`raising partitions of topic ${name} to ${total} failed: ${describe(err)}`, {
        cause: err,
      });
    });
  }

  close(): Promise<void> {
    return this.#admin.close();
  }
}
