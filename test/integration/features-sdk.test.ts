/**
 * The feature fixture's SDK (test/fixtures/features: strict contracts) on the
 * real broker, for the two things its golden text alone cannot prove: an
 * event whose topic comes from a payload field (`tenant.{tenantId}.orders`,
 * parameter location `$message.payload#/tenantId`) lands on its tenant's
 * topic, and an event whose payload the contract declares in Avro travels as
 * JSON and reaches the generated consumer group validated.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  catalogPublisher,
  createCatalogReadersGroup,
  eventExamples,
  tenantOrdersPublisher,
  topicSpecs,
} from '../fixtures/features/expected/index.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { readTopic, recordingLogger, waitFor } from './consumer-support.ts';

const infra = useInfrastructure();
const run = randomUUID().slice(0, 8);

describe('the feature fixture SDK on the broker', () => {
  const metrics = new RuntimeMetrics();
  const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 4 });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `features-sdk-${run}` });
  const port = testKafkaClients().producer();
  const consumers = createConsumerRuntime({
    kafka: testKafkaClients(),
    pool,
    deadLetterProducer: port,
    metrics,
    logger: recordingLogger(),
  });
  const producer = createEventProducer({ producer: port, metrics });
  const seen: ReceivedEvent<string, unknown, unknown>[] = [];

  beforeAll(async () => {
    await migrate(pool);
    await applyTopics(infra.kafkaBrokers, topicSpecs);
    await port.connect();
    const group = createCatalogReadersGroup(
      consumers,
      {
        catalog: {
          CategoryChanged: (event) => void seen.push(event),
          PriceChanged: (event) => void seen.push(event),
        },
      },
      { groupId: `catalog-readers-${run}`, startFrom: 'earliest' },
    );
    await group.ready;
  });

  afterAll(async () => {
    await consumers.stopAll();
    await port.disconnect();
    await pool.end();
  });

  it("publishes an event to the topic its payload's tenant names", async () => {
    const example = eventExamples.OrderPlaced[0]!.payload;
    const orderId = randomUUID();
    const receipt = await tenantOrdersPublisher(producer).publish({
      type: 'OrderPlaced',
      payload: { ...example, tenantId: 'globex', orderId },
    });
    expect(receipt.topic).toBe('tenant.globex.orders');
    const record = await waitFor('the order on tenant.globex.orders', async () =>
      (await readTopic(kafka, 'tenant.globex.orders', 5_000)).find(
        (r) => r.headers.ce_id?.toString() === receipt.id,
      ),
    );
    expect(JSON.parse(record.value!.toString())).toMatchObject({ tenantId: 'globex', orderId });
    expect(record.headers.ce_type?.toString()).toBe('OrderPlaced');
    expect(record.key?.toString()).toBe(receipt.key);
  });

  it('sends an Avro-declared payload as JSON; the consumer group receives it validated', async () => {
    const payload = { sku: `sku-${run}`, cents: 1299, currency: 'EUR' as const, previous: null };
    const receipt = await catalogPublisher(producer).publish({ type: 'PriceChanged', payload });
    const event = await waitFor('PriceChanged at the consumer group', () =>
      seen.find((e) => e.id === receipt.id),
    );
    expect(event).toMatchObject({ type: 'PriceChanged', topic: 'catalog.events', payload });
    const record = (await readTopic(kafka, 'catalog.events', 5_000)).find(
      (r) => r.headers.ce_id?.toString() === receipt.id,
    );
    expect(record?.headers['content-type']?.toString()).toBe('application/json');
    expect(JSON.parse(record!.value!.toString())).toEqual(payload);
  });

  it('refuses an Avro-declared payload that breaks its schema before sending', async () => {
    await expect(
      catalogPublisher(producer).publish({
        type: 'PriceChanged',
        payload: { sku: 'x', cents: 1.5, currency: 'GBP' } as never,
      }),
    ).rejects.toThrow(/PriceChanged payload breaks its contract/);
  });
});
