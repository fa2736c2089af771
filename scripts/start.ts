/**
 * `npm start`: brings up the event bus the contracts describe.
 *
 * 1. Kafka: KAFKA_BROKERS when set, else the native single-node broker
 *    (fetched from Maven Central and started on first use, reused after).
 * 2. PostgreSQL and Redis: checked, with what to do when one is missing;
 *    the runtime's tables (outbox, processed events) migrated.
 * 3. Every topic and dead-letter topic in the contracts: created or updated.
 * 4. The catalog: who produces and who consumes what, where.
 * 5. Both systems (the chat product and the platform), or the one named by
 *    `--system chat|platform`: every service and one outbox relay per
 *    service schema, running until Ctrl-C (`--no-services` stops after step 4).
 */
import path from 'node:path';
import '../infra/cli/quiet-warnings.ts';
import { catalog, topicSpecs } from '../generated/index.ts';
import { checkServices, formatServiceCheck } from '../infra/check.ts';
import { KAFKA_VERSION, nativeKafkaConfig, startNativeKafka } from '../infra/kafka/native.ts';
import { DEFAULT_DATABASE_URL, migrate } from '../runtime/db/migrate.ts';
import { kafkaBrokersFromEnv } from '../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../runtime/topics/apply.ts';
import {
  type RunningProcess,
  SYSTEMS,
  type SystemName,
  SystemStartError,
  startSystem,
  stopSystem,
  systemPlan,
} from './system.ts';

/** `--system chat|platform` (repeatable); default both. */
function chosenSystems(argv: readonly string[]): SystemName[] {
  const chosen: SystemName[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--system' ? argv[++i] : arg.startsWith('--system=') ? arg.slice(9) : undefined;
    if (arg !== '--system' && value === undefined) continue;
    if (value === undefined || !(value in SYSTEMS)) {
      console.error(`--system takes ${Object.keys(SYSTEMS).join(' or ')}, got ${value ?? 'nothing'}`);
      process.exit(2);
    }
    if (!chosen.includes(value as SystemName)) chosen.push(value as SystemName);
  }
  return chosen.length > 0 ? chosen : ['chat', 'platform'];
}
const systems = chosenSystems(process.argv.slice(2));

let brokers: string[];
if (process.env.KAFKA_BROKERS) {
  brokers = kafkaBrokersFromEnv();
  console.log(`Kafka      ok       ${brokers.join(',')}  (from KAFKA_BROKERS)`);
} else {
  const kafka = await startNativeKafka(nativeKafkaConfig(), (line) => console.error(`  ${line}`));
  brokers = kafka.brokers;
  console.log(
    `Kafka      ok       ${brokers.join(',')}  (Apache Kafka ${KAFKA_VERSION}, native, ${kafka.reused ? `running as pid ${kafka.pid}` : `started as pid ${kafka.pid} in ${(kafka.startMs / 1000).toFixed(1)} s`}; log ${kafka.logFile})`,
  );
}
const services = await checkServices();
for (const check of services.services) console.log(formatServiceCheck(check));
if (services.ok) {
  const migrated = await migrate(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  console.log(
    `Database   ok       migrations: ${migrated.applied.length > 0 ? `applied ${migrated.applied.join(', ')}` : 'up to date'} (schema ${migrated.schema})`,
  );
}

const report = await applyTopics(brokers, topicSpecs);
const counts = Object.groupBy(report.topics, (t) => t.action);
console.log(
  `Topics     ${report.hasDrift ? 'DRIFT   ' : 'ok      '} ${report.topics.length} from the contracts: ${counts.created?.length ?? 0} created, ${counts.updated?.length ?? 0} updated, ${counts.unchanged?.length ?? 0} unchanged`,
);
// The same warning on many topics (replication capped on a small cluster) is printed once, with a count.
const notes = new Map<string, string[]>();
for (const t of report.topics) {
  for (const note of [...t.warnings, ...t.drift.map((d) => `DRIFT ${d.message}`)]) {
    const general = note.replace(`topic ${t.name}: `, '');
    notes.set(general, [...(notes.get(general) ?? []), t.name]);
  }
}
for (const [note, topics] of notes)
  console.log(
    `                    ${note}: ${topics.length === report.topics.length ? 'every topic' : topics.join(', ')}`,
  );

const systemOf = new Map(catalog.contexts.map((c) => [c.name, c.system]));
for (const system of systems) {
  console.log(`\nCatalog of the ${system} system`);
  for (const topic of catalog.topics.filter((t) => t.kind === 'event' && systemOf.get(t.owner) === system)) {
    console.log(
      `  ${topic.name.padEnd(30)} ${String(topic.partitions).padStart(2)} partitions  from ${topic.producers.join(', ') || '-'}  → ${topic.consumerGroups.join(', ') || '-'}`,
    );
  }
}
console.log(
  `\n${catalog.events.length} events, ${catalog.topics.length} topics (${catalog.topics.filter((t) => t.kind === 'dead-letter').length} dead-letter), ${catalog.consumerGroups.length} consumer groups in the contracts.`,
);
if (!services.ok || report.hasDrift) {
  console.error('\nNot starting the services: fix what is reported above first.');
  process.exit(1);
}
if (process.argv.includes('--no-services')) process.exit(0);

console.log('\nServices');
const root = path.resolve(import.meta.dirname, '..');
let running: RunningProcess[];
try {
  running = await startSystem({
    root,
    env: { ...process.env, KAFKA_BROKERS: brokers.join(',') },
    services: systemPlan(systems),
    onLine: (line) => console.log(line),
  });
} catch (err) {
  if (!(err instanceof SystemStartError)) throw err;
  console.error(`\nCould not start the system: ${err.message}`);
  process.exit(1);
}
console.log(
  `\n${systems.length > 1 ? 'Both systems are' : `The ${systems[0]} system is`} up. ${systems
    .map((s) => `\`npm run demo -- ${s}\``)
    .join(
      ' and ',
    )} drive${systems.length > 1 ? '' : 's'} a scenario against it; Ctrl-C stops it (\`npm run infra:down\` stops Kafka).`,
);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the services and relays ...');
    await stopSystem(running);
    console.log('Stopped.');
    process.exit(0);
  });
}
for (const entry of running) {
  entry.child.on('exit', (code, sig) => {
    if (!stopping) console.error(`${entry.name} exited (${code ?? sig}); see ${entry.log}`);
  });
}
