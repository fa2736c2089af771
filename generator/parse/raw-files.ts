import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * The contract files as written, before any `$ref` is resolved: used to find
 * which files a document depends on and where in which file a node was
 * written, so errors can name the file and JSON pointer the author edits.
 */
export class RawFiles {
  readonly #cache = new Map<string, Promise<RawFile>>();

  /** Reads and parses a YAML or JSON file once; errors are kept on the result, never thrown. */
  get(absPath: string): Promise<RawFile> {
    let entry = this.#cache.get(absPath);
    if (!entry) {
      entry = readRaw(absPath);
      this.#cache.set(absPath, entry);
    }
    return entry;
  }

  /** Every file read so far, absolute path → content hash: what a run depended on. */
  async fingerprints(hash: (text: string) => string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [file, entry] of [...this.#cache.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out[file] = hash((await entry).text);
    }
    return out;
  }

  /** Every file reachable from `absPath` through relative-file `$ref`s, `absPath` first, then sorted. */
  async closure(absPath: string): Promise<RawFile[]> {
    const seen = new Map<string, RawFile>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      const raw = await this.get(file);
      seen.set(file, raw);
      for (const ref of collectRefs(raw.value)) {
        const target = refFile(ref, file);
        if (target) await visit(target);
      }
    };
    await visit(absPath);
    const [first, ...rest] = [...seen.values()];
    return first ? [first, ...rest.sort((a, b) => a.path.localeCompare(b.path))] : [];
  }
}

export interface RawFile {
  readonly path: string;
  readonly text: string;
  readonly value: unknown;
  readonly error?: string;
}

async function readRaw(absPath: string): Promise<RawFile> {
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (error) {
    return { path: absPath, text: '', value: undefined, error: (error as Error).message };
  }
  try {
    return { path: absPath, text, value: parseYaml(text, { merge: true }) as unknown };
  } catch (error) {
    return { path: absPath, text, value: undefined, error: (error as Error).message };
  }
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, out);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') out.push(child);
      else collectRefs(child, out);
    }
  }
  return out;
}

/** The absolute file a `$ref` points into, or undefined for a same-document or remote reference. */
export function refFile(ref: string, fromFile: string): string | undefined {
  const filePart = ref.split('#')[0] ?? '';
  if (filePart === '' || /^[a-z][a-z0-9+.-]*:/i.test(filePart)) return undefined;
  return path.resolve(path.dirname(fromFile), filePart);
}
