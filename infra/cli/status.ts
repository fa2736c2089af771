/**
 * Is Kafka (the native broker, or whatever KAFKA_BROKERS names), PostgreSQL and Redis reachable?
 * `--test`: the test suite's native broker instead of `npm start`'s.
 */
import './quiet-warnings.ts';
import { checkServices, formatServiceCheck } from '../check.ts';
import { nativeKafkaConfig, nativeKafkaStatus } from '../kafka/native.ts';
import { probeKafka } from '../kafka/probe.ts';
import { brokerName, profileFromArgs } from './profile.ts';

let ok = true;
const profile = profileFromArgs();
const name = brokerName(profile).padEnd(10);
const explicit = process.env.KAFKA_BROKERS?.split(',')
  .map((b) => b.trim())
  .filter(Boolean);
if (explicit && explicit.length > 0) {
  const probe = await probeKafka(explicit);
  ok &&= probe.ok;
  console.log(
    probe.ok
      ? `Kafka      ok       ${explicit.join(',')}  (KAFKA_BROKERS; cluster ${probe.clusterId}, ${probe.brokerCount} broker(s))`
      : `Kafka      MISSING  ${explicit.join(',')} (KAFKA_BROKERS): ${probe.error}`,
  );
} else {
  const status = await nativeKafkaStatus(nativeKafkaConfig(process.env, profile));
  ok &&= status.probe.ok;
  const process_ = status.running
    ? `native broker pid ${status.pid}`
    : status.pid !== null
      ? `stale pid file (${status.pid})`
      : 'native broker not running';
  console.log(
    status.probe.ok
      ? `${name} ok       ${status.brokers.join(',')}  (cluster ${status.probe.clusterId}, ${status.probe.brokerCount} broker(s); ${process_})`
      : `${name} MISSING  ${status.brokers.join(',')}: ${process_}; start it with: npm run infra:up${profile === 'test' ? ' -- --test' : ''}`,
  );
  console.log(
    `           state ${status.stateDir}; jars ${status.jarsCached ? 'cached' : 'not fetched yet'} in ${status.libDir}`,
  );
}
const services = await checkServices();
for (const check of services.services) console.log(formatServiceCheck(check));
process.exitCode = ok && services.ok ? 0 : 1;
