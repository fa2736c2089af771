/**
 * `npm run bench:generate [-- --runs 5]`: how long regenerating the whole
 * contract set takes.
 *
 * - cold, full: a fresh `node generator/cli.ts --check --no-cache` process each
 *   run, what a developer waits for after editing a contract (module loading
 *   and AsyncAPI validation included);
 * - cold, unchanged: the same with the stamp of the last run in place, what a
 *   pre-commit hook or CI's `generate --check` waits for when nothing changed;
 * - warm: `generate()` again in one process, the pipeline alone.
 * Prints the median and the spread of each.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../generator/generate.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));

const cli = (...args: string[]) => {
  const started = performance.now();
  execFileSync(process.execPath, ['generator/cli.ts', '--check', '--quiet', ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  return performance.now() - started;
};
const coldFull: number[] = [];
const coldStamp: number[] = [];
cli(); // leaves a stamp for the unchanged runs
for (let i = 0; i < runs; i++) {
  coldFull.push(cli('--no-cache'));
  coldStamp.push(cli());
}

const warm: number[] = [];
let summary = '';
for (let i = 0; i < runs + 1; i++) {
  const started = performance.now();
  const result = await generate({
    input: path.join(root, 'asyncapi'),
    outDir: path.join(root, 'generated'),
    runtimeEntry: path.join(root, 'runtime/contract/index.ts'),
    cwd: root,
  });
  if (i > 0) warm.push(performance.now() - started);
  summary = `${result.documents.length} documents, ${result.catalog.events.length} events, ${result.catalog.topics.length} topics, ${result.files.length} files`;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? 0;
  return `median ${Math.round(median)} ms (min ${Math.round(s[0] ?? 0)}, max ${Math.round(s.at(-1) ?? 0)})`;
};
console.log(`generate: ${summary}; node ${process.version}, ${runs} runs`);
console.log(`  cold process, full pipeline:     ${stats(coldFull)}`);
console.log(`  cold process, nothing changed:   ${stats(coldStamp)}`);
console.log(`  warm, in process (pipeline):    ${stats(warm)}`);
