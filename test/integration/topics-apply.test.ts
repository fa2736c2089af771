/**
 * applyTopics / describeTopics against the real broker the harness found
 * (native Kafka here, Testcontainers or KAFKA_BROKERS elsewhere).
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyTopicsReport, applyTopics, describeTopics } from '../../runtime/topics/apply.ts';
import type { TopicSpec } from '../../runtime/topics/topic-spec.ts';
import { useInfrastructure } from '../support/context.ts';

const infra = useInfrastructure();
const run = randomBytes(4).toString('hex');

const ORDERS = `it.orders.placed.${run}`;
const ORDERS_DLT = `${ORDERS}.dlt`;
const AUDIT = `it.audit.trail.${run}`;

const WEEK_MS = '604800000';
const TWO_WEEKS_MS = '1209600000';
const DAY_MS = '86400000';

const orders: TopicSpec = {
  name: ORDERS,
  kind: 'event',
  partitions: 3,
  replicas: 1,
  config: { 'retention.ms': WEEK_MS, 'cleanup.policy': 'delete' },
  deadLetterTopic: ORDERS_DLT,
};
const ordersDlt: TopicSpec = {
  name: ORDERS_DLT,
  kind: 'dead-letter',
  partitions: 1,
  replicas: 1,
  config: { 'retention.ms': TWO_WEEKS_MS, 'cleanup.policy': 'delete' },
  deadLetterFor: ORDERS,
};
/** Asks for 3 replicas: more than a 1-broker cluster has. */
const audit: TopicSpec = {
  name: AUDIT,
  kind: 'event',
  partitions: 2,
  replicas: 3,
  config: { 'retention.ms': DAY_MS, 'cleanup.policy': 'compact' },
};
const specs = [orders, ordersDlt, audit];
const names = specs.map((s) => s.name);
const configKeys = ['retention.ms', 'cleanup.policy', 'max.message.bytes'];

const expectedRf = (spec: TopicSpec) => Math.min(spec.replicas, infra.brokerCount);
const byName = (report: ApplyTopicsReport, name: string) => {
  const result = report.topics.find((t) => t.name === name);
  if (!result) throw new Error(`no result for ${name} in ${JSON.stringify(report)}`);
  return result;
};

describe('applyTopics against a real broker', () => {
  let first: ApplyTopicsReport;

  beforeAll(async () => {
    first = await applyTopics(infra.kafkaBrokers, specs);
  });

  afterAll(async () => {
    const kafka = new kafkajs.Kafka({
      clientId: 'topics-apply-cleanup',
      brokers: infra.kafkaBrokers,
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const ours = names.filter((n) => existing.has(n));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    } finally {
      await admin.disconnect();
    }
  });

  it('creates every missing topic, capping the replication factor with a warning that names the topic', () => {
    expect(first.brokerCount).toBe(infra.brokerCount);
    expect(first.topics.map((t) => [t.name, t.action])).toEqual(names.map((n) => [n, 'created']));
    expect(first.hasDrift).toBe(false);
    for (const spec of specs) {
      const result = byName(first, spec.name);
      expect(result.kind).toBe(spec.kind);
      expect(result.changes).toEqual([
        {
          kind: 'create',
          partitions: spec.partitions,
          replicationFactor: expectedRf(spec),
          config: spec.config,
        },
      ]);
    }
    expect(byName(first, ORDERS).warnings).toEqual([]);
    const auditWarnings = byName(first, AUDIT).warnings;
    if (infra.brokerCount < 3) {
      expect(auditWarnings).toHaveLength(1);
      expect(auditWarnings[0]).toContain(AUDIT);
      expect(auditWarnings[0]).toContain(`replication factor 3 asked, ${infra.brokerCount} applied`);
    } else {
      expect(auditWarnings).toEqual([]);
    }
  });

  it('reads back what the contract asked for from the broker', async () => {
    const state = await describeTopics(infra.kafkaBrokers, names, { configKeys });
    expect(state).toEqual(
      specs.map((spec) => ({
        name: spec.name,
        exists: true,
        partitions: spec.partitions,
        replicationFactor: expectedRf(spec),
        config: expect.objectContaining(spec.config),
      })),
    );
    // describeTopics reports a missing topic as missing instead of failing.
    const [missing] = await describeTopics(infra.kafkaBrokers, [`it.never.created.${run}`]);
    expect(missing).toEqual({
      name: `it.never.created.${run}`,
      exists: false,
      partitions: 0,
      replicationFactor: 0,
      config: {},
    });
  });

  it('changes nothing on a second run', async () => {
    const again = await applyTopics(infra.kafkaBrokers, specs);
    expect(again.topics.map((t) => [t.name, t.action])).toEqual(names.map((n) => [n, 'unchanged']));
    for (const topic of again.topics) {
      expect(topic.changes).toEqual([]);
      expect(topic.drift).toEqual([]);
    }
  });

  it('updates only the config keys the contract names, and keeps the topic’s other overrides', async () => {
    // An override the next contract version no longer names: it must survive.
    const withExtra = await applyTopics(infra.kafkaBrokers, [
      { ...audit, config: { ...audit.config, 'max.message.bytes': '2097152' } },
    ]);
    expect(byName(withExtra, AUDIT).action).toBe('updated');

    const logged: string[] = [];
    const changed = await applyTopics(
      infra.kafkaBrokers,
      [orders, ordersDlt, { ...audit, config: { ...audit.config, 'retention.ms': WEEK_MS } }],
      { logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m) } },
    );
    expect(changed.topics.map((t) => [t.name, t.action])).toEqual([
      [ORDERS, 'unchanged'],
      [ORDERS_DLT, 'unchanged'],
      [AUDIT, 'updated'],
    ]);
    expect(byName(changed, AUDIT).changes).toEqual([
      { kind: 'config', key: 'retention.ms', from: DAY_MS, to: WEEK_MS },
    ]);
    expect(logged.some((m) => m.includes(AUDIT) && m.includes('retention.ms'))).toBe(true);

    const [state] = await describeTopics(infra.kafkaBrokers, [AUDIT], { configKeys });
    expect(state?.config).toEqual({
      'retention.ms': WEEK_MS,
      // kafkajs's AlterConfigs replaces all overrides: the seam must carry these along.
      'cleanup.policy': 'compact',
      'max.message.bytes': '2097152',
    });
    // describeTopics without configKeys: the topic's own overrides.
    const [overrides] = await describeTopics(infra.kafkaBrokers, [AUDIT]);
    expect(overrides?.config).toEqual(state?.config);
  });

  it('reports more partitions on the broker than in the contract as drift and leaves the topic alone', async () => {
    const report = await applyTopics(infra.kafkaBrokers, [{ ...orders, partitions: 1 }]);
    const result = byName(report, ORDERS);
    expect(result.action).toBe('unchanged');
    expect(result.changes).toEqual([]);
    expect(report.hasDrift).toBe(true);
    expect(result.drift).toHaveLength(1);
    expect(result.drift[0]).toMatchObject({ kind: 'partitions-above-contract', expected: 1, actual: 3 });
    expect(result.drift[0]?.message).toContain(ORDERS);

    const [state] = await describeTopics(infra.kafkaBrokers, [ORDERS]);
    expect(state?.partitions).toBe(3);
  });

  it('raises partitions only when allowed, and reports the shortfall otherwise', async () => {
    const refused = await applyTopics(infra.kafkaBrokers, [{ ...ordersDlt, partitions: 2 }]);
    const refusedResult = byName(refused, ORDERS_DLT);
    expect(refusedResult.action).toBe('unchanged');
    expect(refusedResult.drift).toEqual([
      expect.objectContaining({ kind: 'partitions-below-contract', expected: 2, actual: 1 }),
    ]);
    expect((await describeTopics(infra.kafkaBrokers, [ORDERS_DLT]))[0]?.partitions).toBe(1);

    const allowed = await applyTopics(infra.kafkaBrokers, [{ ...ordersDlt, partitions: 2 }], {
      allowPartitionIncrease: true,
    });
    const allowedResult = byName(allowed, ORDERS_DLT);
    expect(allowedResult.action).toBe('updated');
    expect(allowedResult.changes).toEqual([{ kind: 'partitions', from: 1, to: 2 }]);
    expect(allowedResult.drift).toEqual([]);
    expect((await describeTopics(infra.kafkaBrokers, [ORDERS_DLT]))[0]?.partitions).toBe(2);
  });

  it('refuses invalid specs before touching the broker', async () => {
    await expect(
      applyTopics(infra.kafkaBrokers, [
        { ...orders, name: 'bad name!' },
        { ...orders, partitions: 0 },
      ]),
    ).rejects.toThrow(/not a legal Kafka topic name[\s\S]*partitions must be an integer >= 1/);
  });
});
