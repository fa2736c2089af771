/**
 * Remembers the last successful run: what it read (every contract file, the
 * generator's own sources, the lockfile) and what it wrote, each by content
 * hash. When nothing it read has changed and the output on disk is still
 * exactly what it wrote, a new run would produce the same bytes, so the CLI
 * answers from the stamp without loading the parser or the emitters.
 * Anything else (a changed or new contract, an edited output file, a new
 * generator version) runs the whole pipeline.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Stamp {
  readonly key: string;
  /** Contract files under the input (sorted), so a new or removed document is noticed. */
  readonly listing: readonly string[];
  /** Every file the run read, absolute path → content hash. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Every file the run produced, path relative to the output folder → content hash. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly warnings: readonly string[];
}

export function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function hashFile(file: string): Promise<string | undefined> {
  return readFile(file).then(sha, () => undefined);
}

/** Contract candidates under `input`: the YAML and JSON files the pipeline would look at. */
export async function contractListing(input: string): Promise<string[]> {
  const entries = await readdir(input, { recursive: true, withFileTypes: true }).catch(() => undefined);
  if (!entries) return [input];
  return entries
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((p) => !p.split(path.sep).includes('node_modules'))
    .sort();
}

/** What, besides the contracts, decides the output: the generator's sources, the dependency versions, the paths. */
export async function stampKey(repoRoot: string, parts: readonly string[]): Promise<string> {
  // The generator's own sources, and the runtime modules it imports rules from (header names,
  // topic-name and address-template rules in runtime/contract and runtime/topics).
  const folders = ['generator', 'runtime/contract', 'runtime/topics'];
  const sources = (
    await Promise.all(
      folders.map((folder) => readdir(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })),
    )
  )
    .flat()
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part}\0`);
  for (const file of [...sources, path.join(repoRoot, 'package-lock.json')]) {
    hash.update(`${file}\0${(await hashFile(file)) ?? 'missing'}\0`);
  }
  return hash.digest('hex');
}

export function stampPath(cacheDir: string, input: string, outDir: string): string {
  return path.join(cacheDir, `${sha(`${input}\0${outDir}`).slice(0, 16)}.json`);
}

export async function readStamp(file: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

export async function writeStamp(file: string, stamp: Stamp): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(stamp));
  await rename(tmp, file);
}

/** True when the stamp still describes what a full run would do: same key, same inputs, output untouched. */
export async function stampHolds(
  stamp: Stamp,
  key: string,
  listing: readonly string[],
  outDir: string,
  generatedFiles: readonly string[],
): Promise<boolean> {
  if (stamp.key !== key) return false;
  if (JSON.stringify(stamp.listing) !== JSON.stringify(listing)) return false;
  if (JSON.stringify([...generatedFiles].sort()) !== JSON.stringify(Object.keys(stamp.outputs).sort()))
    return false;
  for (const [file, hash] of Object.entries(stamp.inputs)) if ((await hashFile(file)) !== hash) return false;
  for (const [file, hash] of Object.entries(stamp.outputs))
    if ((await hashFile(path.join(outDir, file))) !== hash) return false;
  return true;
}
