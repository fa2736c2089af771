/**
 * The test run has a Kafka of its own: what the tests write (topics, consumer
 * groups, events) never lands on the broker `npm start` and `npm run demo` use
 * by default (127.0.0.1:9092), so a developer's system shows none of it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nativeBrokers } from '../../infra/kafka/native.ts';
import { probeKafka } from '../../infra/kafka/probe.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { useInfrastructure } from '../support/context.ts';
import { npmStartDefaultBrokers, testKafkaConfig } from '../support/infrastructure.ts';
import { createTopic, deleteTopics, runId } from '../support/outbox-fixtures.ts';

const infra = useInfrastructure();
const startBrokers = npmStartDefaultBrokers();
const explicitBrokers = process.env.KAFKA_BROKERS?.split(',')
  .map((b) => b.trim())
  .filter(Boolean);
/** The run was told to use npm start's broker (KAFKA_BROKERS or KAFKA_NATIVE_PORT naming it): that choice wins. */
const toldToShare =
  (explicitBrokers ?? []).some((b) => startBrokers.includes(b)) ||
  (!explicitBrokers && nativeBrokers(testKafkaConfig()).some((b) => startBrokers.includes(b)));
const topic = `test-broker-check-${runId()}`;

afterAll(async () => {
  await deleteTopics(infra.kafkaBrokers, [topic]);
});

describe('the test run’s Kafka', () => {
  it('is the test profile’s native broker (127.0.0.1:19092 unless KAFKA_NATIVE_PORT says otherwise), or what KAFKA_BROKERS names', () => {
    if (explicitBrokers) expect(infra.kafkaBrokers).toEqual(explicitBrokers);
    else if (infra.source === 'native') expect(infra.kafkaBrokers).toEqual(nativeBrokers(testKafkaConfig()));
    else expect(infra.source).toBe('testcontainers');
  });

  it('is another cluster than npm start’s default broker, and what the tests write never reaches that one', async () => {
    const ours = await probeKafka(infra.kafkaBrokers);
    if (!ours.ok) throw new Error(`the test broker does not answer: ${ours.error}`);
    const theirs = await probeKafka(startBrokers, 2000);
    if (theirs.ok && theirs.clusterId === ours.clusterId) {
      // Sharing is only ever a choice someone made explicitly.
      expect(
        toldToShare,
        `the tests run on npm start's broker ${startBrokers.join(',')} without being told to`,
      ).toBe(true);
      return;
    }
    await createTopic(infra.kafkaBrokers, topic, 1);
    const admin = createKafka({ brokers: infra.kafkaBrokers, clientId: 'test-broker-check' }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
    if (!theirs.ok) return; // nothing runs on npm start's address: nothing there to protect
    const start = createKafka({ brokers: startBrokers, clientId: 'test-broker-check' }).admin();
    await start.connect();
    try {
      expect(await start.listTopics()).not.toContain(topic);
    } finally {
      await start.disconnect();
    }
  });
});
