/**
 * The runtime ports a test builds, on the client library the run chose (`KAFKA_CLIENT`,
 * @platformatic/kafka by default: runtime/kafka/client.ts), against the test broker. Tests that only
 * read or write records to check what the runtime did may use raw kafkajs instead.
 */

import type { Logger } from '../../runtime/core/logger.ts';
import { createKafkaClients, type KafkaClients } from '../../runtime/kafka/client.ts';
import { useInfrastructure } from './context.ts';

export function testKafkaClients(clientId = 'contract-events-test', logger?: Logger): KafkaClients {
  return createKafkaClients({
    brokers: useInfrastructure().kafkaBrokers,
    clientId,
    ...(logger ? { logger } : {}),
  });
}
