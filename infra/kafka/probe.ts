/** Does something on these addresses answer as a Kafka broker that serves admin requests? */
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import type { TopicAdmin } from '../../runtime/topics/admin.ts';

export type KafkaProbe =
  | { readonly ok: true; readonly clusterId: string; readonly brokerCount: number }
  | { readonly ok: false; readonly error: string };

/** One quick describeCluster, no retries, on the client `KAFKA_CLIENT` names: for polling while a broker starts and for status checks. */
export async function probeKafka(brokers: readonly string[], timeoutMs = 3000): Promise<KafkaProbe> {
  let admin: TopicAdmin | undefined;
  try {
    admin = await createKafkaClients({
      brokers,
      clientId: 'contract-events-probe',
      connectionTimeoutMs: Math.min(timeoutMs, 2000),
      requestTimeoutMs: timeoutMs,
    }).admin({ clientId: 'contract-events-probe', retries: 0 });
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return { ok: false, error: 'the cluster reports no live brokers yet' };
    return { ok: true, clusterId: cluster.clusterId, brokerCount: cluster.brokers.length };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin?.close().catch(() => {});
  }
}
