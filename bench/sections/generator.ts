/**
 * How long generating takes, ours beside Modelina's TypeScript models on the
 * same documents, on asyncapi/ and on a synthetic contract set
 * (bench/synthetic/contracts.ts, written into a temporary folder):
 * - cold: a fresh process per run (`node generator/cli.ts --no-cache`, the
 *   whole SDK, module loading and AsyncAPI validation included; Modelina:
 *   `node bench/modelina.ts <files>`);
 * - warm: again in this process (`generate()`; `runModelina`), after one
 *   unmeasured run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Mode } from '../../generator/config.ts';
import { generate } from '../../generator/generate.ts';
import type { SectionRecorder } from '../harness/report.ts';
import { median } from '../harness/stats.ts';
import { asyncApiDocuments, runModelina } from '../modelina.ts';
import { DEFAULT_SYNTHETIC, type SyntheticOptions, writeSyntheticContracts } from '../synthetic/contracts.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Milliseconds `node <args>` took in a fresh process (stdout dropped, stderr shown). */
export function timeNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env });
  return performance.now() - started;
}

export interface GeneratorInput {
  readonly label: string;
  /** A contract file or folder. */
  readonly input: string;
  readonly outDir: string;
  readonly mode?: Mode;
}

/** `generate` CLI arguments for one input, writing nothing (`--check`) when `check`. */
export function cliArgs(input: GeneratorInput, ...extra: string[]): string[] {
  return [
    'generator/cli.ts',
    '--in',
    input.input,
    '--out',
    input.outDir,
    ...(input.mode ? ['--mode', input.mode] : []),
    '--quiet',
    ...extra,
  ];
}

/** `runs` cold runs of the CLI (after one run that writes the output and fills the compile cache). */
export function coldOurs(input: GeneratorInput, runs: number, env?: NodeJS.ProcessEnv): number[] {
  timeNode(cliArgs(input));
  return Array.from({ length: runs }, () => timeNode(cliArgs(input, '--no-cache'), env));
}

/** `runs` warm runs of `generate()` in this process (after one unmeasured), and what it generated. */
export async function warmOurs(
  input: GeneratorInput,
  runs: number,
): Promise<{ samples: number[]; summary: string }> {
  const samples: number[] = [];
  let summary = '';
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const result = await generate({
      input: input.input,
      outDir: input.outDir,
      runtimeEntry: path.join(ROOT, 'runtime/contract/index.ts'),
      cwd: ROOT,
      ...(input.mode ? { mode: input.mode } : {}),
    });
    if (i > 0) samples.push(performance.now() - started);
    summary = `${result.documents.length} documents, ${result.catalog.events.length} events, ${result.catalog.topics.length} topics, ${result.files.length} files`;
  }
  return { samples, summary };
}

export const coldModelina = (files: readonly string[], runs: number): number[] =>
  Array.from({ length: runs }, () => timeNode(['bench/modelina.ts', ...files]));

export async function warmModelina(
  files: readonly string[],
  runs: number,
): Promise<{ samples: number[]; run: Awaited<ReturnType<typeof runModelina>> }> {
  const samples: number[] = [];
  let run = await runModelina(files);
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run = await runModelina(files);
    samples.push(performance.now() - started);
  }
  return { samples, run };
}

export interface GeneratorOptions {
  readonly runs: number;
  readonly syntheticRuns: number;
  readonly synthetic: SyntheticOptions;
  readonly modelina: boolean;
}

export const GENERATOR_FULL: GeneratorOptions = {
  runs: 5,
  syntheticRuns: 3,
  synthetic: DEFAULT_SYNTHETIC,
  modelina: true,
};
export const GENERATOR_QUICK: GeneratorOptions = {
  runs: 1,
  syntheticRuns: 1,
  synthetic: { events: 8, topics: 4, contexts: 2 },
  modelina: true,
};

async function compare(
  input: GeneratorInput,
  key: string,
  runs: number,
  modelina: boolean,
  recorder: SectionRecorder,
): Promise<void> {
  const cold = coldOurs(input, runs);
  const warm = await warmOurs(input, runs);
  recorder.add(`cold-ours-${key}`, `ours, cold process, ${input.label}`, 'ms', cold);
  recorder.add(`warm-ours-${key}`, `ours, warm, ${input.label}`, 'ms', warm.samples);
  recorder.note(`${input.label}: ${warm.summary}`);
  if (!modelina) return;
  const files = asyncApiDocuments([input.input]);
  const modelinaCold = coldModelina(files, runs);
  const modelinaWarm = await warmModelina(files, runs);
  recorder.add(`cold-modelina-${key}`, `Modelina, cold process, ${input.label}`, 'ms', modelinaCold);
  recorder.add(`warm-modelina-${key}`, `Modelina, warm, ${input.label}`, 'ms', modelinaWarm.samples);
  recorder.add(`cold-ratio-${key}`, `ours / Modelina, cold, ${input.label}`, 'ratio', [
    median(cold) / median(modelinaCold),
  ]);
  recorder.add(`warm-ratio-${key}`, `ours / Modelina, warm, ${input.label}`, 'ratio', [
    median(warm.samples) / median(modelinaWarm.samples),
  ]);
  const { run } = modelinaWarm;
  recorder.note(
    `Modelina on ${input.label}: ${run.models} TypeScript models from ${run.documents - run.refused.length} of ${run.documents} documents` +
      (run.refused.length > 0
        ? ` (refused: ${run.refused.map((r) => path.basename(r.file)).join(', ')})`
        : ''),
  );
}

export async function runGenerator(options: GeneratorOptions, recorder: SectionRecorder): Promise<void> {
  await compare(
    {
      label: 'asyncapi/',
      input: path.join(ROOT, 'asyncapi'),
      outDir: path.join(ROOT, 'generated'),
      mode: 'strict',
    },
    'asyncapi',
    options.runs,
    options.modelina,
    recorder,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-synthetic-'));
  try {
    const set = writeSyntheticContracts(path.join(tmp, 'contracts'), options.synthetic);
    await compare(
      {
        label: `synthetic (${set.events} events, ${set.topics} topics, ${set.documents} documents)`,
        input: set.dir,
        outDir: path.join(tmp, 'out'),
        mode: 'strict',
      },
      'synthetic',
      options.syntheticRuns,
      options.modelina,
      recorder,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
