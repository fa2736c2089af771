/**
 * Makes a Kafka cluster match the topics the contracts declare.
 *
 * - Missing topics are created with the contract's partitions, config and
 *   replication factor (capped to the number of brokers, with a warning).
 * - Existing topics get the config keys the contract names set to the
 *   contract's values; keys it does not name are left alone. Nothing is deleted.
 * - What must not or cannot be fixed automatically is reported as drift:
 *   more partitions than the contract (Kafka cannot shrink a topic), fewer
 *   partitions (adding partitions remaps keys and breaks per-key order: done
 *   only with `allowPartitionIncrease`), a replication factor other than the
 *   (capped) contract's (needs a partition reassignment).
 *
 * Idempotent: a second run reports every topic `unchanged`. The library prints
 * nothing; it returns a report and calls the optional logger.
 */

import { createKafkaClients } from '../kafka/client.ts';
import type { TopicAdmin, TopicConfigEntry, TopicMetadata } from './admin.ts';
import type { TopicSpec } from './topic-spec.ts';

/** A connected admin, or where to connect one (closed again when the call returns). */
export type AdminSource =
  | TopicAdmin
  | readonly string[]
  | { readonly brokers: readonly string[]; readonly clientId?: string };

export interface TopicLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface ApplyTopicsOptions {
  /** Raise a topic's partition count to the contract's. Off by default: it remaps keys to partitions. */
  readonly allowPartitionIncrease?: boolean;
  /** Work out and report the changes without making them. */
  readonly dryRun?: boolean;
  readonly logger?: TopicLogger;
}

export type TopicAction = 'created' | 'updated' | 'unchanged';

export type TopicChange =
  | {
      readonly kind: 'create';
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly config: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'config'; readonly key: string; readonly from: string | null; readonly to: string }
  | { readonly kind: 'partitions'; readonly from: number; readonly to: number };

export type DriftKind = 'partitions-above-contract' | 'partitions-below-contract' | 'replication-factor';

export interface TopicDrift {
  readonly kind: DriftKind;
  /** What the contract asks for (the replication factor after capping to the broker count). */
  readonly expected: number;
  readonly actual: number;
  readonly message: string;
}

export interface TopicApplyResult {
  readonly name: string;
  readonly kind: TopicSpec['kind'];
  readonly action: TopicAction;
  readonly changes: readonly TopicChange[];
  readonly warnings: readonly string[];
  readonly drift: readonly TopicDrift[];
}

export interface ApplyTopicsReport {
  readonly brokerCount: number;
  readonly dryRun: boolean;
  readonly topics: readonly TopicApplyResult[];
  /** True when at least one topic differs from its contract in a way this run did not fix. */
  readonly hasDrift: boolean;
}

export interface TopicState {
  readonly name: string;
  readonly exists: boolean;
  readonly partitions: number;
  /** Largest replica count over the topic's partitions (0 when the topic does not exist). */
  readonly replicationFactor: number;
  /** The requested config keys (or, without `configKeys`, the topic's own overrides) and their values. */
  readonly config: Readonly<Record<string, string>>;
}

export interface DescribeTopicsOptions {
  /** Config keys to read back. Without it: the configs set on the topic itself. */
  readonly configKeys?: readonly string[];
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Values of list-typed configs (`cleanup.policy=compact,delete`) may come back
 * from the broker spaced differently: compare them item by item.
 */
function sameConfigValue(a: string, b: string): boolean {
  if (a === b) return true;
  const norm = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .join(',');
  return norm(a) === norm(b);
}

function validateSpecs(specs: readonly TopicSpec[]): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const spec of specs) {
    if (!LEGAL_TOPIC_NAME.test(spec.name) || spec.name === '.' || spec.name === '..') {
      problems.push(`"${spec.name}": not a legal Kafka topic name ([a-zA-Z0-9._-], 1 to 249 characters)`);
    }
    if (seen.has(spec.name)) problems.push(`"${spec.name}": declared twice`);
    seen.add(spec.name);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      problems.push(`"${spec.name}": partitions must be an integer >= 1, got ${spec.partitions}`);
    }
    if (!Number.isInteger(spec.replicas) || spec.replicas < 1) {
      problems.push(`"${spec.name}": replicas must be an integer >= 1, got ${spec.replicas}`);
    }
    for (const [key, value] of Object.entries(spec.config)) {
      if (typeof value !== 'string') {
        problems.push(`"${spec.name}": config ${key} must be a string, got ${typeof value}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid topic specs:\n  ${problems.join('\n  ')}`);
}

function isTopicAdmin(source: AdminSource): source is TopicAdmin {
  return typeof (source as Partial<TopicAdmin>).describeCluster === 'function';
}

async function withAdmin<T>(source: AdminSource, work: (admin: TopicAdmin) => Promise<T>): Promise<T> {
  if (isTopicAdmin(source)) return work(source);
  const target = 'brokers' in source ? source : { brokers: source as readonly string[] };
  const admin = await createKafkaClients({
    brokers: target.brokers,
    clientId: target.clientId ?? 'contract-events',
  }).admin(target.clientId !== undefined ? { clientId: target.clientId } : {});
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

function replicationFactorOf(meta: TopicMetadata): number {
  return meta.partitions.reduce((max, p) => Math.max(max, p.replicas.length), 0);
}

/**
 * The config the contract wants on a cluster of `brokerCount` brokers:
 * `min.insync.replicas` above the applied replication factor would make every
 * acks=all write fail, so it is capped the same way as the replication factor.
 */
function effectiveConfig(
  spec: TopicSpec,
  replicationFactor: number,
  warnings: string[],
): Readonly<Record<string, string>> {
  const config: Record<string, string> = { ...spec.config };
  const minIsr = config['min.insync.replicas'];
  if (minIsr !== undefined && Number(minIsr) > replicationFactor) {
    warnings.push(
      `topic ${spec.name}: min.insync.replicas ${minIsr} asked, ${replicationFactor} applied (replication factor ${replicationFactor})`,
    );
    config['min.insync.replicas'] = String(replicationFactor);
  }
  return config;
}

export async function applyTopics(
  source: AdminSource,
  specs: readonly TopicSpec[],
  options: ApplyTopicsOptions = {},
): Promise<ApplyTopicsReport> {
  validateSpecs(specs);
  const dryRun = options.dryRun ?? false;
  const log = options.logger;

  return withAdmin(source, async (admin) => {
    const cluster = await admin.describeCluster();
    const brokerCount = cluster.brokers.length;
    if (brokerCount < 1) throw new Error(`Kafka cluster ${cluster.clusterId} reports no live brokers`);

    const existing = new Set(await admin.listTopics());
    const present = specs.filter((s) => existing.has(s.name)).map((s) => s.name);
    const metadata = new Map((await admin.fetchTopicMetadata(present)).map((m) => [m.name, m]));
    const configs = await admin.describeTopicConfigs(present);

    const results: TopicApplyResult[] = [];
    for (const spec of specs) {
      const warnings: string[] = [];
      const drift: TopicDrift[] = [];
      const changes: TopicChange[] = [];
      const replicationFactor = Math.min(spec.replicas, brokerCount);
      if (replicationFactor < spec.replicas) {
        warnings.push(
          `topic ${spec.name}: replication factor ${spec.replicas} asked, ${replicationFactor} applied (the cluster has ${brokerCount} broker${brokerCount === 1 ? '' : 's'})`,
        );
      }
      const config = effectiveConfig(spec, replicationFactor, warnings);
      for (const w of warnings) log?.warn(w, { topic: spec.name });

      const meta = metadata.get(spec.name);
      if (meta === undefined) {
        const outcome = dryRun
          ? 'created'
          : await admin.createTopic({
              name: spec.name,
              partitions: spec.partitions,
              replicationFactor,
              config,
            });
        if (outcome === 'created') {
          changes.push({ kind: 'create', partitions: spec.partitions, replicationFactor, config });
          log?.info(`topic ${spec.name}: ${dryRun ? 'would create' : 'created'}`, {
            partitions: spec.partitions,
            replicationFactor,
          });
          results.push({ name: spec.name, kind: spec.kind, action: 'created', changes, warnings, drift });
          continue;
        }
        // Created by someone else between listTopics and createTopic: treat it as an existing topic.
        const [raced] = await admin.fetchTopicMetadata([spec.name]);
        const racedConfig = (await admin.describeTopicConfigs([spec.name])).get(spec.name) ?? [];
        if (raced === undefined) throw new Error(`topic ${spec.name} exists but has no metadata`);
        metadata.set(spec.name, raced);
        configs.set(spec.name, racedConfig);
      }

      const current = metadata.get(spec.name)!;
      const currentConfig = new Map((configs.get(spec.name) ?? []).map((e: TopicConfigEntry) => [e.name, e]));
      const actualPartitions = current.partitions.length;

      // Config: only the keys the contract names.
      const toSet: Record<string, string> = {};
      for (const [key, wanted] of Object.entries(config)) {
        const have = currentConfig.get(key);
        const haveValue = have?.value ?? null;
        if (haveValue !== null && sameConfigValue(haveValue, wanted)) continue;
        toSet[key] = wanted;
        changes.push({ kind: 'config', key, from: haveValue, to: wanted });
      }
      if (Object.keys(toSet).length > 0) {
        if (!dryRun) await admin.setTopicConfigs(spec.name, toSet);
        log?.info(`topic ${spec.name}: ${dryRun ? 'would set' : 'set'} ${Object.keys(toSet).join(', ')}`, {
          config: toSet,
        });
      }

      // Partitions.
      if (actualPartitions > spec.partitions) {
        drift.push({
          kind: 'partitions-above-contract',
          expected: spec.partitions,
          actual: actualPartitions,
          message: `topic ${spec.name} has ${actualPartitions} partitions, the contract says ${spec.partitions}: Kafka cannot reduce partitions (recreate the topic, or raise the contract)`,
        });
      } else if (actualPartitions < spec.partitions) {
        if (options.allowPartitionIncrease) {
          if (!dryRun) await admin.increasePartitions(spec.name, spec.partitions);
          changes.push({ kind: 'partitions', from: actualPartitions, to: spec.partitions });
          log?.warn(
            `topic ${spec.name}: partitions ${dryRun ? 'would be raised' : 'raised'} from ${actualPartitions} to ${spec.partitions}; keys now map to other partitions`,
          );
        } else {
          drift.push({
            kind: 'partitions-below-contract',
            expected: spec.partitions,
            actual: actualPartitions,
            message: `topic ${spec.name} has ${actualPartitions} partitions, the contract says ${spec.partitions}: not raised, because adding partitions moves keys to other partitions and breaks per-key order (pass allowPartitionIncrease to do it)`,
          });
        }
      }

      // Replication factor: reported, never reassigned here.
      const actualRf = replicationFactorOf(current);
      if (actualRf !== replicationFactor) {
        drift.push({
          kind: 'replication-factor',
          expected: replicationFactor,
          actual: actualRf,
          message: `topic ${spec.name} has replication factor ${actualRf}, the contract says ${spec.replicas}${replicationFactor !== spec.replicas ? ` (${replicationFactor} on this ${brokerCount}-broker cluster)` : ''}: change it with a partition reassignment`,
        });
      }
      for (const d of drift) log?.warn(d.message, { topic: spec.name, drift: d.kind });

      results.push({
        name: spec.name,
        kind: spec.kind,
        action: changes.length > 0 ? 'updated' : 'unchanged',
        changes,
        warnings,
        drift,
      });
    }

    return { brokerCount, dryRun, topics: results, hasDrift: results.some((r) => r.drift.length > 0) };
  });
}

/** Reads topics back from the broker: partitions, replication factor and config values. */
export async function describeTopics(
  source: AdminSource,
  names: readonly string[],
  options: DescribeTopicsOptions = {},
): Promise<TopicState[]> {
  return withAdmin(source, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((n) => existing.has(n));
    const metadata = new Map((await admin.fetchTopicMetadata(present)).map((m) => [m.name, m]));
    const configs = await admin.describeTopicConfigs(present);
    return names.map((name): TopicState => {
      const meta = metadata.get(name);
      if (meta === undefined) return { name, exists: false, partitions: 0, replicationFactor: 0, config: {} };
      const entries = configs.get(name) ?? [];
      const config: Record<string, string> = {};
      for (const entry of entries) {
        if (entry.value === null) continue;
        const wanted = options.configKeys
          ? options.configKeys.includes(entry.name)
          : entry.origin === 'topic';
        if (wanted) config[entry.name] = entry.value;
      }
      return {
        name,
        exists: true,
        partitions: meta.partitions.length,
        replicationFactor: replicationFactorOf(meta),
        config,
      };
    });
  });
}
