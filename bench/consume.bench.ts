/**
 * `npm run bench:consume [-- --events 50000 --runs 3 --concurrency 1,3 --max-records 500]`:
 * how fast a consumer group catches up on a backlog (bench/sections/consume.ts):
 * the bare kafkajs loop (JSON.parse only), a fair hand-written kafkajs consumer
 * doing the runtime's work (parse, validate with the generated validators,
 * claim in `consumer_processed_events` per transaction, commit offsets), the
 * typed runtime with a no-op handler, and with a handler writing one row per
 * event; once per `--concurrency` value (partitions handled at once, by every
 * variant). The `consume` section of `npm run bench`, with sizes of your choosing.
 *
 * Needs Kafka (`KAFKA_BROKERS`) and PostgreSQL (`DATABASE_URL`); the topic and
 * schema it creates are removed at the end.
 */
import { parseArgs } from 'node:util';
import { formatValue, SectionRecorder } from './harness/report.ts';
import { infraFromEnv } from './harness/resources.ts';
import { CONSUME_FULL, runConsume } from './sections/consume.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: String(CONSUME_FULL.events) },
    runs: { type: 'string', default: String(CONSUME_FULL.runs) },
    concurrency: { type: 'string', default: '1,3' },
    'max-records': { type: 'string', default: String(CONSUME_FULL.maxRecords) },
  },
});
const concurrencies = values.concurrency
  .split(',')
  .map((c) => Number(c.trim()))
  .filter((c) => Number.isInteger(c) && c > 0);
const infra = infraFromEnv();
const rows: { label: string; median: string; runs: string }[] = [];
for (const concurrency of concurrencies) {
  console.log(`concurrency ${concurrency}`);
  const recorder = new SectionRecorder(console.log);
  await runConsume(
    infra,
    {
      ...CONSUME_FULL,
      events: Number(values.events),
      runs: Number(values.runs),
      concurrency,
      maxRecords: Number(values['max-records']),
    },
    recorder,
  );
  for (const m of recorder.measurements) {
    rows.push({
      label: `${m.label}, concurrency ${concurrency}`,
      median: formatValue(m.median, m.unit),
      runs: m.samples.map((s) => formatValue(s, m.unit)).join(' / '),
    });
  }
}
const width = Math.max(...rows.map((r) => r.label.length));
console.log(`\nconsume: ${values.events} events, median of ${values.runs} run(s), node ${process.version}`);
for (const r of rows) console.log(`${r.label.padEnd(width)}  ${r.median.padStart(18)}  ${r.runs}`);
process.exit(0);
