/**
 * `npm run bench:generate [-- --runs 7] [--modelina-runs 3] [--no-modelina]`:
 * how long generating from the contracts takes, and the same documents through
 * Modelina for comparison.
 *
 * Ours (the whole SDK: types, standalone validators, topics, producers, consumers,
 * outbox mappers, catalog, examples):
 * - cold, full: a fresh `node generator/cli.ts --check --no-cache` process each
 *   run, what a developer waits for after editing a contract (module loading
 *   and AsyncAPI validation included), with Node's compile cache warm (the CLI
 *   keeps it in .cache/node-compile) and, for comparison, disabled;
 * - cold, unchanged: the same with the stamp of the last run in place, what a
 *   pre-commit hook or CI's `generate --check` waits for when nothing changed;
 * - warm: `generate()` again in one process, the pipeline alone.
 * Modelina (`TypeScriptGenerator` + its AsyncAPI input processor; TypeScript
 * models of the payload schemas only) on the same documents, each read from its
 * file: cold in a fresh process (bench/modelina.ts), warm in this one. Then the
 * same for the public corpus (test/fixtures/public, ours in lenient mode with the
 * corpus configs), with the documents Modelina refuses named.
 * Prints medians (and spread) of wall-clock time, the load average it ran under,
 * and the ratios ours / Modelina. A benchmark, not a test: nothing asserts a duration.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, generateCorpusSdk, generatedSlugs } from '../test/support/public-corpus.ts';
import { median } from './harness/stats.ts';
import { asyncApiDocuments, type ModelinaRun } from './modelina.ts';
import {
  coldModelina,
  timeNode as node,
  ROOT as root,
  warmModelina,
  warmOurs,
} from './sections/generator.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    'modelina-runs': { type: 'string', default: '3' },
    'no-modelina': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

// `--child corpus`: one fresh process generating every public corpus SDK (ours, cold).
if (values.child === 'corpus') {
  for (const slug of generatedSlugs())
    await generateCorpusSdk(slug, path.join(root, '.cache', 'bench-corpus'));
  process.exit(0);
}

const runs = Math.max(1, Number(values.runs));
const modelinaRuns = Math.max(1, Number(values['modelina-runs']));
const load = [loadavg()];

const timedAsync = async (fn: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};
const cli = (...args: string[]) => node(['generator/cli.ts', '--check', '--quiet', ...args]);
const stats = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${Math.round(median(s))} ms (min ${Math.round(s[0] ?? 0)}, max ${Math.round(s.at(-1) ?? 0)}, ${s.length} runs)`;
};
const ratio = (ours: readonly number[], theirs: readonly number[]) =>
  `${(median(ours) / median(theirs)).toFixed(2)}× (ours / Modelina)`;

// Ours on the contracts.
const noCompileCache = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
const coldFull: number[] = [];
const coldNoCompileCache: number[] = [];
const coldStamp: number[] = [];
cli(); // leaves a stamp for the unchanged runs, and fills the compile cache
for (let i = 0; i < runs; i++) {
  coldFull.push(cli('--no-cache'));
  coldNoCompileCache.push(node(['generator/cli.ts', '--check', '--quiet', '--no-cache'], noCompileCache));
  coldStamp.push(cli());
}
const { samples: warm, summary } = await warmOurs(
  { label: 'asyncapi/', input: path.join(root, 'asyncapi'), outDir: path.join(root, 'generated') },
  runs,
);
load.push(loadavg());

console.log(`generate: ${summary}; node ${process.version}`);
console.log('ours (types, validators, topics, producers, consumers, outbox, catalog, examples):');
console.log(`  cold process, full pipeline:               ${stats(coldFull)}`);
console.log(`  cold process, full, no Node compile cache: ${stats(coldNoCompileCache)}`);
console.log(`  cold process, nothing changed (stamp):     ${stats(coldStamp)}`);
console.log(`  warm, in process (pipeline):               ${stats(warm)}`);

if (!values['no-modelina']) {
  const contracts = asyncApiDocuments([path.join(root, 'asyncapi')]);
  await compareWithModelina('asyncapi/', contracts, coldFull, warm);

  const corpusCold: number[] = [];
  const corpusWarm: number[] = [];
  for (let i = 0; i < modelinaRuns; i++)
    corpusCold.push(node(['bench/generate.bench.ts', '--child', 'corpus']));
  for (let i = 0; i < modelinaRuns + 1; i++) {
    const t = await timedAsync(async () => {
      for (const slug of generatedSlugs())
        await generateCorpusSdk(slug, path.join(root, '.cache', 'bench-corpus'));
    });
    if (i > 0) corpusWarm.push(t);
  }
  console.log(`\nours on the public corpus (${generatedSlugs().length} documents generated leniently):`);
  console.log(`  cold process: ${stats(corpusCold)}`);
  console.log(`  warm:         ${stats(corpusWarm)}`);
  const corpus = asyncApiDocuments([corpusDir]);
  const corpusModelina = await compareWithModelina('test/fixtures/public/', corpus, corpusCold, corpusWarm);
  console.log(
    `  (Modelina's numbers include the ${corpusModelina.refused.length} documents it refuses; ours skip the ${corpus.length - generatedSlugs().length} the corpus refuses on purpose)`,
  );
}
load.push(loadavg());
console.log(
  `\nload average (1 min) before / after ours / at the end: ${load.map((l) => l[0]!.toFixed(2)).join(' / ')} on ${(await import('node:os')).cpus().length} CPUs`,
);

async function compareWithModelina(
  label: string,
  files: readonly string[],
  oursCold: readonly number[],
  oursWarm: readonly number[],
): Promise<ModelinaRun> {
  const cold = coldModelina(files, modelinaRuns);
  const { samples: warmRuns, run } = await warmModelina(files, modelinaRuns);
  console.log(
    `\nModelina ${label} (${run.documents} documents; TypeScript models only: ${run.models} models from the ${run.documents - run.refused.length} it accepts):`,
  );
  console.log(`  cold process: ${stats(cold)}  → ours ${ratio(oursCold, cold)}`);
  console.log(`  warm:         ${stats(warmRuns)}  → ours ${ratio(oursWarm, warmRuns)}`);
  for (const r of run.refused) console.log(`  refused: ${path.relative(root, r.file)}: ${r.reason}`);
  return run;
}
