/**
 * `npm run bench:generate [-- --runs 5]`: how long regenerating the whole
 * contract set takes.
 *
 * - cold: a fresh `node generator/cli.ts --check` process each run, what a
 *   developer waits for (module loading and AsyncAPI validation included);
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

const cold: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  execFileSync(process.execPath, ['generator/cli.ts', '--check', '--quiet'], { cwd: root, stdio: 'inherit' });
  cold.push(performance.now() - started);
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
console.log(`  cold process (cli --check): ${stats(cold)}`);
console.log(`  warm, in process:           ${stats(warm)}`);
