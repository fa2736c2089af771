/**
 * Starts the native Kafka broker (or reuses the running one), then checks that
 * PostgreSQL and Redis answer. Exit code 0 only when all three are reachable.
 */
import './quiet-warnings.ts';
import { checkServices, formatServiceCheck } from '../check.ts';
import { KAFKA_VERSION, nativeKafkaConfig, startNativeKafka } from '../kafka/native.ts';

const log = (line: string) => console.error(line);
let failed = false;
try {
  const result = await startNativeKafka(nativeKafkaConfig(), log);
  const how = result.reused
    ? `already running (pid ${result.pid}), reused`
    : `started (pid ${result.pid}) in ${(result.startMs / 1000).toFixed(1)} s`;
  console.log(
    `Kafka      ok       ${result.brokers.join(',')}  (Apache Kafka ${KAFKA_VERSION}, ${how}; log ${result.logFile})`,
  );
} catch (err) {
  failed = true;
  console.error(`Kafka      FAILED   ${err instanceof Error ? err.message : String(err)}`);
}
const services = await checkServices();
for (const check of services.services) (check.ok ? console.log : console.error)(formatServiceCheck(check));
process.exitCode = failed || !services.ok ? 1 : 0;
