/**
 * `npm run topics:apply [-- --dry-run] [--allow-partition-increase]`
 *
 * Creates and updates every topic and dead-letter topic the contracts define
 * (generated/topics.ts) on the cluster in KAFKA_BROKERS (default the native
 * broker, 127.0.0.1:9092). Exits 1 when drift remains that it cannot or may
 * not fix, listing it.
 */
import { parseArgs } from 'node:util';
import '../infra/cli/quiet-warnings.ts';
import { topicSpecs } from '../generated/index.ts';
import { kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../runtime/topics/apply.ts';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'allow-partition-increase': { type: 'boolean', default: false },
  },
});
const brokers = kafkaBrokersFromEnv();
const report = await applyTopics(brokers, topicSpecs, {
  dryRun: values['dry-run'] ?? false,
  allowPartitionIncrease: values['allow-partition-increase'] ?? false,
});
for (const topic of report.topics) {
  const notes = [...topic.warnings, ...topic.drift.map((d) => `DRIFT ${d.message}`)];
  console.log(
    `${topic.action.padEnd(9)} ${topic.name}${notes.length ? `\n          ${notes.join('\n          ')}` : ''}`,
  );
}
const counts = Object.groupBy(report.topics, (t) => t.action);
console.log(
  `\ntopics:apply${report.dryRun ? ' (dry run)' : ''}: ${brokers.join(',')} (${report.brokerCount} broker(s)): ` +
    `${counts.created?.length ?? 0} created, ${counts.updated?.length ?? 0} updated, ${counts.unchanged?.length ?? 0} unchanged` +
    `${report.hasDrift ? '; drift remains (see DRIFT lines)' : ''}.`,
);
process.exitCode = report.hasDrift ? 1 : 0;
