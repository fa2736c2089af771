import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { CONVERTIBLE } from './convert-v2.ts';
import { describeSyntax, type RawFiles } from './raw-files.ts';

/**
 * AsyncAPI documents under `input`: YAML/JSON files with a top-level
 * `asyncapi` key; other YAML/JSON files are fragments. A file that cannot be
 * read or parsed is never silently skipped: it might be a document, so it is
 * an error naming the file, line and column.
 */
export async function findDocuments(
  input: string,
  raw: RawFiles,
  display: (p: string) => string,
): Promise<{ documents: string[]; diagnostics: Diagnostic[] }> {
  const info = await stat(input).catch(() => undefined);
  if (!info) {
    return {
      documents: [],
      diagnostics: [
        {
          code: 'io',
          severity: 'error',
          file: display(input),
          pointer: '',
          message: 'no such file or folder',
        },
      ],
    };
  }
  const candidates = info.isDirectory()
    ? (await readdir(input, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .filter((p) => !p.split(path.sep).includes('node_modules'))
    : [input];
  const documents: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of candidates.sort()) {
    const problem = await unreadable(raw, file, display);
    if (problem) diagnostics.push(problem);
    const { value } = await raw.get(file);
    if (value && typeof value === 'object' && 'asyncapi' in value) documents.push(file);
  }
  return { documents, diagnostics };
}

/** The error for a file that cannot be read or is not valid YAML/JSON, reported at that file itself. */
export async function unreadable(
  raw: RawFiles,
  file: string,
  display: (p: string) => string,
): Promise<Diagnostic | undefined> {
  const { error, syntax } = await raw.get(file);
  if (error === undefined) return undefined;
  return {
    code: 'io',
    severity: 'error',
    file: display(file),
    pointer: '',
    message: syntax ? describeSyntax(syntax) : error,
  };
}

/**
 * Splits documents into those the pipeline reads (AsyncAPI 3.x, and 2.0–2.6,
 * converted on the way) and refusals naming the version.
 */
export async function checkVersions(
  documents: readonly string[],
  raw: RawFiles,
  display: (p: string) => string,
): Promise<{ accepted: string[]; diagnostics: Diagnostic[] }> {
  const accepted: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of documents) {
    const { value } = await raw.get(file);
    const version = String((value as { asyncapi?: unknown }).asyncapi);
    if (/^3\.\d+\.\d+$/.test(version) || CONVERTIBLE.test(version)) {
      accepted.push(file);
      continue;
    }
    diagnostics.push({
      code: 'unsupported',
      severity: 'error',
      file: display(file),
      pointer: '#/asyncapi',
      message: `AsyncAPI ${version} is not supported: the generator reads AsyncAPI 3.x, and 2.0.0–2.6.0 (converted to 3.0 on the way)`,
    });
  }
  return { accepted, diagnostics };
}
