/** Stops the native Kafka broker (SIGTERM, then SIGKILL); does nothing when it is not running. */
import './quiet-warnings.ts';
import { nativeKafkaConfig, stopNativeKafka } from '../kafka/native.ts';

try {
  const result = await stopNativeKafka(nativeKafkaConfig(), (line) => console.error(line));
  if (result.wasRunning) {
    console.log(`Kafka stopped (pid ${result.pid}${result.killed ? ', had to SIGKILL' : ''}).`);
  } else {
    console.log(
      `Kafka was not running${result.pid !== null ? ` (removed stale pid file for ${result.pid})` : ''}.`,
    );
  }
} catch (err) {
  console.error(`Could not stop Kafka: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
