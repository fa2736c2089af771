/**
 * Our JSON Schema compatibility verdicts beside a real Confluent-compatible
 * registry's, on the engine's own fixtures: a comparison run, not a test (it
 * reports every disagreement and asserts nothing about agreement).
 *
 *   npm run registry:compare [-- --concurrency 4] [--out bench/results]
 *
 * Pairs: every row of diff/payload/fixtures/payload-cases.ts (strict verdicts)
 * and every draft-07 example of diff/payload/fixtures/confluent-cases.json
 * (groups `draft-07` and `draft-07-combined`; each is a before/after pair).
 * For each pair and each of BACKWARD, FORWARD and FULL: the registry's verdict
 * (test/support/registry-compat.ts: `before` registered under a fresh subject,
 * `after` checked against it, Apicurio's reasons from a dry run when it says
 * no) and ours (`checkCompatibility(mode, [before], after)`, strict), a few at
 * a time. A schema without `$schema` gets draft-07's before it goes anywhere
 * (Apicurio refuses some roots without one; draft-07 is also what our engine
 * and Confluent assume then), so both sides judge the same text.
 *
 * The registry: REGISTRY_URL when set (a Confluent API base), else the native
 * Apicurio Registry of infra/registry/native.ts, started here when it does not
 * answer and then stopped again (only then).
 *
 * Writes bench/results/registry-compare-<timestamp>.json (every pair and mode:
 * ours, the registry's, agree, the differences and reasons) and a Markdown
 * summary beside it (agreement per mode, then every disagreement with which side
 * is right, from bench/registry-compare-judgements.ts), both formatted with Biome.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { checkCompatibility } from '../diff/payload/compatibility.ts';
import type { Difference } from '../diff/payload/differences.ts';
import confluentCases from '../diff/payload/fixtures/confluent-cases.json' with { type: 'json' };
import { PAYLOAD_CASES } from '../diff/payload/fixtures/payload-cases.ts';
import { REGISTRY_VERSION, startRegistry, stopRegistry } from '../infra/registry/native.ts';
import { registryAnswers, registryCompatBaseUrl, registryVerdict } from '../test/support/registry-compat.ts';
import { type Judgement, judgementFor } from './registry-compare-judgements.ts';

const MODES = ['BACKWARD', 'FORWARD', 'FULL'] as const;
type Mode = (typeof MODES)[number];
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const CONFLUENT_GROUPS = ['draft-07', 'draft-07-combined'] as const;

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '4' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const concurrency = Number(values.concurrency);
if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
  console.error('--concurrency must be a positive integer');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const outDir = path.resolve(root, values.out);

// ---------------------------------------------------------------- the pairs

interface Pair {
  /** Unique: the fixture row's name, or `confluent <group> #<index>: <description>`. */
  readonly name: string;
  readonly source: 'payload-cases' | 'confluent-cases';
  readonly before: unknown;
  readonly after: unknown;
  /** Which of before/after got `$schema: draft-07` added for the registry (and for us). */
  readonly schemaAdded: readonly ('before' | 'after')[];
  /** The verdicts the fixture expects of our engine (Confluent's, for its examples: BACKWARD only). */
  readonly expected: Partial<Record<Mode, boolean>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema with draft-07's `$schema` when it names none (a boolean schema stays as it is). */
function withDialect(schema: unknown): { schema: unknown; added: boolean } {
  if (!isRecord(schema) || '$schema' in schema) return { schema, added: false };
  return { schema: { $schema: DRAFT_07, ...schema }, added: true };
}

function pair(
  name: string,
  source: Pair['source'],
  rawBefore: unknown,
  rawAfter: unknown,
  expected: Pair['expected'],
): Pair {
  const before = withDialect(rawBefore);
  const after = withDialect(rawAfter);
  const schemaAdded: ('before' | 'after')[] = [];
  if (before.added) schemaAdded.push('before');
  if (after.added) schemaAdded.push('after');
  return { name, source, before: before.schema, after: after.schema, schemaAdded, expected };
}

interface ConfluentCase {
  readonly description: string;
  readonly original_schema: unknown;
  readonly update_schema: unknown;
  readonly compatible: boolean;
}

const confluentGroups: Record<string, readonly ConfluentCase[]> = confluentCases.cases;
const pairs: Pair[] = [
  ...PAYLOAD_CASES.map((row) =>
    pair(row.name, 'payload-cases', row.before, row.after, {
      BACKWARD: row.expect.backward,
      FORWARD: row.expect.forward,
      FULL: row.expect.full,
    }),
  ),
  ...CONFLUENT_GROUPS.flatMap((group) =>
    (confluentGroups[group] ?? []).map((example, index) =>
      pair(
        `confluent ${group} #${index}: ${example.description}`,
        'confluent-cases',
        example.original_schema,
        example.update_schema,
        { BACKWARD: example.compatible },
      ),
    ),
  ),
];

// ---------------------------------------------------------------- one check

interface ModeResult {
  readonly name: string;
  readonly source: Pair['source'];
  readonly mode: Mode;
  readonly ours: boolean;
  /** null when the registry answered with an error (see `registryError`). */
  readonly registry: boolean | null;
  readonly agree: boolean | null;
  /** Our differences per direction, `TYPE path`, the incompatible ones marked `!`. */
  readonly ourDifferences: { readonly backward?: readonly string[]; readonly forward?: readonly string[] };
  /** The registry's reasons when it says no (Apicurio: the dry run's causes). */
  readonly registryReasons: readonly string[];
  readonly registryError?: string;
  readonly schemaAdded: readonly ('before' | 'after')[];
  /** Set when our verdict is not the one the fixture expects (a broken comparison, not a finding). */
  readonly fixtureMismatch?: string;
}

const label = (difference: Difference, incompatible: readonly Difference[]) =>
  `${incompatible.includes(difference) ? '!' : ''}${difference.type} ${difference.path}`;

async function compareOne(baseUrl: string, p: Pair, index: number, mode: Mode): Promise<ModeResult> {
  const verdict = checkCompatibility(mode, [p.before], p.after);
  const ourDifferences: { backward?: string[]; forward?: string[] } = {};
  for (const check of verdict.checks) {
    ourDifferences[check.direction] = check.differences.map((d) => label(d, check.incompatible));
  }
  const expected = p.expected[mode];
  const fixtureMismatch =
    expected !== undefined && expected !== verdict.compatible
      ? `the fixture expects ${expected ? 'compatible' : 'incompatible'} of our engine`
      : undefined;
  let registry: boolean | null = null;
  let registryReasons: readonly string[] = [];
  let registryError: string | undefined;
  const { before, after } = p;
  if (!isRecord(before) || !isRecord(after)) {
    registryError = 'a boolean root schema: not sent to the registry';
  } else {
    try {
      const answer = await registryVerdict(`compare-${index}-${mode.toLowerCase()}`, [before], after, mode, {
        baseUrl,
      });
      registry = answer.compatible;
      registryReasons = answer.messages;
    } catch (err) {
      registryError = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    name: p.name,
    source: p.source,
    mode,
    ours: verdict.compatible,
    registry,
    agree: registry === null ? null : registry === verdict.compatible,
    ourDifferences,
    registryReasons,
    ...(registryError === undefined ? {} : { registryError }),
    schemaAdded: p.schemaAdded,
    ...(fixtureMismatch === undefined ? {} : { fixtureMismatch }),
  };
}

/** Runs `work` on every item, `limit` at a time, keeping the items' order in the results. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------- the run

const started = performance.now();
const baseUrl = registryCompatBaseUrl();
let startedHere = false;
let registryStartMs = 0;
if (!(await registryAnswers(baseUrl))) {
  if (process.env.REGISTRY_URL) {
    console.error(`REGISTRY_URL=${process.env.REGISTRY_URL} does not answer.`);
    process.exit(1);
  }
  const start = await startRegistry({}, (line) => console.error(`[registry] ${line}`));
  startedHere = !start.reused;
  if (startedHere) {
    // Interrupted: stop the registry this run started, as a finished run does.
    process.once('SIGINT', () => {
      void stopRegistry().finally(() => process.exit(130));
    });
  }
  registryStartMs = start.startMs;
  console.error(
    `[registry] ${start.url} ${start.reused ? 'reused' : `started in ${(start.startMs / 1000).toFixed(1)} s`}`,
  );
}

let results: ModeResult[];
const checksStarted = performance.now();
try {
  const jobs = pairs.flatMap((p, index) => MODES.map((mode) => ({ p, index, mode })));
  results = await pool(jobs, concurrency, ({ p, index, mode }) => compareOne(baseUrl, p, index, mode));
} finally {
  if (startedHere) {
    const stop = await stopRegistry();
    console.error(`[registry] stopped (pid ${stop.pid})`);
  }
}
const checksMs = performance.now() - checksStarted;
const totalMs = performance.now() - started;

// ---------------------------------------------------------------- the report

const stamp = new Date()
  .toISOString()
  .replace(/\.\d+Z$/, 'Z')
  .replaceAll(':', '-');
const base = path.join(outDir, `registry-compare-${stamp}`);
const disagreements = results.filter((r) => r.agree === false);
const judged = disagreements.map((r) => ({ result: r, judgement: judgementFor(r.name, r.mode) }));
const unjudged = judged.filter((j) => j.judgement === undefined);
const errors = results.filter((r) => r.registryError !== undefined);
const mismatches = results.filter((r) => r.fixtureMismatch !== undefined);
const withSchemaAdded = pairs.filter((p) => p.schemaAdded.length > 0).length;
/**
 * Pairs on which FULL agrees for opposite reasons: in one direction only ours says no,
 * in the other only the registry does.
 */
const fullForOppositeReasons = pairs
  .map((p) => p.name)
  .filter((name) => {
    const of = results.filter((r) => r.name === name);
    const single = of.filter((r) => r.mode !== 'FULL' && r.agree === false);
    return (
      of.some((r) => r.mode === 'FULL' && r.agree === true) &&
      single.some((r) => r.ours) &&
      single.some((r) => !r.ours)
    );
  });
/** What the report calls the registry: the judgements are about Apicurio's rules. */
const THEIRS = baseUrl.endsWith('/apis/ccompat/v7') ? 'Apicurio' : 'the registry';
const WHO: Record<Judgement['right'], string> = {
  ours: 'ours',
  registry: THEIRS,
  neither: 'neither',
  either: 'either',
};

interface ModeCount {
  readonly mode: Mode;
  readonly checks: number;
  readonly agree: number;
  readonly disagree: number;
  readonly errors: number;
  readonly oursOnlyCompatible: number;
  readonly registryOnlyCompatible: number;
}
const counts: ModeCount[] = MODES.map((mode) => {
  const of = results.filter((r) => r.mode === mode);
  return {
    mode,
    checks: of.length,
    agree: of.filter((r) => r.agree === true).length,
    disagree: of.filter((r) => r.agree === false).length,
    errors: of.filter((r) => r.agree === null).length,
    oursOnlyCompatible: of.filter((r) => r.agree === false && r.ours).length,
    registryOnlyCompatible: of.filter((r) => r.agree === false && r.registry === true).length,
  };
});

const meta = {
  registry: process.env.REGISTRY_URL ? baseUrl : `Apicurio Registry ${REGISTRY_VERSION} (${baseUrl})`,
  startedHere,
  date: new Date().toISOString(),
  pairs: {
    total: pairs.length,
    payloadCases: pairs.filter((p) => p.source === 'payload-cases').length,
    confluentDraft07: pairs.filter((p) => p.source === 'confluent-cases').length,
    schemaAdded: withSchemaAdded,
  },
  schemaAddedNote: `A schema without $schema was given "$schema": "${DRAFT_07}" (for the registry and for us).`,
  ourPolicy: 'strict (COMPATIBLE_CHANGES_STRICT)',
  concurrency,
  timing: {
    totalSeconds: round(totalMs / 1000),
    checksSeconds: round(checksMs / 1000),
    registryStartSeconds: round(registryStartMs / 1000),
  },
  counts,
};

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

await fs.mkdir(outDir, { recursive: true });
await fs.writeFile(`${base}.json`, `${JSON.stringify({ meta, results }, null, 2)}\n`);

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => `\`${text}\``;
const verdictWord = (compatible: boolean | null) =>
  compatible === null ? 'error' : compatible ? 'compatible' : 'incompatible';

function ourDifferenceCell(r: ModeResult): string {
  const parts: string[] = [];
  for (const direction of ['backward', 'forward'] as const) {
    const list = r.ourDifferences[direction];
    if (list === undefined) continue;
    const shown = list.length === 0 ? 'none' : list.map(code).join(', ');
    parts.push(r.mode === 'FULL' ? `${direction}: ${shown}` : shown);
  }
  return parts.join('; ');
}

function rightCell(judgement: Judgement | undefined): string {
  if (judgement === undefined) return '**not judged yet**';
  return `**${WHO[judgement.right]}** (${judgement.class}): ${judgement.why}`;
}

const lines: string[] = [];
lines.push(`# Our JSON Schema compatibility verdicts beside ${meta.registry.replace(/ \(.*\)$/, '')}`);
lines.push('');
lines.push(
  `Run ${meta.date} by \`npm run registry:compare\` (bench/registry-compare.ts); every row in ` +
    `${path.basename(base)}.json. ${pairs.length} before/after pairs: the ${meta.pairs.payloadCases} rows of ` +
    '`diff/payload/fixtures/payload-cases.ts` and the ' +
    `${meta.pairs.confluentDraft07} draft-07 examples of \`diff/payload/fixtures/confluent-cases.json\` ` +
    '(groups `draft-07` and `draft-07-combined`), each checked under BACKWARD, FORWARD and FULL: the ' +
    'registry with `before` registered and `after` as the candidate, our engine with ' +
    '`checkCompatibility(mode, [before], after)`, strict (the registry default). ' +
    `${withSchemaAdded} of the pairs had a schema without \`$schema\`: it was given ` +
    `\`"$schema": "${DRAFT_07}"\` for both sides (Apicurio refuses some JSON Schemas without one; ` +
    'draft-07 is what our engine and Confluent assume when there is none). ' +
    `${concurrency} checks at a time; the run took ${meta.timing.totalSeconds} s ` +
    `(the checks ${meta.timing.checksSeconds} s${startedHere ? `, starting the registry ${meta.timing.registryStartSeconds} s` : ''}).`,
);
lines.push('');
lines.push('## Agreement');
lines.push('');
lines.push(
  `| mode | checks | agree | disagree | only ours says compatible | only ${THEIRS} says compatible | errors |`,
);
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const c of counts) {
  lines.push(
    `| ${c.mode} | ${c.checks} | ${c.agree} | ${c.disagree} | ${c.oursOnlyCompatible} | ${c.registryOnlyCompatible} | ${c.errors} |`,
  );
}
const total = counts.reduce((sum, c) => sum + c.checks, 0);
const agreed = counts.reduce((sum, c) => sum + c.agree, 0);
const oursOnly = counts.reduce((sum, c) => sum + c.oursOnlyCompatible, 0);
const theirsOnly = counts.reduce((sum, c) => sum + c.registryOnlyCompatible, 0);
lines.push(
  `| all | ${total} | ${agreed} | ${disagreements.length} | ${oursOnly} | ${theirsOnly} | ${errors.length} |`,
);
lines.push('');

const classes = new Map<
  string,
  { right: Judgement['right']; checks: number; oursOnly: number; theirsOnly: number }
>();
for (const { result, judgement } of judged) {
  if (judgement === undefined) continue;
  const known = classes.get(judgement.class) ?? {
    right: judgement.right,
    checks: 0,
    oursOnly: 0,
    theirsOnly: 0,
  };
  classes.set(judgement.class, {
    right: judgement.right,
    checks: known.checks + 1,
    oursOnly: known.oursOnly + (result.ours ? 1 : 0),
    theirsOnly: known.theirsOnly + (result.registry ? 1 : 0),
  });
}
if (classes.size > 0) {
  lines.push('## Disagreement classes');
  lines.push('');
  lines.push(
    `| class | checks | only ours says compatible | only ${THEIRS} says compatible | which is right |`,
  );
  lines.push('| --- | --- | --- | --- | --- |');
  for (const [name, c] of classes) {
    lines.push(`| ${cell(name)} | ${c.checks} | ${c.oursOnly} | ${c.theirsOnly} | ${WHO[c.right]} |`);
  }
  lines.push('');
}

lines.push('## Disagreements');
lines.push('');
if (disagreements.length === 0) {
  lines.push('None.');
} else {
  lines.push(
    'Our differences are `compareSchemas(writer, reader)`: BACKWARD compares before → after, FORWARD ' +
      `after → before, FULL both; \`!\` marks the ones the strict policy does not accept. ${THEIRS}'s ` +
      'reason is the `causes` of a dry-run create of `after` under its own API (it gives none when it ' +
      'says compatible).',
  );
  lines.push('');
  lines.push(`| pair | mode | ours | ${THEIRS} | our differences | ${THEIRS}’s reason | which is right |`);
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const { result: r, judgement } of judged) {
    lines.push(
      `| ${cell(r.name)} | ${r.mode} | ${verdictWord(r.ours)} | ${verdictWord(r.registry)} | ` +
        `${cell(ourDifferenceCell(r))} | ${cell(r.registryReasons.join('; ') || '—')} | ${cell(rightCell(judgement))} |`,
    );
  }
}
lines.push('');
if (fullForOppositeReasons.length > 0) {
  lines.push('## FULL agreements for opposite reasons');
  lines.push('');
  lines.push(
    `FULL agrees on these pairs only because each side refuses a different direction (in one only ours ` +
      `says no, in the other only ${THEIRS}): ${fullForOppositeReasons.map(code).join(', ')}.`,
  );
  lines.push('');
}
if (errors.length > 0) {
  lines.push('## Registry errors');
  lines.push('');
  lines.push(`${THEIRS} gave no verdict on these; ours is in the JSON.`);
  lines.push('');
  for (const r of errors) {
    const judgement = judgementFor(r.name, r.mode);
    lines.push(
      `- ${r.name}, ${r.mode} (ours: ${verdictWord(r.ours)}): ${r.registryError ?? ''}` +
        (judgement ? ` — ${judgement.why}` : ''),
    );
  }
  lines.push('');
}
if (mismatches.length > 0) {
  lines.push('## Our verdict differs from the fixture');
  lines.push('');
  for (const r of mismatches) lines.push(`- ${r.name}, ${r.mode}: ${r.fixtureMismatch}`);
  lines.push('');
}
await fs.writeFile(`${base}.md`, `${lines.join('\n').trimEnd()}\n`);

// Biome formats the repository; format the two files as it would, so `npm run lint` stays clean.
await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'biome'), [
  'format',
  '--write',
  `${base}.json`,
  `${base}.md`,
]).catch((err: unknown) => {
  console.error(
    `Could not format the results with Biome: ${err instanceof Error ? err.message : String(err)}`,
  );
});

// ---------------------------------------------------------------- the console

for (const c of counts) {
  console.log(
    `${c.mode.padEnd(8)}  ${c.agree}/${c.checks} agree, ${c.disagree} disagree (only ours compatible ${c.oursOnlyCompatible}, only the registry ${c.registryOnlyCompatible})${c.errors > 0 ? `, ${c.errors} errors` : ''}`,
  );
}
for (const { result: r, judgement } of judged) {
  console.log(
    `  ${r.mode.padEnd(8)} ours ${verdictWord(r.ours).padEnd(12)} registry ${verdictWord(r.registry).padEnd(12)} ${r.name}${judgement ? `  [${judgement.class}: ${judgement.right}]` : '  [not judged]'}`,
  );
}
for (const r of errors) console.log(`  error ${r.mode} ${r.name}: ${r.registryError}`);
for (const r of mismatches) console.log(`  fixture mismatch ${r.mode} ${r.name}: ${r.fixtureMismatch}`);
if (unjudged.length > 0) {
  console.log(
    `${unjudged.length} disagreement(s) have no judgement in bench/registry-compare-judgements.ts.`,
  );
}
console.log(
  `${pairs.length} pairs × ${MODES.length} modes in ${meta.timing.totalSeconds} s (checks ${meta.timing.checksSeconds} s, ${concurrency} at a time)`,
);
console.log(`Wrote ${path.relative(root, base)}.json and .md`);
