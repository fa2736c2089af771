#!/usr/bin/env node
/**
 * `npm run generate [-- --check] [--in <file|dir>] [--out <dir>]`
 *
 * Reads the AsyncAPI contracts and writes the SDK. The only part of the
 * generator that touches the disk: files are written only after the whole
 * pipeline succeeded, each through a temporary file and a rename, and stale
 * generated files are removed. When nothing the last run read has changed and
 * its output is untouched, the answer comes from its stamp (generator/stamp.ts).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { enableCompileCache } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONFIG_FILE, loadConfig, MODES, type Mode, modeFor } from './config.ts';
import { BANNER } from './emit/banner.ts';
import { contractListing, readStamp, sha, stampHolds, stampKey, stampPath, writeStamp } from './stamp.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Node's on-disk cache of compiled modules: the parser, ajv and their dependencies (tens of MB of
// JavaScript) load from it from the second run on. `NODE_COMPILE_CACHE` chooses another folder and
// `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for any Node program. Nothing heavy is imported
// statically above, so everything the pipeline loads is cached.
enableCompileCache(process.env.NODE_COMPILE_CACHE ?? path.join(repoRoot, '.cache', 'node-compile'));
const usage = `usage: npm run generate -- [--check] [--in <file|dir>] [--out <dir>] [--mode strict|lenient]

  --in <file|dir>   AsyncAPI document, or folder searched for them (default: asyncapi/)
  --mode <mode>     strict: the project's conventions are errors; lenient: warnings with defaults
                    (default: the input's mode in ${CONFIG_FILE}, else lenient)
  --out <dir>       where the SDK is written (default: generated/)
  --check           write nothing; exit 1 naming every file that is stale, missing or extra
  --quiet           print errors only
  --no-cache        always run the whole pipeline
  --timings         print how long loading and each stage took
  --watch, -w       regenerate on every contract change (one warm process)`;

async function main(): Promise<number> {
  let args: Options;
  try {
    args = parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  if (args.watch) return watch(args);
  return runOnce(args);
}

type Options = ReturnType<typeof parseOptions>;

/**
 * `--watch`: regenerates whenever a contract changes, in one warm process,
 * so an edit is reflected in well under a second. Errors are printed and the
 * watch goes on; nothing is written for a broken contract.
 */
async function watch(args: Options): Promise<number> {
  const { watch: watchFiles } = await import('node:fs');
  const input = path.resolve(process.cwd(), args.in);
  const root = (await import('node:fs/promises'))
    .stat(input)
    .then((s) => (s.isDirectory() ? input : path.dirname(input)));
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve(0);
  const rerun = () => {
    running = running.then(() => runOnce({ ...args, cache: false }));
  };
  rerun();
  watchFiles(await root, { recursive: true }, (_event, name) => {
    if (name && !/\.(ya?ml|json)$/i.test(String(name))) return;
    clearTimeout(timer);
    timer = setTimeout(rerun, 80);
  });
  console.log(`generate --watch: watching ${args.in} (Ctrl-C to stop)`);
  return new Promise<number>(() => {});
}

async function runOnce(args: Options): Promise<number> {
  const started = performance.now();
  const input = path.resolve(process.cwd(), args.in);
  const outDir = path.resolve(process.cwd(), args.out);
  const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;

  const loadedConfig = await loadConfig(process.cwd());
  const { config } = loadedConfig;
  if (loadedConfig.diagnostics.length > 0) {
    const { formatDiagnostic } = await import('./diagnostics.ts');
    console.error(loadedConfig.diagnostics.map(formatDiagnostic).join('\n'));
    console.error(`\ngenerate: ${CONFIG_FILE} is invalid; nothing was written.`);
    return 1;
  }
  const mode = modeFor(config, input, args.mode);
  const existing = await listGenerated(outDir);
  const [listing, key] = await Promise.all([
    contractListing(input),
    stampKey(repoRoot, [input, outDir, runtimeEntry, mode, config.text]),
  ]);
  const stampFile = stampPath(path.join(repoRoot, '.cache', 'generate'), input, outDir);
  const stamp = args.cache ? await readStamp(stampFile) : undefined;
  if (stamp && (await stampHolds(stamp, key, listing, outDir, existing))) {
    if (!args.quiet) for (const warning of stamp.warnings) console.warn(warning);
    if (!args.quiet)
      console.log(
        `generate${args.check ? ' --check' : ''}: ${args.out} is up to date (${stamp.summary}; unchanged since the last run; ${elapsed()}).`,
      );
    return 0;
  }

  // The pipeline (AsyncAPI parser, ajv) is loaded only when it has work to do.
  const loading = performance.now();
  const { ContractError, formatDiagnostic } = await import('./diagnostics.ts');
  const { generate } = await import('./generate.ts');
  const loadedIn = Math.round(performance.now() - loading);
  let result: Awaited<ReturnType<typeof generate>>;
  try {
    result = await generate({ input: args.in, outDir, runtimeEntry, cwd: process.cwd(), mode, config });
    if (args.timings) {
      const stages = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${ms} ms`);
      console.error(
        `generate --timings: start ${Math.round(loading)} ms, load ${loadedIn} ms, ${stages.join(', ')}`,
      );
    }
  } catch (error) {
    if (error instanceof ContractError) {
      console.error(error.diagnostics.map(formatDiagnostic).join('\n'));
      console.error(
        `\ngenerate: ${error.diagnostics.filter((d) => d.severity === 'error').length} error(s); nothing was written.`,
      );
      return 1;
    }
    throw error;
  }
  const warnings = result.diagnostics.map(formatDiagnostic);
  if (!args.quiet) for (const warning of warnings) console.warn(warning);

  const wanted = new Map(result.files.map((f) => [f.path, f.content]));
  const inTheWay: string[] = [];
  for (const file of wanted.keys()) {
    if (existing.includes(file)) continue;
    const present = await readFile(path.join(outDir, file)).then(
      () => true,
      () => false,
    );
    if (present) inTheWay.push(path.join(args.out, file));
  }
  if (inTheWay.length > 0) {
    console.error(
      `${inTheWay.map((f) => `hand-written: ${f} has no generated banner`).join('\n')}\n\ngenerate: ${inTheWay.length} file(s) without the generated banner stand where generated files go; move them away (generate never overwrites hand-written files). Nothing was written.`,
    );
    return 1;
  }
  const stale: string[] = [];
  const changed: string[] = [];
  for (const [file, content] of wanted) {
    const current = await readFile(path.join(outDir, file), 'utf8').catch(() => undefined);
    if (current === content) continue;
    changed.push(file);
    stale.push(`${current === undefined ? 'missing' : 'stale'}: ${path.join(args.out, file)}`);
  }
  const extra = existing.filter((file) => !wanted.has(file));
  for (const file of extra) stale.push(`extra: ${path.join(args.out, file)}`);

  const { catalog } = result;
  const summary = `${mode}: ${result.documents.length} documents, ${catalog.events.length} events, ${catalog.topics.length} topics (${catalog.topics.filter((t) => t.kind === 'dead-letter').length} dead-letter), ${catalog.consumerGroups.length} consumer groups`;
  const remember = () =>
    writeStamp(stampFile, {
      key,
      listing,
      inputs: result.inputs,
      outputs: Object.fromEntries([...wanted].map(([file, content]) => [file, sha(content)])),
      summary,
      warnings,
    });
  if (args.check) {
    if (stale.length > 0) {
      console.error(
        `${stale.join('\n')}\n\ngenerate --check: ${stale.length} file(s) out of date with the contracts; run \`npm run generate\` and commit the result.`,
      );
      return 1;
    }
    await remember();
    if (!args.quiet) console.log(`generate --check: ${args.out} is up to date (${summary}; ${elapsed()}).`);
    return 0;
  }
  await mkdir(outDir, { recursive: true });
  for (const file of changed) {
    const target = path.join(outDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, wanted.get(file) ?? '');
    await rename(tmp, target);
  }
  for (const file of extra) await rm(path.join(outDir, file));
  await remember();
  if (!args.quiet) {
    console.log(
      `generate: ${summary} → ${args.out} (${changed.length} file(s) written, ${extra.length} removed; ${elapsed()}).`,
    );
  }
  return 0;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      in: { type: 'string', default: 'asyncapi' },
      out: { type: 'string', default: 'generated' },
      check: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      cache: { type: 'boolean', default: true },
      'no-cache': { type: 'boolean', default: false },
      watch: { type: 'boolean', short: 'w', default: false },
      mode: { type: 'string' },
      timings: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const v = values as {
    in: string;
    out: string;
    check: boolean;
    quiet: boolean;
    'no-cache': boolean;
    watch: boolean;
    mode?: string;
    timings: boolean;
    help: boolean;
  };
  if (v.mode !== undefined && !MODES.includes(v.mode as Mode))
    throw new Error(`--mode must be strict or lenient, not "${v.mode}"`);
  return { ...v, mode: v.mode as Mode | undefined, cache: !v['no-cache'] };
}

/** Files in `dir` that carry the generated banner: only those are ever overwritten or removed. */
async function listGenerated(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const head = await readFile(full, 'utf8')
      .then((t) => t.slice(0, 400))
      .catch(() => '');
    if (head.includes(BANNER)) out.push(path.relative(dir, full));
  }
  return out.sort();
}

process.exitCode = await main();
