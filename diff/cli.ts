#!/usr/bin/env node
/**
 * `npm run contracts:diff -- [--base <git ref>] [--format text|json|sarif] [--out <file>]`
 *
 * Compares the AsyncAPI contracts at the base revision with the working tree
 * and classifies every change (diff/rules.ts). Exit 0 when the change is safe
 * for every producer, consumer group and topic, 1 when a breaking change has
 * no override, 2 on usage errors (bad flags, no base revision, unreadable
 * contracts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../generator/diagnostics.ts';
import { compareSnapshots } from './compare.ts';
import { blocks } from './findings.ts';
import { jsonReport } from './report/json.ts';
import { sarifReport } from './report/sarif.ts';
import { textReport } from './report/text.ts';
import { repositoryRoot, resolveBase, UsageError } from './revision.ts';
import { readRevision, readSnapshot, type Snapshot } from './snapshot.ts';
import { transitiveHistory } from './transitive.ts';

enableCompileCache(path.resolve(import.meta.dirname, '..', '.cache', 'node-compile'));

const usage = `usage: npm run contracts:diff -- [--base <git ref>] [--in <folder>] [--format text|json|sarif] [--out <file>] [--lenient]

  --base <ref>     the revision to compare with (default: the merge base of HEAD with main;
                   on main itself, HEAD's first parent)
  --in <folder>    the contracts, relative to the repository root (default: asyncapi)
  --format <f>     text (default), json or sarif
  --out <file>     write the report there instead of standard output
  --lenient        Confluent's lenient set of compatible payload changes (default: strict)
  --quiet          print the report only when it is not safe

exit status: 0 safe, 1 a breaking change without an override, 2 usage error`;

const FORMATS = { text: textReport, json: jsonReport, sarif: sarifReport } as const;

async function main(): Promise<number> {
  let args: ReturnType<typeof options>;
  try {
    args = options();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'contracts-diff-'));
  try {
    const root = await repositoryRoot(process.cwd());
    const base = await resolveBase(root, args.base);
    const after = await readSnapshot(root, args.in, 'working tree');
    unreadable(after);
    const before = await readRevision(root, base.commit, args.in, scratch, {
      label: `base ${base.commit.slice(0, 12)}`,
      mode: after.mode,
    });
    const history = await transitiveHistory(root, base.commit, after, args.in, scratch);
    const findings = compareSnapshots(before, after, { lenient: args.lenient, history });
    const report = FORMATS[args.format](findings, { base: base.description, head: 'working tree' });
    const failing = findings.some(blocks);
    if (before.errors.length > 0) {
      console.error(
        `contracts:diff: the base revision's contracts have ${before.errors.length} error(s) under today's generator; what could be read was compared:\n${before.errors.map(formatDiagnostic).join('\n')}`,
      );
    }
    if (args.out) await writeFile(args.out, report);
    else if (!args.quiet || failing) process.stdout.write(report);
    return failing ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`contracts:diff: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The working tree's contracts must read cleanly: a change cannot be judged against broken contracts. */
function unreadable(head: Snapshot): void {
  if (head.errors.length === 0) return;
  throw new UsageError(
    `the working tree's contracts have errors; fix them first (npm run generate shows the same):\n${head.errors.map(formatDiagnostic).join('\n')}`,
  );
}

function options() {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      in: { type: 'string', default: 'asyncapi' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      lenient: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const format = values.format as string;
  if (!Object.hasOwn(FORMATS, format))
    throw new Error(`--format must be text, json or sarif, not "${format}"`);
  return { ...values, in: values.in as string, format: format as keyof typeof FORMATS };
}

process.exitCode = await main();
