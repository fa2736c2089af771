/**
 * `TopicAdmin` on kafkajs: the only module of topic management that imports kafkajs.
 *
 * kafkajs 2.2.4 has no IncrementalAlterConfigs, only AlterConfigs, which
 * REPLACES a topic's whole set of overrides: `setTopicConfigs` therefore reads
 * the topic's current overrides and sends them along with the new values, so a
 * key the caller does not name keeps its value.
 */
import type { Admin, ConfigEntries } from 'kafkajs';
import kafkajs from 'kafkajs';
import { createKafka } from '../kafka/kafkajs.ts';
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

// kafkajs is CommonJS and Node's ESM loader does not see its enums as named exports.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

export interface KafkajsAdminOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TCP connect timeout per broker (kafkajs default 1000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout (kafkajs default 30000 ms). */
  readonly requestTimeoutMs?: number;
  /** kafkajs retries of retriable errors; 0 for a quick yes/no probe. */
  readonly retries?: number;
}

/** Connects a kafkajs admin client and wraps it as a `TopicAdmin`; `close()` disconnects it. */
export async function connectKafkajsAdmin(options: KafkajsAdminOptions): Promise<TopicAdmin> {
  const kafka = createKafka({
    clientId: options.clientId ?? 'contract-events-topics',
    brokers: options.brokers,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  notePortBuilt('kafkajs', 'admin');
  return new KafkajsTopicAdmin(admin);
}

function originOf(source: number | undefined, isDefault: boolean): ConfigOrigin {
  switch (source) {
    case ConfigSource.TOPIC_CONFIG:
      return 'topic';
    case ConfigSource.DYNAMIC_BROKER_CONFIG:
    case ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG:
    case ConfigSource.STATIC_BROKER_CONFIG:
      return 'broker';
    case ConfigSource.DEFAULT_CONFIG:
      return 'default';
    default:
      // DescribeConfigs v0 has no source, only isDefault.
      return isDefault ? 'default' : 'unknown';
  }
}

/** kafkajs reports a failed topic creation as "Topic creation errors" with the reasons in `errors`. */
function describeKafkajsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const nested = (err as Error & { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0) {
    const reasons = nested.map((e: unknown) => {
      const inner = e as { type?: string; message?: string };
      return [inner.type, inner.message].filter(Boolean).join(': ');
    });
    return `${err.message}: ${reasons.join('; ')}`;
  }
  const type = (err as Error & { type?: string }).type;
  return type && !err.message.includes(type) ? `${type}: ${err.message}` : err.message;
}

function toEntry(entry: ConfigEntries): TopicConfigEntry {
  return {
    name: entry.configName,
    value: entry.configValue ?? null,
    origin: originOf(entry.configSource, entry.isDefault),
    readOnly: entry.readOnly,
  };
}

class KafkajsTopicAdmin implements TopicAdmin {
  readonly #admin: Admin;

  constructor(admin: Admin) {
    this.#admin = admin;
  }

  async describeCluster(): Promise<ClusterDescription> {
    const cluster = await this.#admin.describeCluster();
    return {
      clusterId: cluster.clusterId,
      controller: cluster.controller,
      brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    };
  }

  listTopics(): Promise<string[]> {
    return this.#admin.listTopics();
  }

  async fetchTopicMetadata(names: readonly string[]): Promise<TopicMetadata[]> {
    if (names.length === 0) return [];
    const { topics } = await this.#admin.fetchTopicMetadata({ topics: [...names] });
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition),
    }));
  }

  async describeTopicConfigs(names: readonly string[]): Promise<Map<string, TopicConfigEntry[]>> {
    const result = new Map<string, TopicConfigEntry[]>();
    if (names.length === 0) return result;
    const response = await this.#admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const resource of response.resources) {
      if (resource.errorCode !== 0) {
        throw new Error(
          `describeConfigs of topic ${resource.resourceName} failed: error ${resource.errorCode} ${resource.errorMessage ?? ''}`.trim(),
        );
      }
      result.set(resource.resourceName, resource.configEntries.map(toEntry));
    }
    return result;
  }

  async createTopic(topic: NewTopic): Promise<'created' | 'exists'> {
    // kafkajs' own waitForLeaders gives up when a busy broker answers UNKNOWN_TOPIC_OR_PARTITION
    // for a topic it has just created; the wait below retries that until every partition has a leader.
    const created = await this.#admin
      .createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
          },
        ],
      })
      .catch((err: unknown) => {
        throw new Error(
          `creating topic ${topic.name} (${topic.partitions} partitions, replication factor ${topic.replicationFactor}) failed: ${describeKafkajsError(err)}`,
          { cause: err },
        );
      });
    if (created) await this.#waitForLeaders(topic.name, topic.partitions);
    return created ? 'created' : 'exists';
  }

  /** Until every partition of `name` has a leader (retriable metadata errors retried), at most 60 s. */
  #waitForLeaders(name: string, partitions: number): Promise<void> {
    return waitForLeaders(name, partitions, {
      leaders: async () => {
        const metadata = await this.#admin.fetchTopicMetadata({ topics: [name] });
        return (metadata.topics.find((t) => t.name === name)?.partitions ?? []).map((p) => p.leader);
      },
      describe: describeKafkajsError,
      fatal: (err) => (err as { retriable?: unknown }).retriable !== true,
    });
  }

  async setTopicConfigs(name: string, entries: Readonly<Record<string, string>>): Promise<void> {
    const current = (await this.describeTopicConfigs([name])).get(name) ?? [];
    const merged = new Map<string, string>();
    for (const entry of current) {
      if (entry.origin === 'topic' && entry.value !== null) merged.set(entry.name, entry.value);
    }
    for (const [key, value] of Object.entries(entries)) merged.set(key, value);
    await this.#admin
      .alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name,
            configEntries: [...merged].map(([key, value]) => ({ name: key, value })),
          },
        ],
      })
      .catch((err: unknown) => {
        throw new Error(`setting config of topic ${name} failed: ${describeKafkajsError(err)}`, {
          cause: err,
        });
      });
  }

  async increasePartitions(name: string, total: number): Promise<void> {
    await this.#admin
      .createPartitions({ topicPartitions: [{ topic: name, count: total }] })
      .catch((err: unknown) => {
        throw new Error(
          `raising partitions of topic ${name} to ${total} failed: ${describeKafkajsError(err)}`,
          {
            cause: err,
          },
        );
      });
  }

  close(): Promise<void> {
    return this.#admin.disconnect();
  }
}
