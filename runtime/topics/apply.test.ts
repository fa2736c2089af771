/**
 * applyTopics decisions that a 1-broker test cluster cannot show (replication
 * factor drift, min.insync.replicas capping, a creation race, dry runs), on an
 * in-memory TopicAdmin. The real-broker behaviour is in
 * test/integration/topics-apply.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { NewTopic, TopicAdmin, TopicConfigEntry, TopicMetadata } from './admin.ts';
import { applyTopics, describeTopics } from './apply.ts';
import type { TopicSpec } from './topic-spec.ts';

interface FakeTopic {
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

class FakeAdmin implements TopicAdmin {
  readonly topics = new Map<string, FakeTopic>();
  readonly calls: string[] = [];
  brokerCount: number;
  /** Simulates another client creating the topic between listTopics and createTopic. */
  raceOn: string | null = null;

  constructor(brokerCount: number) {
    this.brokerCount = brokerCount;
  }

  async describeCluster() {
    return {
      clusterId: 'fake',
      controller: 1,
      brokers: Array.from({ length: this.brokerCount }, (_, i) => ({ nodeId: i + 1, host: 'h', port: 9092 })),
    };
  }
  async listTopics() {
    return [...this.topics.keys()];
  }
  async fetchTopicMetadata(names: readonly string[]): Promise<TopicMetadata[]> {
    return names.map((name) => {
      const t = this.topics.get(name);
      if (!t) throw new Error(`unknown topic ${name}`);
      return {
        name,
        partitions: Array.from({ length: t.partitions }, (_, partition) => ({
          partition,
          leader: 1,
          replicas: Array.from({ length: t.replicationFactor }, (_, i) => i + 1),
          isr: [1],
        })),
      };
    });
  }
  async describeTopicConfigs(names: readonly string[]) {
    const result = new Map<string, TopicConfigEntry[]>();
    for (const name of names) {
      const t = this.topics.get(name);
      if (!t) throw new Error(`unknown topic ${name}`);
      const entries: TopicConfigEntry[] = Object.entries(t.config).map(([key, value]) => ({
        name: key,
        value,
        origin: 'topic',
        readOnly: false,
      }));
      if (!('retention.ms' in t.config)) {
        entries.push({ name: 'retention.ms', value: '604800000', origin: 'default', readOnly: false });
      }
      result.set(name, entries);
    }
    return result;
  }
  async createTopic(topic: NewTopic) {
    this.calls.push(`create ${topic.name}`);
    if (this.raceOn === topic.name) {
      this.topics.set(topic.name, { partitions: 1, replicationFactor: 1, config: {} });
      return 'exists' as const;
    }
    if (topic.replicationFactor > this.brokerCount) throw new Error('INVALID_REPLICATION_FACTOR');
    this.topics.set(topic.name, {
      partitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      config: { ...topic.config },
    });
    return 'created' as const;
  }
  /**
   * Incremental (other overrides stay), as `TopicAdmin.setTopicConfigs` promises: the broker's
   * AlterConfigs replaces, but the kafkajs admin carries the other overrides along and the
   * platformatic one uses IncrementalAlterConfigs; test/integration/topics-apply.test.ts shows it.
   */
  async setTopicConfigs(name: string, entries: Readonly<Record<string, string>>) {
    this.calls.push(`config ${name} ${Object.keys(entries).join(',')}`);
    const t = this.topics.get(name)!;
    Object.assign(t.config, entries);
  }
  async increasePartitions(name: string, total: number) {
    this.calls.push(`partitions ${name} ${total}`);
    this.topics.get(name)!.partitions = total;
  }
  async close() {}
}

const spec = (overrides: Partial<TopicSpec> = {}): TopicSpec => ({
  name: 'orders',
  kind: 'event',
  partitions: 3,
  replicas: 3,
  config: { 'retention.ms': '86400000' },
  ...overrides,
});

describe('applyTopics (in-memory admin)', () => {
  it('creates with the full replication factor when the cluster has the brokers, without warnings', async () => {
    const admin = new FakeAdmin(3);
    const report = await applyTopics(admin, [spec()]);
    expect(report.topics[0]).toMatchObject({ action: 'created', warnings: [], drift: [] });
    expect(admin.topics.get('orders')?.replicationFactor).toBe(3);
  });

  it('reports a replication factor other than the contract as drift, and does not touch it', async () => {
    const admin = new FakeAdmin(3);
    admin.topics.set('orders', {
      partitions: 3,
      replicationFactor: 1,
      config: { 'retention.ms': '86400000' },
    });
    const report = await applyTopics(admin, [spec()]);
    expect(report.hasDrift).toBe(true);
    expect(report.topics[0]?.action).toBe('unchanged');
    expect(report.topics[0]?.drift).toEqual([
      expect.objectContaining({ kind: 'replication-factor', expected: 3, actual: 1 }),
    ]);
    expect(admin.calls).toEqual([]);
  });

  it('compares the replication factor with the capped contract on a small cluster', async () => {
    const admin = new FakeAdmin(1);
    admin.topics.set('orders', {
      partitions: 3,
      replicationFactor: 1,
      config: { 'retention.ms': '86400000' },
    });
    const report = await applyTopics(admin, [spec()]);
    expect(report.topics[0]?.drift).toEqual([]);
    expect(report.topics[0]?.warnings).toEqual([
      'topic orders: replication factor 3 asked, 1 applied (the cluster has 1 broker)',
    ]);
  });

  it('caps min.insync.replicas to the applied replication factor, with a warning', async () => {
    const admin = new FakeAdmin(1);
    const report = await applyTopics(admin, [spec({ config: { 'min.insync.replicas': '2' } })]);
    expect(admin.topics.get('orders')?.config['min.insync.replicas']).toBe('1');
    expect(report.topics[0]?.warnings).toContain(
      'topic orders: min.insync.replicas 2 asked, 1 applied (replication factor 1)',
    );
    const again = await applyTopics(admin, [spec({ config: { 'min.insync.replicas': '2' } })]);
    expect(again.topics[0]?.action).toBe('unchanged');
  });

  it('treats a topic created concurrently as an existing one', async () => {
    const admin = new FakeAdmin(1);
    admin.raceOn = 'orders';
    const report = await applyTopics(admin, [spec({ replicas: 1 })]);
    expect(report.topics[0]?.action).toBe('updated');
    expect(report.topics[0]?.changes).toEqual([
      { kind: 'config', key: 'retention.ms', from: '604800000', to: '86400000' },
    ]);
    expect(report.topics[0]?.drift).toEqual([
      expect.objectContaining({ kind: 'partitions-below-contract', expected: 3, actual: 1 }),
    ]);
  });

  it('works out the changes without making them in a dry run', async () => {
    const admin = new FakeAdmin(1);
    admin.topics.set('existing', { partitions: 1, replicationFactor: 1, config: { 'retention.ms': '1000' } });
    const report = await applyTopics(
      admin,
      [spec({ replicas: 1 }), spec({ name: 'existing', partitions: 2, replicas: 1 })],
      { dryRun: true, allowPartitionIncrease: true },
    );
    expect(report.dryRun).toBe(true);
    expect(report.topics.map((t) => t.action)).toEqual(['created', 'updated']);
    expect(report.topics[1]?.changes).toEqual([
      { kind: 'config', key: 'retention.ms', from: '1000', to: '86400000' },
      { kind: 'partitions', from: 1, to: 2 },
    ]);
    expect(admin.calls).toEqual([]);
    expect(admin.topics.has('orders')).toBe(false);
  });

  it('treats list values that differ only in spacing as equal', async () => {
    const admin = new FakeAdmin(1);
    admin.topics.set('orders', {
      partitions: 3,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'compact,delete' },
    });
    const report = await applyTopics(admin, [
      spec({ replicas: 1, config: { 'cleanup.policy': 'compact, delete' } }),
    ]);
    expect(report.topics[0]?.action).toBe('unchanged');
  });

  it('rejects duplicate names and bad numbers before calling the admin', async () => {
    const admin = new FakeAdmin(1);
    await expect(applyTopics(admin, [spec(), spec({ replicas: 0 })])).rejects.toThrow(
      /"orders": declared twice[\s\S]*replicas must be an integer >= 1/,
    );
    expect(admin.calls).toEqual([]);
  });

  it('describeTopics returns the named keys, including defaults', async () => {
    const admin = new FakeAdmin(1);
    admin.topics.set('orders', {
      partitions: 2,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'compact' },
    });
    expect(await describeTopics(admin, ['orders'], { configKeys: ['retention.ms'] })).toEqual([
      {
        name: 'orders',
        exists: true,
        partitions: 2,
        replicationFactor: 1,
        config: { 'retention.ms': '604800000' },
      },
    ]);
    expect((await describeTopics(admin, ['orders']))[0]?.config).toEqual({ 'cleanup.policy': 'compact' });
  });
});
