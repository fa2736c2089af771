/**
 * The client matrix is real: `npm test` runs the integration project under kafkajs and again
 * under `KAFKA_CLIENT=platformatic`. Under each, the ports tests build (and the consumer
 * runtime's ports) are the chosen library's; test/support/client-guard.ts fails any file
 * that built a kafkajs port under platformatic.
 */
import { describe, expect, it } from 'vitest';
import { clientOfPort, kafkaClientFromEnv } from '../../runtime/kafka/client.ts';
import { portsBuilt } from '../../runtime/kafka/ports-built.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';

const chosen = kafkaClientFromEnv();

describe(`the Kafka client of this run (${chosen})`, () => {
  it('builds producer, consumer and admin ports of the library KAFKA_CLIENT names', async () => {
    const clients = testKafkaClients('client-matrix-test');
    expect(clients.client).toBe(chosen);
    expect(clientOfPort(clients.producer())).toBe(chosen);
    expect(clientOfPort(clients.consumer({ groupId: 'client-matrix-test' }))).toBe(chosen);
    const admin = await clients.admin();
    try {
      expect(clientOfPort(admin)).toBe(chosen);
      expect((await admin.describeCluster()).brokers.length).toBeGreaterThan(0);
    } finally {
      await admin.close();
    }
    const other = chosen === 'kafkajs' ? 'platformatic' : 'kafkajs';
    expect(Object.values(portsBuilt()[other]).every((n) => n === 0)).toBe(true);
  });
});
