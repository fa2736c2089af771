/**
 * `TopicAdmin.setTopicConfigs` on the real broker, with both real admins in
 * every run (so this file allows the other client's ports): the in-memory
 * admin of runtime/topics/apply.test.ts merges the call into the topic's
 * overrides, and this shows the real ones do the same, although the broker's
 * AlterConfigs (all kafkajs has) replaces them.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { TopicAdmin } from '../../runtime/topics/admin.ts';
import { connectKafkajsAdmin } from '../../runtime/topics/kafkajs-admin.ts';
import { connectPlatformaticAdmin } from '../../runtime/topics/platformatic-admin.ts';
import { allowOtherClientPorts } from '../support/client-guard.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';

allowOtherClientPorts("compares both clients' topic admins on the same calls");

const infra = useInfrastructure();
const run = randomBytes(4).toString('hex');
const WEEK_MS = '604800000';
const DAY_MS = '86400000';

/**
 * The in-memory admin of runtime/topics/apply.test.ts merges a `setTopicConfigs`
 * call into the topic's overrides. The broker's AlterConfigs REPLACES them; the
 * seam promises incremental, so each real admin must turn the same call into
 * a merge on the broker, whichever client this run uses for everything else.
 */
describe('setTopicConfigs on the broker, with each real admin', () => {
  const admins = [
    ['kafkajs', () => connectKafkajsAdmin({ brokers: infra.kafkaBrokers, clientId: `admin-merge-${run}` })],
    [
      'platformatic',
      () => connectPlatformaticAdmin({ brokers: infra.kafkaBrokers, clientId: `admin-merge-${run}` }),
    ],
  ] as const;
  const topicOverrides = async (admin: TopicAdmin, name: string) =>
    Object.fromEntries(
      ((await admin.describeTopicConfigs([name])).get(name) ?? [])
        .filter((e) => e.origin === 'topic')
        .map((e) => [e.name, e.value]),
    );

  /**
   * The broker answers DescribeConfigs from its metadata cache, which may lag a change just
   * committed for a moment: read until the overrides are `want`, then compare the last read.
   */
  const settled = async (admin: TopicAdmin, name: string, want: Record<string, string>) => {
    const last = await eventually(
      () => topicOverrides(admin, name),
      (got) => isDeepStrictEqual(got, want),
      10_000,
      `the overrides of ${name}`,
      100,
    ).catch(() => topicOverrides(admin, name));
    expect(last).toEqual(want);
  };

  it('kafkajs’s raw AlterConfigs replaces the topic’s overrides: the behaviour the seam must hide', async () => {
    const name = `it.admin.raw.${run}`;
    const admin = await connectKafkajsAdmin({ brokers: infra.kafkaBrokers, clientId: `admin-raw-${run}` });
    const kafka = new kafkajs.Kafka({
      clientId: `admin-raw-${run}`,
      brokers: infra.kafkaBrokers,
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const raw = kafka.admin();
    await raw.connect();
    try {
      await admin.createTopic({
        name,
        partitions: 1,
        replicationFactor: 1,
        config: { 'retention.ms': DAY_MS, 'cleanup.policy': 'compact' },
      });
      await raw.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name,
            configEntries: [{ name: 'retention.ms', value: WEEK_MS }],
          },
        ],
      });
      await settled(admin, name, { 'retention.ms': WEEK_MS });
    } finally {
      await raw.deleteTopics({ topics: [name] }).catch(() => {});
      await raw.disconnect();
      await admin.close();
    }
  });

  it.each(admins)(
    '%s: sets the keys it is given and keeps every other override, like the in-memory admin',
    async (label, connect) => {
      const name = `it.admin.merge.${label}.${run}`;
      const admin = await connect();
      try {
        await admin.createTopic({
          name,
          partitions: 1,
          replicationFactor: 1,
          config: { 'retention.ms': DAY_MS, 'cleanup.policy': 'compact', 'max.message.bytes': '2097152' },
        });
        await admin.setTopicConfigs(name, { 'retention.ms': WEEK_MS, 'segment.ms': DAY_MS });
        await settled(admin, name, {
          'retention.ms': WEEK_MS,
          'segment.ms': DAY_MS,
          'cleanup.policy': 'compact',
          'max.message.bytes': '2097152',
        });
      } finally {
        const kafka = new kafkajs.Kafka({
          clientId: `admin-merge-cleanup-${run}`,
          brokers: infra.kafkaBrokers,
          logLevel: kafkajs.logLevel.NOTHING,
        });
        const cleanup = kafka.admin();
        await cleanup.connect();
        await cleanup.deleteTopics({ topics: [name] }).catch(() => {});
        await cleanup.disconnect();
        await admin.close();
      }
    },
  );
});
