/**
 * Setup file of the integration project: under `KAFKA_CLIENT=platformatic` a test file that
 * built a kafkajs runtime port (a producer, consumer or topic admin from the kafkajs adapters,
 * not raw kafkajs used to check records) fails, so no test quietly runs on kafkajs twice.
 * A file that compares the clients on purpose says so with `allowKafkajsPorts`.
 */
import { afterAll } from 'vitest';
import { kafkaClientFromEnv } from '../../runtime/kafka/client.ts';
import { portsBuilt } from '../../runtime/kafka/ports-built.ts';

let allowed: string | undefined;

/** This file builds kafkajs ports on purpose (`reason` says why), whatever KAFKA_CLIENT says. */
export function allowKafkajsPorts(reason: string): void {
  allowed = reason;
}

afterAll(() => {
  if (kafkaClientFromEnv() !== 'platformatic' || allowed !== undefined) return;
  const built = portsBuilt().kafkajs;
  const kinds = Object.entries(built).filter(([, n]) => n > 0);
  if (kinds.length > 0) {
    throw new Error(
      `KAFKA_CLIENT=platformatic, but this file built kafkajs runtime ports (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}): build them with testKafkaClients() (test/support/kafka-clients.ts)`,
    );
  }
});
