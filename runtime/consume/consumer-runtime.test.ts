/**
 * What `createConsumerRuntime` hands the consumer port: the group's settings, static membership
 * and the group protocol included, and a kafkajs client refusing what kafkajs cannot do.
 * No broker: the port factory records its settings and never starts.
 */
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import type { ConsumerGroupDefinition } from '../contract/definitions.ts';
import { createKafka } from '../kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import { type ConsumerPortSettings, createConsumerRuntime } from './consumer-runtime.ts';

const group: ConsumerGroupDefinition = { groupId: 'test-group', context: 'test', subscriptions: [] };
const pool = { options: { max: 10 }, query: async () => ({ rows: [] }) } as unknown as Pool;
const producer: KafkaProducerPort = {
  connect: async () => {},
  send: async () => [],
  disconnect: async () => {},
};

describe('createConsumerRuntime', () => {
  it('passes static membership and the group protocol to the port', () => {
    const seen: ConsumerPortSettings[] = [];
    const runtime = createConsumerRuntime({
      kafka: (settings) => {
        seen.push(settings);
        return { start: async () => {}, stop: async () => {} };
      },
      pool,
      deadLetterProducer: producer,
      groupInstanceId: 'notification-0',
      groupProtocol: 'consumer',
      sessionTimeoutMs: 10_000,
    });
    const consumer = runtime.create(group, {});
    consumer.ready.catch(() => {});
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      groupId: 'test-group',
      groupInstanceId: 'notification-0',
      groupProtocol: 'consumer',
      sessionTimeoutMs: 10_000,
    });
  });

  it('refuses static membership on a kafkajs client, naming the group', () => {
    const runtime = createConsumerRuntime({
      kafka: createKafka({ brokers: ['127.0.0.1:1'] }),
      pool,
      deadLetterProducer: producer,
      groupInstanceId: 'notification-0',
    });
    expect(() => runtime.create(group, {})).toThrow(
      /consumer of group test-group: kafkajs supports neither static membership/,
    );
  });
});
