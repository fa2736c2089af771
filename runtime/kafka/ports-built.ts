/**
 * How many runtime ports each Kafka client library has built in this process. The adapters
 * note every port they create, so a test run can prove which library its ports used
 * (`KAFKA_CLIENT=platformatic` must build no kafkajs port: test/support/client-guard.ts).
 */
export type PortClient = 'kafkajs' | 'platformatic';
export type PortKind = 'producer' | 'consumer' | 'admin';

const counts: Record<PortClient, Record<PortKind, number>> = {
  kafkajs: { producer: 0, consumer: 0, admin: 0 },
  platformatic: { producer: 0, consumer: 0, admin: 0 },
};

export function notePortBuilt(client: PortClient, kind: PortKind): void {
  counts[client][kind]++;
}

/** A snapshot of the counts. */
export function portsBuilt(): Record<PortClient, Record<PortKind, number>> {
  return { kafkajs: { ...counts.kafkajs }, platformatic: { ...counts.platformatic } };
}
