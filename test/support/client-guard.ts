/**
 * Setup file of the integration project: a test file that built runtime ports (producers,
 * consumers, topic admins from the adapters; raw kafkajs used to check records does not count)
 * of the client the run did not choose fails, so no test quietly runs on one client twice.
 * `npm test` runs the project on @platformatic/kafka (the default) and again with
 * `KAFKA_CLIENT=kafkajs`. A file that builds the other client's ports on purpose (comparing the
 * clients, or a feature only one has) says so with `allowOtherClientPorts`.
 */
import { afterAll } from 'vitest';
import { KAFKA_CLIENT_NAMES, kafkaClientFromEnv } from '../../runtime/kafka/client.ts';
import { portsBuilt } from '../../runtime/kafka/ports-built.ts';

let allowed: string | undefined;

/** This file builds ports of a client the run did not choose on purpose (`reason` says why). */
export function allowOtherClientPorts(reason: string): void {
  allowed = reason;
}

afterAll(() => {
  if (allowed !== undefined) return;
  const chosen = kafkaClientFromEnv();
  for (const other of KAFKA_CLIENT_NAMES) {
    if (other === chosen) continue;
    const kinds = Object.entries(portsBuilt()[other]).filter(([, n]) => n > 0);
    if (kinds.length > 0) {
      throw new Error(
        `this run is on ${chosen}, but this file built ${other} runtime ports (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}): build them with testKafkaClients() (test/support/kafka-clients.ts)`,
      );
    }
  }
});
