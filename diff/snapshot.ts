/**
 * One revision of the contracts as `contracts:diff` compares them: the
 * generator's catalog (parse → model), with every location made relative to
 * the revision's root so base and head name files the same way.
 */
import path from 'node:path';
import { CONFIG_FILE, loadConfig, type Mode, modeFor } from '../generator/config.ts';
import { ContractError, type Diagnostic, formatDiagnostic } from '../generator/diagnostics.ts';
import { readContracts } from '../generator/generate.ts';
import type {
  Catalog,
  ConsumerGroupModel,
  EventModel,
  Subscription,
  TopicModel,
} from '../generator/model/catalog.ts';
import type { SourceLocation } from '../generator/parse/locate.ts';
import type { Place } from './findings.ts';
import { extractRevision, UsageError } from './revision.ts';

export interface Snapshot {
  /** `base (<commit>)` or `working tree`, for messages. */
  readonly label: string;
  /** The mode the contracts were read in: a base revision is read in the working tree's mode, so both sides follow the same rules. */
  readonly mode: Mode;
  readonly catalog: Catalog;
  /** Errors that kept part of the contracts out of the catalog. */
  readonly errors: readonly Diagnostic[];
  readonly topics: ReadonlyMap<string, TopicModel>;
  readonly events: ReadonlyMap<string, EventModel>;
  readonly groups: ReadonlyMap<string, ConsumerGroupModel>;
  place(location: SourceLocation): Place;
}

/** Reads the contracts under `root` (a checkout or an extracted revision): `input` is relative to it. */
export async function readSnapshot(
  root: string,
  input: string,
  label: string,
  mode?: Mode,
): Promise<Snapshot> {
  let catalog: Catalog = { contexts: [], topics: [], events: [], consumerGroups: [] };
  let errors: readonly Diagnostic[];
  let readMode: Mode = mode ?? 'strict';
  try {
    const read = await readContracts({
      input,
      cwd: root,
      outDir: path.join(root, 'generated'),
      runtimeEntry: path.join(root, 'runtime', 'contract', 'index.ts'),
      ...(mode ? { mode } : {}),
    });
    readMode = read.mode;
    catalog = read.catalog;
    errors = read.diagnostics.filter((d) => d.severity === 'error');
  } catch (error) {
    // No contracts at all (a revision before they existed), or an unreadable config.
    if (!(error instanceof ContractError)) throw error;
    errors = error.diagnostics.filter((d) => d.severity === 'error');
  }
  return {
    label,
    mode: readMode,
    catalog,
    errors,
    topics: new Map(catalog.topics.map((t) => [t.address, t])),
    events: new Map(catalog.events.map((e) => [e.name, e])),
    groups: new Map(catalog.consumerGroups.map((g) => [g.groupId, g])),
    place: (location) => ({
      file: path.relative(root, location.file).split(path.sep).join('/'),
      pointer: location.pointer,
    }),
  };
}

/** The groups (and their subscription) that handle `event` on `topic`. */
export function handlersOf(
  snapshot: Snapshot,
  topic: string,
  event: string,
): [ConsumerGroupModel, Subscription][] {
  const out: [ConsumerGroupModel, Subscription][] = [];
  for (const group of snapshot.catalog.consumerGroups) {
    for (const s of group.subscriptions)
      if (s.topic === topic && s.events.includes(event)) out.push([group, s]);
  }
  return out;
}

/** The files a revision's snapshot needs: the contracts and what locates their config. */
export function revisionPaths(input: string): string[] {
  return [input, 'package.json', 'contract-events.config.json'];
}

/** Reads the contracts as they are at `commit`, extracted under `scratch`. */
export async function readRevision(
  root: string,
  commit: string,
  input: string,
  scratch: string,
  options: { label?: string; mode?: Mode } = {},
): Promise<Snapshot> {
  const dir = path.join(scratch, commit);
  await extractRevision(root, commit, revisionPaths(input), dir);
  return readSnapshot(dir, input, options.label ?? commit.slice(0, 12), options.mode);
}

/** The mode the working tree's config gives the contracts under `input` (what `readSnapshot` would read them in). */
export async function workingTreeMode(root: string, input: string): Promise<Mode> {
  const { config, diagnostics } = await loadConfig(root);
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new UsageError(`${CONFIG_FILE} is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return modeFor(config, path.resolve(root, input));
}
