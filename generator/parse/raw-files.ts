import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { isAvsc, withNamedTypes } from './avsc-names.ts';
import type { ConvertedDocument } from './convert-v2.ts';

/** Where a YAML or JSON file stops parsing (1-based), and why. */
export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

export interface RawFile {
  readonly path: string;
  readonly text: string;
  readonly value: unknown;
  /** Why the file could not be read or parsed; set whenever `value` is unusable. */
  readonly error?: string;
  /** Set when the file was read but is not valid YAML/JSON. */
  readonly syntax?: SyntaxProblem;
}

export interface RawFilesOptions {
  /**
   * The local file a remote (http/https) URL is mapped to, or undefined when
   * nothing maps it: `localFor(config, url)` from generator/config.ts.
   */
  readonly remote?: (url: string) => string | undefined;
}

/**
 * The contract files as written, before any `$ref` is resolved: used to find
 * which files a document depends on and where in which file a node was
 * written, so errors can name the file and JSON pointer the author edits.
 * Remote references resolve to their locally mapped copy (never fetched);
 * an AsyncAPI 2.x document also keeps its 3.x conversion here, so a path
 * through the converted document can be traced back to what was written.
 */
export class RawFiles {
  readonly #cache = new Map<string, Promise<RawFile>>();
  readonly #converted = new Map<string, ConvertedDocument>();
  readonly #remote: (url: string) => string | undefined;

  constructor(options: RawFilesOptions = {}) {
    this.#remote = options.remote ?? (() => undefined);
  }

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

  /** Every file reachable from `absPath` through file `$ref`s (remote ones as mapped), `absPath` first, then sorted. */
  async closure(absPath: string): Promise<RawFile[]> {
    const seen = new Map<string, RawFile>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      const raw = await this.get(file);
      seen.set(file, raw);
      for (const ref of collectRefs(raw.value)) {
        const target = this.refFile(ref, file);
        if (target) await visit(target);
      }
    };
    await visit(absPath);
    const [first, ...rest] = [...seen.values()];
    return first ? [first, ...rest.sort((a, b) => a.path.localeCompare(b.path))] : [];
  }

  /**
   * The absolute file a `$ref` written in `fromFile` points into: a relative
   * file, or the local copy of a mapped remote URL. Undefined for a reference
   * inside the same file and for an unmapped remote one.
   */
  refFile(ref: string, fromFile: string): string | undefined {
    const url = remoteUrl(ref);
    if (url !== undefined) return this.#remote(url);
    return refFile(ref, fromFile);
  }

  /** The local copy of a remote URL, or undefined when nothing maps it. */
  localFor(url: string): string | undefined {
    return this.#remote(url);
  }

  /** Records the 3.x conversion of an AsyncAPI 2.x document, so `locate` can trace paths back. */
  setConverted(absPath: string, converted: ConvertedDocument): void {
    this.#converted.set(absPath, converted);
  }

  /** The 3.x conversion of a 2.x document, or undefined for a document written as 3.x. */
  converted(absPath: string): ConvertedDocument | undefined {
    return this.#converted.get(absPath);
  }
}

async function readRaw(absPath: string): Promise<RawFile> {
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (error) {
    return { path: absPath, text: '', value: undefined, error: (error as Error).message };
  }
  try {
    const value = parseYaml(text, { merge: true }) as unknown;
    return { path: absPath, text, value: isAvsc(absPath) ? withNamedTypes(value) : value };
  } catch (error) {
    const syntax = syntaxProblem(error);
    return {
      path: absPath,
      text,
      value: undefined,
      error: syntax ? describeSyntax(syntax) : (error as Error).message,
      ...(syntax ? { syntax } : {}),
    };
  }
}

function syntaxProblem(error: unknown): SyntaxProblem | undefined {
  if (!(error instanceof YAMLParseError)) return undefined;
  const [start] = error.linePos ?? [];
  // The message repeats the position and quotes the source; keep the reason only.
  const reason = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return { line: start?.line ?? 1, column: start?.col ?? 1, reason };
}

/** `line 3, column 1: All mapping items must start at the same column`. */
export function describeSyntax(syntax: SyntaxProblem): string {
  return `YAML/JSON syntax error at line ${syntax.line}, column ${syntax.column}: ${syntax.reason}`;
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

/** The URL (fragment kept off) of an http(s) `$ref`, or undefined for a file or same-document one. */
export function remoteUrl(ref: string): string | undefined {
  const filePart = ref.split('#')[0] ?? '';
  return /^https?:\/\//i.test(filePart) ? filePart : undefined;
}

/** The absolute file a `$ref` points into, or undefined for a same-document or remote reference. */
export function refFile(ref: string, fromFile: string): string | undefined {
  const filePart = ref.split('#')[0] ?? '';
  if (filePart === '' || /^[a-z][a-z0-9+.-]*:/i.test(filePart)) return undefined;
  return path.resolve(path.dirname(fromFile), filePart);
}
