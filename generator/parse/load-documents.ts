import { createRequire } from 'node:module';
import path from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import {
  type AsyncAPIDocumentInterface,
  Parser,
  type Diagnostic as ParserDiagnostic,
} from '@asyncapi/parser';
import type { Diagnostic } from '../diagnostics.ts';
import { pointer } from '../diagnostics.ts';
import { checkRefs } from './check-refs.ts';
import { locate } from './locate.ts';
import type { RawFiles } from './raw-files.ts';

export interface LoadedDocument {
  /** Absolute path of the document. */
  readonly file: string;
  readonly document: AsyncAPIDocumentInterface;
}

export interface LoadOptions {
  /** Turns an absolute path into the name diagnostics show. */
  readonly display: (absPath: string) => string;
}

/**
 * Spectral, which the parser validates with, keeps one ajv instance per
 * document, so the AsyncAPI meta-schema (about 250 ms of compiling) is compiled
 * again for every document. Sharing one set of instances across documents
 * gives the same validation, compiled once per run. If the module is not where
 * expected (another Spectral version) nothing is patched and parsing is just
 * slower.
 */
function shareSpectralAjv(): void {
  try {
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
    const ajvModule = fromParser('@stoplight/spectral-functions/dist/schema/ajv.js') as {
      createAjvInstances?: () => unknown;
    };
    const create = ajvModule.createAjvInstances;
    if (typeof create !== 'function' || (create as { shared?: boolean }).shared) return;
    const instances = create();
    ajvModule.createAjvInstances = Object.assign(() => instances, { shared: true });
  } catch {
    // Unknown layout: keep the parser's own behaviour.
  }
}

/**
 * Parses and validates each AsyncAPI document with AsyncAPI's own parser
 * (spec validation, `$ref` resolution across files, traits, and other schema
 * formats such as Avro through its schema parsers).
 */
export async function loadDocuments(
  files: readonly string[],
  raw: RawFiles,
  options: LoadOptions,
): Promise<{ documents: LoadedDocument[]; diagnostics: Diagnostic[] }> {
  shareSpectralAjv();
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const broken = await checkRefs(file, raw, options.display);
    if (broken.length > 0) {
      diagnostics.push(...broken);
      continue;
    }
    const closure = await raw.closure(file);
    const entry = closure[0];
    if (!entry) continue;
    const { document, diagnostics: found } = await parser.parse(entry.text, {
      source: file,
      applyTraits: true,
    });
    const errors = found.filter((d) => d.severity === 0);
    for (const d of found.filter((d) => d.severity <= 1)) {
      diagnostics.push(await fromParser(d, file, raw, options));
    }
    if (!document || errors.length > 0) continue;
    documents.push({ file, document });
  }
  return { documents, diagnostics };
}

async function fromParser(
  d: ParserDiagnostic,
  entry: string,
  raw: RawFiles,
  options: LoadOptions,
): Promise<Diagnostic> {
  const source = d.source && path.isAbsolute(d.source) ? d.source : entry;
  const where =
    source === entry ? await locate(raw, entry, d.path) : { file: source, pointer: pointer(d.path) };
  const unresolved = /\$ref|could not be resolved|invalid-ref/i.test(`${String(d.code)} ${d.message}`);
  return {
    code: unresolved ? 'unresolved-ref' : 'asyncapi-invalid',
    severity: d.severity === 0 ? 'error' : 'warning',
    file: options.display(where.file),
    pointer: where.pointer,
    message: `${d.message} (${String(d.code)})`,
  };
}
