/**
 * `maxBytesPerPartition` reaches the fetch on either client (the integration project runs under
 * both): with a budget smaller than one record batch, the broker answers each fetch with the
 * partition's next batch only, so the twenty single-record batches written here come one per
 * handed batch; with the default budget they come together.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaConsumerPort } from '../../runtime/kafka/consumer-port.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { createTopic, deleteTopics, runId } from '../support/outbox-fixtures.ts';

const { kafkaBrokers } = useInfrastructure();
const run = runId();
const name = `fetch-size.${run}`;
const clients = testKafkaClients('fetch-size-test');
const ports: KafkaConsumerPort[] = [];

afterAll(async () => {
  await Promise.all(ports.map((p) => p.stop().catch(() => {})));
  await deleteTopics(kafkaBrokers, [name]);
});

/** The sizes of the batches a new group's member is handed until it has seen every record. */
async function batchSizes(groupId: string, maxBytesPerPartition?: number): Promise<number[]> {
  const sizes: number[] = [];
  const port = clients.consumer({
    groupId,
    maxWaitTimeMs: 200,
    ...(maxBytesPerPartition !== undefined ? { maxBytesPerPartition } : {}),
  });
  ports.push(port);
  await port.start([name], async (batch, scope) => {
    sizes.push(batch.records.length);
    for (const record of batch.records) scope.acknowledge(record.offset);
  });
  await eventually(
    () => sizes.reduce((a, b) => a + b, 0),
    (n) => n >= 20,
    30_000,
    `group ${groupId} to see all 20 records`,
  );
  await port.stop();
  return sizes;
}

describe(`the fetch budget per partition (${clients.client})`, () => {
  it('bounds what one fetch hands over', async () => {
    await createTopic(kafkaBrokers, name, 1);
    const producer = clients.producer();
    await producer.connect();
    try {
      // One send per record: twenty record batches of one record each.
      for (let i = 0; i < 20; i++) {
        await producer.send([{ topic: name, key: `k${i}`, value: `record ${i}`, headers: {} }]);
      }
    } finally {
      await producer.disconnect();
    }
    const small = await batchSizes(`fetch-size-small-${run}`, 1);
    expect(small.every((n) => n === 1)).toBe(true);
    expect(small).toHaveLength(20);
    const whole = await batchSizes(`fetch-size-default-${run}`);
    expect(whole).toEqual([20]);
  });
});
