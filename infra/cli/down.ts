/**
 * Stops the native Kafka broker (SIGTERM, then SIGKILL); does nothing when it is not running.
 * `--test` stops the test suite's broker instead of `npm start`'s.
 */
import './quiet-warnings.ts';
import { nativeKafkaConfig, stopNativeKafka } from '../kafka/native.ts';
import { brokerName, profileFromArgs } from './profile.ts';

let name = 'Kafka';
try {
  const profile = profileFromArgs();
  name = brokerName(profile);
  const result = await stopNativeKafka(nativeKafkaConfig(process.env, profile), (line) =>
    console.error(line),
  );
  if (result.wasRunning) {
    console.log(`${name} stopped (pid ${result.pid}${result.killed ? ', had to SIGKILL' : ''}).`);
  } else {
    console.log(
      `${name} was not running${result.pid !== null ? ` (removed stale pid file for ${result.pid})` : ''}.`,
    );
  }
} catch (err) {
  console.error(`Could not stop ${name}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
