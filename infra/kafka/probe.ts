/** Does something on these addresses answer as a Kafka broker that serves admin requests? */
import { connectKafkajsAdmin } from '../../runtime/topics/kafkajs-admin.ts';

export type KafkaProbe =
  | { readonly ok: true; readonly clusterId: string; readonly brokerCount: number }
  | { readonly ok: false; readonly error: string };

/** One quick describeCluster, no retries: for polling while a broker starts and for status checks. */
export async function probeKafka(brokers: readonly string[], timeoutMs = 3000): Promise<KafkaProbe> {
  let admin: Awaited<ReturnType<typeof connectKafkajsAdmin>> | undefined;
  try {
    admin = await connectKafkajsAdmin({
      brokers,
      clientId: 'contract-events-probe',
      connectionTimeoutMs: Math.min(timeoutMs, 2000),
      requestTimeoutMs: timeoutMs,
      retries: 0,
    });
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return { ok: false, error: 'the cluster reports no live brokers yet' };
    return { ok: true, clusterId: cluster.clusterId, brokerCount: cluster.brokers.length };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin?.close().catch(() => {});
  }
}
