/**
 * One member of the group-stall benchmark's consumer group, as a child process
 * (so the benchmark can kill it with SIGKILL). Consumes through the runtime's
 * consumer port and prints one line per record handled:
 * `<partition> <sentAtMs> <handledAtMs>`, plus `joined` once the member is in
 * the group. Every record is acknowledged as soon as it is seen.
 *
 *   node bench/group-stall/member.ts <brokers> <topic> <group> <json options>
 */
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import type { MemberOptions } from './setups.ts';

const [brokersArg, topic, groupId, optionsArg] = process.argv.slice(2);
if (!brokersArg || !topic || !groupId || !optionsArg) {
  console.error('usage: member.ts <brokers> <topic> <group> <json options>');
  process.exit(2);
}
const options = JSON.parse(optionsArg) as MemberOptions;

const port = createKafkaClients({
  brokers: brokersArg.split(','),
  client: options.client,
  clientId: `stall-${process.pid}`,
}).consumer({
  groupId,
  sessionTimeoutMs: options.sessionTimeoutMs,
  heartbeatIntervalMs: options.heartbeatIntervalMs,
  maxWaitTimeMs: 100,
  partitionsConsumedConcurrently: 6,
  ...(options.groupInstanceId !== undefined ? { groupInstanceId: options.groupInstanceId } : {}),
  ...(options.groupProtocol !== undefined ? { groupProtocol: options.groupProtocol } : {}),
});

let out = '';
const flush = () => {
  if (out.length === 0) return;
  process.stdout.write(out);
  out = '';
};
setInterval(flush, 50).unref();

await port.start([topic], async (batch, scope) => {
  const now = Date.now();
  for (const record of batch.records) {
    out += `${batch.partition} ${record.value?.toString('latin1') ?? '0'} ${now}\n`;
    scope.acknowledge(record.offset);
  }
});
process.stdout.write('joined\n');

const stop = async () => {
  flush();
  await port.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
