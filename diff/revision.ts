/**
 * The base revision of a comparison and its contracts, read from git: by
 * default the merge base of HEAD with `main` (on `main` itself, HEAD's first
 * parent: the change being landed). A shallow clone that lacks the base is
 * deepened once; when that fails the run stops with a message saying what to
 * fetch, never comparing against nothing.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A problem with how the command was called or with the repository: exit code 2. */
export class UsageError extends Error {}

export interface Base {
  readonly commit: string;
  /** How the base was chosen, for the report. */
  readonly description: string;
}

async function git(root: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  return stdout.trim();
}

async function tryGit(root: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return await git(root, args);
  } catch {
    return undefined;
  }
}

export async function repositoryRoot(cwd: string): Promise<string> {
  const root = await tryGit(cwd, ['rev-parse', '--show-toplevel']);
  if (root === undefined)
    throw new UsageError(`${cwd} is not inside a git repository; contracts:diff compares git revisions`);
  return root;
}

/** Resolves `ref` (or the default base) to a commit, deepening a shallow clone once if needed. */
export async function resolveBase(root: string, ref: string | undefined): Promise<Base> {
  const attempt = () => (ref === undefined ? defaultBase(root) : explicitBase(root, ref));
  const first = await attempt();
  if (first !== undefined) return first;
  if ((await tryGit(root, ['rev-parse', '--is-shallow-repository'])) === 'true') {
    // A CI checkout is often shallow: fetch the history once, then try again.
    await tryGit(root, ['fetch', '--quiet', '--unshallow']);
    await tryGit(root, ['fetch', '--quiet', 'origin', 'main:refs/remotes/origin/main']);
    const second = await attempt();
    if (second !== undefined) return second;
    throw new UsageError(
      `the base revision ${ref ?? '(merge base with main)'} is not in this shallow clone and fetching more history failed; run \`git fetch --unshallow origin main\` (or check out with fetch-depth: 0) and try again`,
    );
  }
  throw new UsageError(
    ref === undefined
      ? 'no base revision: there is no `main` (or `origin/main`) branch to take the merge base with; pass --base <git ref>'
      : `unknown git revision "${ref}"`,
  );
}

async function explicitBase(root: string, ref: string): Promise<Base | undefined> {
  const commit = await tryGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return commit === undefined ? undefined : { commit, description: `${ref} (${commit.slice(0, 12)})` };
}

async function defaultBase(root: string): Promise<Base | undefined> {
  const head = await tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (head === undefined) return undefined;
  for (const main of ['main', 'origin/main']) {
    const mergeBase = await tryGit(root, ['merge-base', 'HEAD', main]);
    if (mergeBase === undefined) continue;
    if (mergeBase !== head)
      return { commit: mergeBase, description: `merge base with ${main} (${mergeBase.slice(0, 12)})` };
    const parent = await tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD^1']);
    if (parent !== undefined)
      return {
        commit: parent,
        description: `HEAD's first parent (${parent.slice(0, 12)}): HEAD is on ${main}`,
      };
    // No parent: a shallow clone cut it off (deepen, never compare HEAD with itself), or a root commit.
    if ((await tryGit(root, ['rev-parse', '--is-shallow-repository'])) === 'true') return undefined;
    return { commit: head, description: `HEAD (${head.slice(0, 12)}), the first commit` };
  }
  return undefined;
}

/** Writes the files under `paths` as they are at `commit` into `dir` (paths missing there are skipped). */
export async function extractRevision(
  root: string,
  commit: string,
  paths: readonly string[],
  dir: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = (await git(root, ['ls-tree', '--name-only', commit, '--', ...paths]))
    .split('\n')
    .filter(Boolean);
  if (present.length === 0) return;
  const archive = await run('git', ['archive', '--format=tar', commit, '--', ...present], {
    cwd: root,
    encoding: 'buffer',
    maxBuffer: 512 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) => {
    const tar = execFile('tar', ['-x', '-C', dir], (error) => (error ? reject(error) : resolve()));
    tar.stdin?.end(archive.stdout);
  });
}

/** Commits older than `commit` that changed `paths`, newest first (first-parent history). */
export async function commitsTouching(
  root: string,
  commit: string,
  paths: readonly string[],
): Promise<string[]> {
  const out = await git(root, ['log', '--first-parent', '--format=%H', `${commit}^`, '--', ...paths]).catch(
    () => '',
  );
  return out.split('\n').filter(Boolean);
}

/** The commit's subject line and short hash, for reports. */
export async function describeCommit(root: string, commit: string): Promise<string> {
  return git(root, ['log', '-1', '--format=%h %s', commit]);
}

/** Every commit (merges aside: their changes are their branches' commits) that changed `paths`, oldest first. */
export async function commitsChanging(root: string, paths: readonly string[]): Promise<string[]> {
  const out = await git(root, [
    'log',
    '--reverse',
    '--full-history',
    '--no-merges',
    '--format=%H',
    '--',
    ...paths,
  ]);
  return out.split('\n').filter(Boolean);
}

/** The commit's first parent, or null for a root commit. */
export async function parentOf(root: string, commit: string): Promise<string | null> {
  return (await tryGit(root, ['rev-parse', '--verify', '--quiet', `${commit}^1`])) ?? null;
}
