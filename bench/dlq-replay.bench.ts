/**
 * Dead-letter replay with `npm run dlq`, timed end to end (the CLI as an
 * operator runs it, process start included):
 *
 *   node bench/dlq-replay.bench.ts [--records 2000] [--partitions 3]
 *
 * 1. writes N dead letters (as the consumer runtime writes them: the original
 *    bytes plus Spring's provenance headers) to `<topic>.dlq` of a topic of its own;
 * 2. `dlq list` (reads the whole dead-letter topic, counts per reason);
 * 3. `dlq replay --all`: every record back to its original topic, each once,
 *    kept in the ledger; checks the original topic received exactly N;
 * 4. `dlq replay --all` again: every record refused (already replayed), nothing sent.
 *
 * Uses KAFKA_BROKERS / DATABASE_URL (defaults: the local native broker and
 * PostgreSQL), topics and a ledger schema of its own, removed afterwards.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { deadLetterRecord } from '../runtime/consume/dead-letter.ts';
import { HandlerFailedError } from '../runtime/consume/errors.ts';
import { DEFAULT_DATABASE_URL, quoteIdent } from '../runtime/db/migrate.ts';
import { createKafka, kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../runtime/kafka/kafkajs-producer.ts';
import type { OutgoingRecord } from '../runtime/kafka/records.ts';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '2000' }, partitions: { type: 'string', default: '3' } },
});
const records = Number(values.records);
const partitions = Number(values.partitions);
if (!Number.isSafeInteger(records) || records < 1 || !Number.isSafeInteger(partitions) || partitions < 1) {
  console.error('--records and --partitions must be positive integers');
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '..');
const run = randomBytes(4).toString('hex');
const source = `bench.dlq-replay-${run}`;
const dlq = `${source}.dlq`;
const ledgerSchema = `dead_letters_bench_${run}`;
const brokers = kafkaBrokersFromEnv();
const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const kafka = createKafka({ brokers, clientId: `bench-dlq-${run}` });
const admin = kafka.admin();
await admin.connect();

const cli = async (...args: string[]) => {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['runtime/dead-letters/cli.ts', ...args, '--ledger-schema', ledgerSchema, '--json'],
    {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), DATABASE_URL: databaseUrl },
      maxBuffer: 1 << 28,
    },
  );
  return { ms: performance.now() - started, out: JSON.parse(stdout) as Record<string, unknown> };
};

try {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [source, dlq].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  });
  const producer = createKafkajsProducer({ kafka });
  await producer.connect();
  const letters: OutgoingRecord[] = [];
  for (let i = 0; i < records; i++) {
    const value = Buffer.from(JSON.stringify({ n: i, note: 'a record whose handler failed every attempt' }));
    const headers = [
      { key: 'ce_id', value: Buffer.from(randomUUID()) },
      { key: 'ce_type', value: Buffer.from('BenchEvent') },
      { key: 'content-type', value: Buffer.from('application/json') },
    ];
    const error = new HandlerFailedError(
      'BenchEvent',
      `bench-group-${run}`,
      3,
      new Error('downstream refused'),
    );
    letters.push(
      deadLetterRecord(
        {
          topic: source,
          partition: i % partitions,
          offset: String(Math.floor(i / partitions)),
          timestamp: String(Date.now()),
          timestampType: 'CreateTime',
          key: Buffer.from(`key-${i % 97}`),
          value,
          headers: Object.fromEntries(headers.map((h) => [h.key, h.value])),
          headerEntries: headers,
        },
        { deadLetterTopic: dlq, groupId: `bench-group-${run}`, reason: 'handler-failed', error, attempts: 3 },
      ),
    );
  }
  for (let i = 0; i < letters.length; i += 1000) await producer.send(letters.slice(i, i + 1000));
  await producer.disconnect();
  console.log(`${records} dead letters on ${dlq} (${partitions} partitions)`);

  const listed = await cli('list', dlq);
  console.log(`dlq list                 ${listed.ms.toFixed(0).padStart(6)} ms`);
  const replayed = await cli('replay', dlq, '--all', '--note', 'bench');
  const counts = replayed.out.counts as Record<string, number>;
  const rate = ((counts.replayed ?? 0) / replayed.ms) * 1000;
  console.log(
    `dlq replay --all         ${replayed.ms.toFixed(0).padStart(6)} ms  replayed ${counts.replayed ?? 0} (${rate.toFixed(0)} records/s, process start included)`,
  );
  const again = await cli('replay', dlq, '--all');
  const second = again.out.counts as Record<string, number>;
  console.log(
    `dlq replay --all again   ${again.ms.toFixed(0).padStart(6)} ms  replayed ${second.replayed ?? 0}, skipped ${second.skipped ?? 0}`,
  );
  const ends = await admin.fetchTopicOffsets(source);
  const arrived = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  console.log(`original topic received  ${arrived} (expected ${records})`);
  if (arrived !== records || (counts.replayed ?? 0) !== records || (second.replayed ?? 0) !== 0)
    process.exitCode = 1;
} finally {
  await admin.deleteTopics({ topics: [source, dlq] }).catch(() => undefined);
  await admin.disconnect();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(ledgerSchema)} CASCADE`).catch(() => undefined);
  await pool.end();
}
