#!/usr/bin/env node
/**
 * `npm run contracts:history -- [--in asyncapi] [--format text|json] [--out <file>]`
 *
 * contracts:diff over the repository's own history: every commit that changed
 * the contracts, compared with its first parent, oldest first. A report, not a
 * gate: it exits 0 whatever it finds (2 on usage errors).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareSnapshots } from './compare.ts';
import { blocks, type Finding } from './findings.ts';
import { commitsChanging, describeCommit, parentOf, repositoryRoot, UsageError } from './revision.ts';
import { readRevision, type Snapshot, workingTreeMode } from './snapshot.ts';

enableCompileCache(path.resolve(import.meta.dirname, '..', '.cache', 'node-compile'));

interface CommitReport {
  readonly commit: string;
  readonly subject: string;
  readonly parent: string | null;
  /** Errors today's generator finds in the commit's contracts (they were read as far as possible). */
  readonly unreadable: number;
  readonly findings: readonly Finding[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      in: { type: 'string', default: 'asyncapi' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const input = values.in as string;
  const format = values.format as string;
  if (format !== 'text' && format !== 'json') {
    console.error('contracts:history: --format must be text or json');
    return 2;
  }
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'contracts-history-'));
  try {
    const root = await repositoryRoot(process.cwd());
    // Every revision is read in the working tree's mode, so old and new follow the same rules.
    const mode = await workingTreeMode(root, input);
    const snapshots = new Map<string, Promise<Snapshot>>();
    const read = (commit: string) => {
      let snapshot = snapshots.get(commit);
      if (!snapshot) {
        snapshot = readRevision(root, commit, input, scratch, { mode });
        snapshots.set(commit, snapshot);
      }
      return snapshot;
    };
    const reports: CommitReport[] = [];
    for (const commit of await commitsChanging(root, [input])) {
      const parent = await parentOf(root, commit);
      const after = await read(commit);
      const before = parent ? await read(parent) : emptySnapshot(after);
      reports.push({
        commit,
        subject: (await describeCommit(root, commit)).replace(/^\S+ /, ''),
        parent,
        unreadable: after.errors.length,
        findings: compareSnapshots(before, after),
      });
    }
    const text = format === 'json' ? `${JSON.stringify(reports, null, 2)}\n` : textReport(reports);
    if (values.out) await writeFile(values.out as string, text);
    else process.stdout.write(text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`contracts:history: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The state before the first commit: nothing. */
function emptySnapshot(like: Snapshot): Snapshot {
  return {
    ...like,
    label: 'nothing',
    catalog: { contexts: [], topics: [], events: [], consumerGroups: [] },
    errors: [],
    topics: new Map(),
    events: new Map(),
    groups: new Map(),
  };
}

function textReport(reports: readonly CommitReport[]): string {
  const lines = [`contracts:history: ${reports.length} commit(s) changed the contracts`];
  for (const r of reports) {
    const blocking = r.findings.filter(blocks).length;
    const counts = ['breaking', 'warning', 'info']
      .map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    lines.push(
      '',
      `${r.commit.slice(0, 12)} ${r.subject.slice(0, 100)}`,
      `  ${counts.length > 0 ? counts.join(', ') : 'safe'}${blocking > 0 ? ` (${blocking} without an override)` : ''}${r.unreadable > 0 ? `; today's generator finds ${r.unreadable} error(s) in it` : ''}`,
    );
    const byRule = new Map<string, Finding[]>();
    for (const f of r.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    for (const [rule, found] of byRule) {
      const subjects = found.map((f) => f.subject.name);
      const shown = subjects.slice(0, 6).join(', ');
      lines.push(`  ${rule}: ${shown}${subjects.length > 6 ? ` and ${subjects.length - 6} more` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

process.exitCode = await main();
