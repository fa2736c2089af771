/** How long the service kit keeps processed-event rows: from the retention of the topics a service's groups read. */
import { describe, expect, it } from 'vitest';
import {
  analyticsConsumerGroup,
  friendProfileCacheGroup,
  notificationConsumerGroup,
  topicSpecs,
} from '../../generated/index.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import { DAY_MS, processedEventsRetentionMs } from '../../services/shared/pruning.ts';

/** A group reading topics with these retention.ms values (undefined: none configured). */
function groupOf(...retentions: (string | undefined)[]): ConsumerGroupDefinition {
  const base = friendProfileCacheGroup.subscriptions[0]!;
  return {
    groupId: 'pruning-test',
    context: 'test',
    subscriptions: retentions.map((retention, i) => ({
      ...base,
      topic: {
        ...base.topic,
        name: `pruning.test.${i}`,
        spec: {
          ...base.topic.spec,
          name: `pruning.test.${i}`,
          config: retention === undefined ? ({} as Record<string, string>) : { 'retention.ms': retention },
        },
      },
    })),
  };
}

describe('processedEventsRetentionMs', () => {
  it('is the longest retention.ms of the groups’ topics plus a day', () => {
    expect(processedEventsRetentionMs([groupOf(String(3 * DAY_MS), String(10 * DAY_MS))])).toBe(11 * DAY_MS);
    expect(
      processedEventsRetentionMs([groupOf(String(2 * DAY_MS)), groupOf(String(5 * DAY_MS), '3600000')]),
    ).toBe(6 * DAY_MS);
  });

  it('reads the generated topic specs: 7 days + 1 for the chat groups, even with user.online_status’s hour', () => {
    const retention = (name: string) =>
      Number(topicSpecs.find((t) => t.name === name)?.config['retention.ms']);
    expect(retention('user.online_status')).toBe(3_600_000);
    expect(retention('user.events')).toBe(7 * DAY_MS);
    expect(processedEventsRetentionMs([notificationConsumerGroup])).toBe(8 * DAY_MS);
    expect(processedEventsRetentionMs([analyticsConsumerGroup])).toBe(8 * DAY_MS);
    expect(processedEventsRetentionMs([friendProfileCacheGroup])).toBe(8 * DAY_MS);
  });

  it('takes Kafka’s default week for a topic without retention.ms, and keeps everything for one that keeps records forever', () => {
    expect(processedEventsRetentionMs([groupOf(undefined, String(DAY_MS))])).toBe(8 * DAY_MS);
    expect(processedEventsRetentionMs([groupOf(String(DAY_MS), '-1')])).toBeUndefined();
  });

  it('refuses a retention.ms that is not a number, naming the topic and group', () => {
    expect(() => processedEventsRetentionMs([groupOf('a week')])).toThrow(
      'topic pruning.test.0 (group pruning-test): retention.ms "a week" is not a number of milliseconds',
    );
  });
});
