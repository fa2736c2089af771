/**
 * The SDK generated leniently from a third party's documents
 * (test/fixtures/lenient: no partition-key expression, no dead-letter channel,
 * a channel parameter without a location, a dotted event name, a scalar
 * payload) works on the real broker: the publisher passes the key and the
 * site, the consumer group reads every site by pattern and receives the site
 * parsed from the topic name, a keyless event goes out with a null key, and a
 * poison record is dead-lettered to its own site's defaulted `.dlq` topic.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { EventValidationError } from '../../runtime/produce/errors.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  alertsPublisher,
  createDashboardGroup,
  readingsPublisher,
  readingsTopic,
  topicSpecs,
} from '../fixtures/lenient/expected/index.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  connectProducer,
  dropSchema,
  prepareSchema,
  produce,
  readTopic,
  recordingLogger,
  runId,
  schemaPool,
  testKafka,
  waitFor,
} from './consumer-support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `lenient_sdk_${run}`;

type Seen = ReceivedEvent<string, unknown, unknown>;

describe('a leniently generated SDK on the broker', () => {
  let kafka: Kafka;
  let pool: pg.Pool;
  let port: KafkaProducerPort;
  let raw: Producer;
  let consumers: ConsumerRuntime;
  const seen: Seen[] = [];

  beforeAll(async () => {
    kafka = testKafka(infra.kafkaBrokers, `lenient-sdk-${run}`);
    await prepareSchema(infra.databaseUrl, schema);
    pool = schemaPool(infra.databaseUrl, schema);
    // Every site is an enum value, so the concrete topics and their dead-letter topics exist up front.
    await applyTopics(infra.kafkaBrokers, topicSpecs);
    port = testKafkaClients().producer();
    await port.connect();
    raw = await connectProducer(kafka);
    consumers = createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: port,
      metrics: new RuntimeMetrics(),
      logger: recordingLogger(),
    });
    const group = createDashboardGroup(
      consumers,
      {
        readings: { 'com.example.sensor.Reading': (event) => void seen.push(event) },
        alerts: { SensorAlert: (event) => void seen.push(event) },
      },
      // A fresh group from the earliest offset: with `latest`, a partition whose position the member
      // resolves only after this test has published (a loaded machine) would skip its events. Earlier
      // runs' events on these shared topics are read too and filtered out by id.
      { groupId: `dashboard-${run}`, startFrom: 'earliest' },
    );
    await group.ready;
  });

  afterAll(async () => {
    await consumers?.stopAll();
    await raw?.disconnect();
    await port?.disconnect();
    await pool?.end();
    await dropSchema(infra.databaseUrl, schema);
  });

  it('creates one topic and one dead-letter topic per site, and no template names', () => {
    expect(topicSpecs.map((t) => t.name)).toEqual([
      'sensor.alerts',
      'sensor.alerts.dlq',
      'sensor.north.readings',
      'sensor.north.readings.dlq',
      'sensor.south.readings',
      'sensor.south.readings.dlq',
    ]);
  });

  it('publishes with the key and site the caller passes; the consumer receives the site parsed back', async () => {
    const producer = createEventProducer({ producer: port, metrics: new RuntimeMetrics() });
    const readings = readingsPublisher(producer);
    const sensorId = Math.floor(Math.random() * 1_000_000);
    const north = await readings.publish({
      type: 'com.example.sensor.Reading',
      payload: { sensorId, value: 21.5, unit: 'celsius' },
      key: sensorId,
      parameters: { site: 'north' },
    });
    const south = await readings.publish({
      type: 'com.example.sensor.Reading',
      payload: { sensorId, value: 4, unit: 'celsius' },
      key: sensorId,
      parameters: { site: 'south' },
    });
    expect([north.topic, south.topic]).toEqual(['sensor.north.readings', 'sensor.south.readings']);
    expect(north.key).toBe(String(sensorId));
    const alert = await alertsPublisher(producer).publish({ type: 'SensorAlert', payload: `hot ${run}` });
    expect(alert.key).toBeNull();

    const received = await waitFor('the three events', () => {
      const mine = seen.filter((e) => [north.id, south.id, alert.id].includes(e.id));
      return mine.length === 3 ? mine : undefined;
    });
    const byId = new Map(received.map((e) => [e.id, e]));
    expect(byId.get(north.id)).toMatchObject({
      type: 'com.example.sensor.Reading',
      key: String(sensorId),
      parameters: { site: 'north' },
      topic: 'sensor.north.readings',
      payload: { sensorId, value: 21.5 },
    });
    expect(byId.get(south.id)?.parameters).toEqual({ site: 'south' });
    expect(byId.get(alert.id)).toMatchObject({ key: null, parameters: {}, payload: `hot ${run}` });
    expect(byId.get(north.id)?.headers).toMatchObject({ ce_type: 'com.example.sensor.Reading' });
  });

  it('refuses a site outside the enum and a missing key before sending anything', async () => {
    const readings = readingsPublisher(
      createEventProducer({ producer: port, metrics: new RuntimeMetrics() }),
    );
    const payload = { sensorId: 1, value: 1 };
    await expect(
      readings.publish({
        type: 'com.example.sensor.Reading',
        payload,
        key: 1,
        parameters: { site: 'east' as 'north' },
      }),
    ).rejects.toThrow(/parameters\/site must be one of north, south/);
    const missingKey = readings.publish({
      type: 'com.example.sensor.Reading',
      payload,
      parameters: { site: 'north' },
    } as never);
    await expect(missingKey).rejects.toBeInstanceOf(EventValidationError);
    await expect(missingKey).rejects.toThrow(/\/key is required/);
  });

  it("dead-letters a poison record to its own site's defaulted dead-letter topic", async () => {
    const marker = randomUUID();
    await produce(raw, 'sensor.south.readings', [
      {
        key: marker,
        value: Buffer.from('{not json'),
        headers: {
          ce_type: 'com.example.sensor.Reading',
          ce_id: marker,
          ce_specversion: '1.0',
          ce_source: 'urn:test',
        },
      },
    ]);
    expect(readingsTopic.spec.deadLetterTopic).toBe('sensor.{site}.readings.dlq');
    const dead = await waitFor('the dead letter', async () =>
      (await readTopic(kafka, 'sensor.south.readings.dlq', 5_000)).find((r) => r.key?.toString() === marker),
    );
    expect(dead.headers['kafka_dlt-original-topic']?.toString()).toBe('sensor.south.readings');
  });
});
