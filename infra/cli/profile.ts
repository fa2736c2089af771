/**
 * Which native broker an infra CLI manages: `npm start`'s (default) or, with
 * `--test` (`npm run infra:status -- --test`), the test suite's own.
 */
import type { NativeKafkaProfile } from '../kafka/native.ts';

export function profileFromArgs(argv: readonly string[] = process.argv.slice(2)): NativeKafkaProfile {
  const unknown = argv.filter((a) => a !== '--test');
  if (unknown.length > 0) {
    throw new Error(
      `unknown argument ${unknown.join(' ')}: the only option is --test (the test suite's broker)`,
    );
  }
  return argv.includes('--test') ? 'test' : 'dev';
}

/** How a CLI names the broker it manages, in its output. */
export const brokerName = (profile: NativeKafkaProfile): string =>
  profile === 'test' ? 'Kafka test' : 'Kafka';
