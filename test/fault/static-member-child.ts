/**
 * A @platformatic/kafka group member with a static instance id (env: KAFKA_BROKERS, CHILD_GROUP,
 * CHILD_INSTANCE, CHILD_TOPIC) for test/fault/static-membership.test.ts, which kills it with
 * SIGKILL (no LeaveGroup) and starts another with the same instance id. Prints one JSON line
 * when it has joined and one per batch: `{ "partition": n, "values": [...] }`.
 */
import { createPlatformaticConsumer } from '../../runtime/kafka/platformatic-consumer.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`static-member-child: ${name} is not set`);
  return value;
};
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const port = createPlatformaticConsumer({
  brokers: env('KAFKA_BROKERS').split(','),
  groupId: env('CHILD_GROUP'),
  groupInstanceId: env('CHILD_INSTANCE'),
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 1_000,
  maxWaitTimeMs: 300,
});
await port.start([env('CHILD_TOPIC')], async (batch, scope) => {
  emit({ partition: batch.partition, values: batch.records.map((r) => r.value?.toString()) });
  for (const record of batch.records) scope.acknowledge(record.offset);
});
emit({ joined: true });
process.on('SIGTERM', () => {
  void port.stop().then(() => process.exit(0));
});
