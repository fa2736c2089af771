/**
 * Starts the native Kafka broker (or reuses the running one), then checks that
 * PostgreSQL and Redis answer. Exit code 0 only when all three are reachable.
 * `--test` starts the test suite's broker instead of `npm start`'s.
 */
import './quiet-warnings.ts';
import { checkServices, formatServiceCheck } from '../check.ts';
import { KAFKA_VERSION, nativeKafkaConfig, startNativeKafka } from '../kafka/native.ts';
import { brokerName, profileFromArgs } from './profile.ts';

const log = (line: string) => console.error(line);
let failed = false;
const profile = profileFromArgs();
const name = brokerName(profile).padEnd(10);
try {
  const result = await startNativeKafka(nativeKafkaConfig(process.env, profile), log);
  const how = result.reused
    ? `already running (pid ${result.pid}), reused`
    : `started (pid ${result.pid}) in ${(result.startMs / 1000).toFixed(1)} s`;
  console.log(
    `${name} ok       ${result.brokers.join(',')}  (Apache Kafka ${KAFKA_VERSION}, ${how}; log ${result.logFile})`,
  );
} catch (err) {
  failed = true;
  console.error(`${name} FAILED   ${err instanceof Error ? err.message : String(err)}`);
}
const services = await checkServices();
for (const check of services.services) (check.ok ? console.log : console.error)(formatServiceCheck(check));
process.exitCode = failed || !services.ok ? 1 : 0;
