/**
 * The topics the contracts define, applied to the real broker the harness
 * found, read back and compared with the contracts: partitions, replication
 * (capped to the broker count), and every configuration value the contracts
 * name. A second apply changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { catalog, topicSpecs } from '../../generated/index.ts';
import { applyTopics, describeTopics } from '../../runtime/topics/apply.ts';
import { useInfrastructure } from '../support/context.ts';

const infra = useInfrastructure();

describe('contract topics on a real broker', () => {
  it('covers every topic of the catalog, each event topic with its dead-letter topic', () => {
    expect(topicSpecs.map((s) => s.name).sort()).toEqual(catalog.topics.map((t) => t.name).sort());
    for (const spec of topicSpecs.filter((s) => s.kind === 'event' && s.deadLetterTopic)) {
      expect(topicSpecs.some((d) => d.name === spec.deadLetterTopic && d.deadLetterFor === spec.name)).toBe(
        true,
      );
    }
  });

  it('applies them and reads them back as the contracts say', async () => {
    const report = await applyTopics(infra.kafkaBrokers, topicSpecs);
    expect(report.hasDrift).toBe(false);
    const configKeys = [...new Set(topicSpecs.flatMap((s) => Object.keys(s.config)))];
    const states = await describeTopics(
      infra.kafkaBrokers,
      topicSpecs.map((s) => s.name),
      { configKeys },
    );
    for (const spec of topicSpecs) {
      const state = states.find((s) => s.name === spec.name);
      const rf = Math.min(spec.replicas, infra.brokerCount);
      expect(state, spec.name).toMatchObject({
        exists: true,
        partitions: spec.partitions,
        replicationFactor: rf,
      });
      for (const [key, value] of Object.entries(spec.config)) {
        const want = key === 'min.insync.replicas' ? String(Math.min(Number(value), rf)) : value;
        expect(state?.config[key], `${spec.name} ${key}`).toBe(want);
      }
    }
  });

  it('is idempotent: applying again leaves every topic unchanged', async () => {
    const again = await applyTopics(infra.kafkaBrokers, topicSpecs);
    expect(again.topics.map((t) => [t.name, t.action])).toEqual(topicSpecs.map((s) => [s.name, 'unchanged']));
  });

  it('matches the seed table for the chat product', () => {
    const table: Record<string, [number, number, string]> = {
      'user.events': [3, 3, '604800000'],
      'user.online_status': [6, 3, '3600000'],
      'friend.events': [3, 3, '604800000'],
      'chat.events': [3, 3, '604800000'],
      'message.events': [10, 3, '604800000'],
      'notification.events': [3, 3, '604800000'],
    };
    for (const [name, [partitions, replicas, retention]] of Object.entries(table)) {
      const spec = topicSpecs.find((s) => s.name === name);
      expect(spec, name).toMatchObject({
        partitions,
        replicas,
        config: expect.objectContaining({ 'retention.ms': retention }),
      });
      expect(
        topicSpecs.find((s) => s.name === `${name}.dlq`),
        `${name}.dlq`,
      ).toBeDefined();
    }
  });
});
