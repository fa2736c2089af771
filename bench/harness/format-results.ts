/**
 * Formats result files as Biome formats the repository, so committing a run keeps
 * `npm run lint` clean. A failure is reported, never fatal: the numbers are written either way.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIOME = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));

export async function formatResults(
  files: readonly string[],
  log: (line: string) => void = console.error,
): Promise<void> {
  await promisify(execFile)(BIOME, ['format', '--write', ...files]).catch((err: unknown) => {
    log(
      `could not format ${files.join(', ')} with Biome: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
}
