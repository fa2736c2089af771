import path from 'node:path';
import {
  type AsyncAPIDocumentInterface,
  Parser,
  type Diagnostic as ParserDiagnostic,
} from '@asyncapi/parser';
import type { GeneratorConfig, Mode } from '../config.ts';
import { type Diagnostic, pointer } from '../diagnostics.ts';
import { checkRefs } from './check-refs.ts';
import { CONVERTIBLE, convertV2 } from './convert-v2.ts';
import { locate, type SourceLocation } from './locate.ts';
import type { RawFiles } from './raw-files.ts';
import { localResolvers, remoteRefs } from './remote-refs.ts';
import { registerSchemaParsers, type UnknownAvroType, unknownSchemaFormats } from './schema-formats.ts';
import { shareSpectralAjv } from './spectral-ajv.ts';
import { withBuiltInRuleset } from './spectral-ruleset.ts';

export interface LoadedDocument {
  /** Absolute path of the document. */
  readonly file: string;
  readonly document: AsyncAPIDocumentInterface;
  /** The AsyncAPI version the document is written in; `2.x` documents were converted to 3.0. */
  readonly version: string;
  /**
   * Where a node of `document` (a path through its JSON, every `$ref`
   * resolved) is written: file and JSON pointer, traced back through the
   * 2.x → 3.0 conversion when there was one.
   */
  locate(segments: readonly (string | number)[]): Promise<SourceLocation>;
}

export interface LoadOptions {
  /** Turns an absolute path into the name diagnostics show. */
  readonly display: (absPath: string) => string;
  /** `remoteRefs` maps remote URLs to local files; without a config none is mapped. */
  readonly config?: GeneratorConfig;
  /**
   * `lenient`: a binding the AsyncAPI schema refuses (a 2.x-era binding version,
   * a plain-string groupId, another protocol's binding) or an unknown keyword in
   * a message schema is a warning and the document is still read; the model uses
   * what it understands of it. `strict` (the default): every schema error
   * refuses the document.
   */
  readonly mode?: Mode;
}

/**
 * Parses and validates each AsyncAPI document with AsyncAPI's own parser
 * (spec validation, `$ref` resolution across files, traits, and other schema
 * formats such as Avro and OpenAPI through its schema parsers). AsyncAPI
 * 2.0–2.6 documents are converted to 3.0 first. Each document's problems are
 * collected and the next document is still read: one broken file does not
 * hide the errors of the others.
 */
export async function loadDocuments(
  files: readonly string[],
  raw: RawFiles,
  options: LoadOptions,
): Promise<{ documents: LoadedDocument[]; diagnostics: Diagnostic[] }> {
  shareSpectralAjv();
  const unmapped = new Set<string>();
  const parser = withBuiltInRuleset(
    () => new Parser({ __unstable: { resolver: { resolvers: localResolvers(raw, unmapped) } } }),
  );
  const unknownTypes: UnknownAvroType[] = [];
  registerSchemaParsers(parser, unknownTypes);
  const remote = options.config ? remoteRefs(options.config, options.display) : undefined;
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const conversions = new Map<string, Promise<Diagnostic[]>>();
  const convert = (file: string): Promise<Diagnostic[]> => {
    let done = conversions.get(file);
    if (!done) {
      done = convertV2(file, raw, options.display).then(({ converted, diagnostics: found }) => {
        if (converted) raw.setConverted(file, converted);
        return found;
      });
      conversions.set(file, done);
    }
    return done;
  };
  for (const file of files) {
    // Every 2.x document this one reaches (itself included) is converted first, so
    // that references into it, and locations inside it, see its 3.x shape.
    for (const reached of await raw.closure(file)) {
      if (reached.path !== file && isConvertible(reached.value)) await convert(reached.path);
    }
    const entry = await raw.get(file);
    let input = entry.text;
    if (isConvertible(entry.value)) {
      diagnostics.push(...(await convert(file)));
      const converted = raw.converted(file);
      if (converted === undefined) continue;
      input = JSON.stringify(converted.value, null, 2);
    }
    const broken = await checkRefs(file, raw, options.display, remote);
    if (broken.length > 0) {
      diagnostics.push(...broken);
      continue;
    }
    unmapped.clear();
    unknownTypes.length = 0;
    const parsed = await parseOne(parser, input, file, raw, options);
    diagnostics.push(...parsed.diagnostics);
    const where = (segments: readonly (string | number)[]) => locate(raw, file, segments);
    for (const url of unmapped) {
      diagnostics.push({
        code: 'unresolved-ref',
        severity: 'error',
        file: options.display(file),
        pointer: '#',
        message: `the parser met the remote reference ${url}, which no remoteRefs entry maps to a readable local file; remote references are never fetched`,
      });
    }
    const { document } = parsed;
    if (!document || unmapped.size > 0) continue;
    const formats = await schemaFormatDiagnostics(parser, document, unknownTypes, where, options.display);
    diagnostics.push(...formats);
    if (formats.some((d) => d.severity === 'error')) continue;
    documents.push({
      file,
      document,
      version: String((entry.value as { asyncapi?: unknown }).asyncapi),
      locate: where,
    });
  }
  return { documents, diagnostics };
}

/**
 * Parses one document; the document is undefined when the parser found an
 * error (in lenient mode: an error lenient mode does not read past).
 */
async function parseOne(
  parser: Parser,
  input: string,
  file: string,
  raw: RawFiles,
  options: LoadOptions,
): Promise<{ document?: AsyncAPIDocumentInterface; diagnostics: Diagnostic[] }> {
  const lenient = options.mode === 'lenient';
  const { document, diagnostics: found } = await parser.parse(input, {
    source: file,
    applyTraits: true,
    ...(lenient ? { validateOptions: { allowedSeverity: { error: true } } } : {}),
  });
  const tolerated = (d: ParserDiagnostic) => lenient && d.severity === 0 && toleratedInLenient(d);
  const diagnostics: Diagnostic[] = [];
  for (const d of found.filter((d) => d.severity <= 1)) {
    const diagnostic = await fromParser(d, file, raw, options);
    diagnostics.push(
      tolerated(d)
        ? {
            ...diagnostic,
            severity: 'warning',
            message: `${diagnostic.message}; lenient mode reads it as written and uses what it understands`,
          }
        : diagnostic,
    );
  }
  const refused = found.some((d) => d.severity === 0 && !tolerated(d));
  return { ...(document && !refused ? { document } : {}), diagnostics };
}

/** Avro names defined nowhere (warnings) and schema formats nothing reads (errors), at their written place. */
async function schemaFormatDiagnostics(
  parser: Parser,
  document: AsyncAPIDocumentInterface,
  unknownTypes: readonly UnknownAvroType[],
  where: (segments: readonly (string | number)[]) => Promise<SourceLocation>,
  display: (absPath: string) => string,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const { path: at, name } of unknownTypes) {
    const location = await where(at);
    diagnostics.push({
      code: 'unresolved-ref',
      severity: 'warning',
      file: display(location.file),
      pointer: location.pointer,
      message: `Avro type "${name}" is defined in no Avro schema of this document (nor in an .avsc file it references with $ref); it is treated as unknown`,
    });
  }
  const json = document.json() as unknown as Record<string, unknown>;
  for (const { path: at, format, message } of unknownSchemaFormats(parser, json)) {
    const location = await where(at);
    diagnostics.push({
      code: 'unsupported',
      severity: 'error',
      file: display(location.file),
      pointer: location.pointer,
      message: `message "${message}" has schemaFormat "${format}", which the generator cannot read; supported: JSON Schema / AsyncAPI Schema, Avro (application/vnd.apache.avro…), OpenAPI 3.0 (application/vnd.oai.openapi…)`,
    });
  }
  return diagnostics;
}

function isConvertible(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    CONVERTIBLE.test(String((value as { asyncapi?: unknown }).asyncapi))
  );
}

/**
 * Schema errors lenient mode reads past: anything inside a binding, and
 * keywords a schema format does not define (tools leak their own, such as
 * swagger-core's `exampleSetFlag`). Structural errors still refuse the document.
 */
function toleratedInLenient(d: ParserDiagnostic): boolean {
  if (d.path.includes('bindings')) return true;
  const inSchema = d.path.some((s) => s === 'payload' || s === 'headers' || s === 'schemas');
  return inSchema && /is not expected to be here|must match "then" schema/.test(d.message);
}

async function fromParser(
  d: ParserDiagnostic,
  entry: string,
  raw: RawFiles,
  options: LoadOptions,
): Promise<Diagnostic> {
  const source = sourceFile(d.source, entry, raw);
  // Paths in the document itself, or in another AsyncAPI 2.x document (read in its 3.x
  // shape), are traced back to what was written; in any other file they are what was written.
  const where =
    source === entry || raw.converted(source)
      ? await locate(raw, source, d.path)
      : { file: source, pointer: pointer(d.path) };
  const unresolved = /\$ref|could not be resolved|invalid-ref/i.test(`${String(d.code)} ${d.message}`);
  return {
    code: unresolved ? 'unresolved-ref' : 'asyncapi-invalid',
    severity: d.severity === 0 ? 'error' : 'warning',
    file: options.display(where.file),
    pointer: where.pointer,
    message: `${d.message} (${String(d.code)})`,
  };
}

/** The file a parser diagnostic is about: the document, another file, or the local copy of a remote one. */
function sourceFile(source: string | undefined, entry: string, raw: RawFiles): string {
  if (!source) return entry;
  if (path.isAbsolute(source)) return source;
  if (/^https?:\/\//i.test(source)) return raw.localFor(source) ?? entry;
  return entry;
}
