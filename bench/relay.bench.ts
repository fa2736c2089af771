/**
 * `npm run bench:relay [-- --events 50000] [--tx 500] [--batch 2000] [--workers 2] [--runs 1] [--rounds 5] [--clients kafkajs,platformatic]`:
 * outbox relay throughput (bench/sections/relay.ts: outbox write rate; one and
 * two relay instances deleting rows as published; one instance with a
 * retention), then typed publish against each raw client on the same
 * pre-serialized records and batches (bench/sections/produce.ts, `--rounds`
 * alternating rounds of `--events`). The `relay` and `produce` sections of
 * `npm run bench`, with sizes of your choosing.
 *
 * Uses DATABASE_URL / KAFKA_BROKERS; its schema and topics are removed afterwards.
 * Prints each result as it comes and one JSON line at the end.
 */
import { parseArgs } from 'node:util';
import type { ProducerClientName } from './harness/clients.ts';
import { SectionRecorder } from './harness/report.ts';
import { infraFromEnv } from './harness/resources.ts';
import { PRODUCE_FULL, runProduce } from './sections/produce.ts';
import { RELAY_FULL, runRelay } from './sections/relay.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: String(RELAY_FULL.events) },
    tx: { type: 'string', default: String(RELAY_FULL.tx) },
    batch: { type: 'string', default: String(RELAY_FULL.batch) },
    workers: { type: 'string', default: String(RELAY_FULL.workers) },
    runs: { type: 'string', default: '1' },
    rounds: { type: 'string', default: String(PRODUCE_FULL.rounds) },
    clients: { type: 'string', default: PRODUCE_FULL.clients.join(',') },
  },
});
const infra = infraFromEnv();
const log = (line: string) => process.stderr.write(`${line}\n`);
const relay = new SectionRecorder(log);
const produce = new SectionRecorder(log);
const events = Number(values.events);
const batch = Number(values.batch);

log(`relay: ${events} events, ${values.tx} per transaction, batches of ${batch}, ${values.workers} workers`);
await runRelay(
  infra,
  {
    ...RELAY_FULL,
    events,
    tx: Number(values.tx),
    batch,
    workers: Number(values.workers),
    runs: Number(values.runs),
  },
  relay,
);
log(`\nproduce: ${events} events per round, batches of ${batch}, ${values.rounds} rounds`);
await runProduce(
  infra,
  {
    ...PRODUCE_FULL,
    events,
    batch,
    rounds: Number(values.rounds),
    clients: values.clients.split(',').map((c) => c.trim() as ProducerClientName),
  },
  produce,
);
const rows = [...relay.measurements, ...produce.measurements].map((m) => ({
  step: m.label,
  unit: m.unit,
  median: m.median,
  samples: m.samples,
}));
process.stdout.write(`${JSON.stringify({ events, batch, results: rows, notes: relay.notes })}\n`);
process.exit(0);
