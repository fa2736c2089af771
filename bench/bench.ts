/**
 * `npm run bench [-- --only relay,consume] [--quick] [--memory-events N] [--no-modelina] [--results-dir DIR]`:
 * every benchmark side by side in one run (bench/sections/*), written to
 * `<results-dir>/<timestamp>.json` and a Markdown summary beside it, with the
 * toolkit's targets marked PASS or MISS (a miss never fails the run; a section
 * that throws does, after the others ran).
 *
 * `--quick`: small sizes, one run each (what the smoke test runs).
 * Needs Kafka (`KAFKA_BROKERS`) and PostgreSQL (`DATABASE_URL`) for every
 * section but `generator`; each section makes and removes its own topics and schemas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { describeEnvironment } from './harness/environment.ts';
import { formatResults } from './harness/format-results.ts';
import { renderMarkdown } from './harness/markdown.ts';
import {
  type BenchReport,
  formatValue,
  SECTION_NAMES,
  type SectionName,
  SectionRecorder,
  type SectionResult,
} from './harness/report.ts';
import { type BenchInfra, infraFromEnv } from './harness/resources.ts';
import { checkTargets } from './harness/targets.ts';
import { CONSUME_FULL, CONSUME_QUICK, runConsume } from './sections/consume.ts';
import { GENERATOR_FULL, GENERATOR_QUICK, ROOT, runGenerator } from './sections/generator.ts';
import { LATENCY_FULL, LATENCY_QUICK, runLatency } from './sections/latency.ts';
import { MEMORY_FULL, MEMORY_QUICK, runMemory } from './sections/memory.ts';
import { PRODUCE_FULL, PRODUCE_QUICK, runProduce } from './sections/produce.ts';
import { RELAY_FULL, RELAY_QUICK, runRelay } from './sections/relay.ts';

interface BenchArgs {
  readonly only: readonly SectionName[];
  readonly quick: boolean;
  readonly memoryEvents?: number;
  readonly modelina: boolean;
  readonly resultsDir: string;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'memory-events': { type: 'string' },
      'no-modelina': { type: 'boolean', default: false },
      'results-dir': { type: 'string', default: path.join(ROOT, 'bench', 'results') },
    },
  });
  const only = (values.only?.split(',') ?? [...SECTION_NAMES]).map((s) => s.trim()).filter(Boolean);
  for (const name of only) {
    if (!(SECTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `bench: --only names an unknown section "${name}" (sections: ${SECTION_NAMES.join(', ')})`,
      );
    }
  }
  const memoryEvents = values['memory-events'] === undefined ? undefined : Number(values['memory-events']);
  if (memoryEvents !== undefined && !(Number.isInteger(memoryEvents) && memoryEvents > 0)) {
    throw new Error(`bench: --memory-events must be a positive integer, not "${values['memory-events']}"`);
  }
  return {
    only: only as SectionName[],
    quick: values.quick,
    ...(memoryEvents !== undefined ? { memoryEvents } : {}),
    modelina: !values['no-modelina'],
    resultsDir: path.resolve(values['results-dir']),
  };
}

type SectionRunner = (
  infra: BenchInfra,
  args: BenchArgs,
  recorder: SectionRecorder,
) => Promise<Record<string, number | string>>;

/** Each section: what it runs with, then runs it. Sizes go into the report. */
const SECTIONS: Record<SectionName, SectionRunner> = {
  generator: async (_infra, args, recorder) => {
    const options = { ...(args.quick ? GENERATOR_QUICK : GENERATOR_FULL), modelina: args.modelina };
    await runGenerator(options, recorder);
    return {
      runs: options.runs,
      syntheticRuns: options.syntheticRuns,
      ...prefixed('synthetic', options.synthetic),
    };
  },
  produce: async (infra, args, recorder) => {
    const options = args.quick ? PRODUCE_QUICK : PRODUCE_FULL;
    await runProduce(infra, options, recorder);
    return {
      events: options.events,
      batch: options.batch,
      rounds: options.rounds,
      partitions: options.partitions,
    };
  },
  relay: async (infra, args, recorder) => {
    const options = args.quick ? RELAY_QUICK : RELAY_FULL;
    await runRelay(infra, options, recorder);
    const { client, otherClients, retention: _retention, ...sizes } = options;
    return { ...sizes, client, otherClients: otherClients.join(',') };
  },
  latency: async (infra, args, recorder) => {
    const options = args.quick ? LATENCY_QUICK : LATENCY_FULL;
    await runLatency(infra, options, recorder);
    return { ...options, rates: options.rates.join(',') };
  },
  consume: async (infra, args, recorder) => {
    const options = args.quick ? CONSUME_QUICK : CONSUME_FULL;
    await runConsume(infra, options, recorder);
    const { clients, ...rest } = options;
    return { ...rest, clients: clients.join(',') };
  },
  memory: async (infra, args, recorder) => {
    const base = args.quick ? MEMORY_QUICK : MEMORY_FULL;
    const options = { ...base, events: args.memoryEvents ?? base.events };
    await runMemory(infra, options, recorder);
    const { consumerHeapSettings, ...sizes } = options;
    return { ...sizes, consumerHeapSettings: consumerHeapSettings.map((s) => s.join(' ')).join('; ') };
  },
};

const prefixed = (prefix: string, o: object) =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [`${prefix}${k.charAt(0).toUpperCase()}${k.slice(1)}`, v]),
  );

/**
 * A PostgreSQL CHECKPOINT before a section that uses the database (as pgbench does before a
 * run): the bulk writes of the section before it are flushed now, not by a checkpoint that lands
 * on this section's clock (the shared database checkpoints every few seconds under the relay's
 * and memory sections' writes). Needs superuser or `pg_checkpoint`; refused, it is noted and the
 * section runs anyway.
 */
async function checkpoint(infra: BenchInfra, recorder: SectionRecorder): Promise<void> {
  const client = new pg.Client({ connectionString: infra.databaseUrl });
  try {
    await client.connect();
    await client.query('CHECKPOINT');
  } catch (err) {
    recorder.note(`no CHECKPOINT before this section: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The command as typed: `npm run bench -- …` under npm, else the node command line. */
function commandLine(argv: readonly string[]): string {
  const args = argv
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))
    .join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bench/bench.ts${args ? ` ${args}` : ''}`;
}

export async function runBench(
  argv: readonly string[],
  log: (line: string) => void = console.log,
): Promise<{ report: BenchReport; jsonPath: string; markdownPath: string }> {
  const args = parseBenchArgs(argv);
  const infra = infraFromEnv();
  const loadAverageBefore = os.loadavg();
  const startedAt = new Date();
  const sections: SectionResult[] = [];
  for (const name of args.only) {
    log(`\n${name}`);
    const recorder = new SectionRecorder(log);
    let sizes: Record<string, number | string> = {};
    let error: string | undefined;
    if (name !== 'generator') await checkpoint(infra, recorder);
    const started = performance.now();
    try {
      sizes = await SECTIONS[name](infra, args, recorder);
    } catch (err) {
      error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`  FAILED: ${error}`);
    }
    sections.push({
      name,
      durationMs: Math.round(performance.now() - started),
      sizes,
      measurements: recorder.measurements,
      notes: recorder.notes,
      ...(error !== undefined ? { error } : {}),
    });
  }
  const report: BenchReport = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: commandLine(argv),
    quick: args.quick,
    environment: describeEnvironment({
      loadAverageBefore,
      kafkaBrokers: infra.brokers,
      databaseUrl: infra.databaseUrl,
    }),
    sections,
    targets: checkTargets(sections),
  };
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  mkdirSync(args.resultsDir, { recursive: true });
  const json = path.join(args.resultsDir, `${stamp}.json`);
  const markdown = path.join(args.resultsDir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(report));
  await formatResults([json, markdown]);
  log('\ntargets');
  for (const t of report.targets) {
    log(
      `  ${t.pass ? 'PASS' : 'MISS'}  ${t.label}: ${t.actual === undefined ? 'n/a' : formatValue(t.actual, t.unit)} (wanted ${t.comparison} ${formatValue(t.threshold, t.unit)})`,
    );
  }
  log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), markdown)}`);
  return { report, jsonPath: json, markdownPath: markdown };
}

if (import.meta.main) {
  const { report } = await runBench(process.argv.slice(2));
  // kafkajs keeps timers after disconnect; the run is over.
  process.exit(report.sections.some((s) => s.error !== undefined) ? 1 : 0);
}
