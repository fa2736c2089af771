import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type GeneratorConfig, loadConfig, localFor, type Mode, modeFor } from './config.ts';
import { ContractError, type Diagnostic } from './diagnostics.ts';
import { emitCatalog, emitIndex } from './emit/catalog.ts';
import { emitConsumers } from './emit/consumers.ts';
import { emitEvents } from './emit/events.ts';
import { emitExamples } from './emit/examples.ts';
import { emitOutbox } from './emit/outbox.ts';
import { emitProducers } from './emit/producers.ts';
import type { GeneratedFile } from './emit/render.ts';
import { emitTopics } from './emit/topics.ts';
import { emitTypes } from './emit/types.ts';
import { emitValidators } from './emit/validators.ts';
import { buildCatalog } from './model/build-catalog.ts';
import type { Catalog } from './model/catalog.ts';
import { assignNames } from './naming/names.ts';
import { checkVersions, findDocuments } from './parse/find-documents.ts';
import { loadDocuments } from './parse/load-documents.ts';
import { RawFiles } from './parse/raw-files.ts';

export interface GenerateOptions {
  /** A contract file or a folder searched recursively for AsyncAPI documents. */
  readonly input: string;
  /** Folder the files are meant for; only used to compute the import path of the runtime. */
  readonly outDir: string;
  /** Absolute path of the runtime's contract module the generated code imports. */
  readonly runtimeEntry: string;
  /** Base for the file names shown in diagnostics (usually the working directory). */
  readonly cwd: string;
  /** `strict` or `lenient`; when absent, the config's mode for the input (lenient if it names none). */
  readonly mode?: Mode;
  /** The project's `contract-events.config.json`; read from beside the nearest package.json when absent. */
  readonly config?: GeneratorConfig;
}

export interface GenerateResult {
  readonly files: readonly GeneratedFile[];
  readonly catalog: Catalog;
  /** Warnings only: any error makes `generate` throw a ContractError instead. */
  readonly diagnostics: readonly Diagnostic[];
  readonly documents: readonly string[];
  /** The mode the input was generated in. */
  readonly mode: Mode;
  /** Every file the run read, absolute path → sha256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Milliseconds per stage (find, parse, model, names, validators, emit), for `generate --timings`. */
  readonly timings: Readonly<Record<string, number>>;
}

/** What the parse and model stages make of the contracts, for `generate` and for tools (contracts:diff). */
export interface ContractsRead {
  readonly catalog: Catalog;
  /** Every problem found; the catalog holds what could be built despite them. */
  readonly diagnostics: readonly Diagnostic[];
  readonly documents: readonly string[];
  readonly mode: Mode;
  readonly raw: RawFiles;
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * parse → model: finds, parses, validates and models the contracts. Errors are
 * returned, not thrown, except when no document is found at all.
 */
export async function readContracts(options: GenerateOptions): Promise<ContractsRead> {
  const display = displayFrom(options.cwd);
  const input = path.resolve(options.cwd, options.input);
  const diagnostics: Diagnostic[] = [];
  let config = options.config;
  if (config === undefined) {
    const loaded = await loadConfig(options.cwd);
    diagnostics.push(...loaded.diagnostics);
    failOnErrors(diagnostics);
    config = loaded.config;
  }
  const mode = modeFor(config, input, options.mode);
  const remoteConfig = config;
  const raw = new RawFiles({ remote: (url) => localFor(remoteConfig, url) });
  const timings: Record<string, number> = {};
  const lap = stageClock(timings);
  const found = await findDocuments(input, raw, display);
  diagnostics.push(...found.diagnostics);
  if (found.documents.length === 0) {
    if (!diagnostics.some((d) => d.severity === 'error')) {
      diagnostics.push({
        code: 'io',
        severity: 'error',
        file: display(input),
        pointer: '',
        message:
          'no AsyncAPI document found (a YAML or JSON file with a top-level `asyncapi` key: 3.x, or 2.0–2.6)',
      });
    }
    failOnErrors(diagnostics);
  }
  const versions = await checkVersions(found.documents, raw, display);
  diagnostics.push(...versions.diagnostics);
  lap('find');
  const loaded = await loadDocuments(versions.accepted, raw, { display, config, mode });
  lap('parse');
  diagnostics.push(...loaded.diagnostics);
  const root = (await stat(input)).isDirectory() ? input : path.dirname(input);
  const model = await buildCatalog(loaded.documents, { root, display, mode, config });
  lap('model');
  diagnostics.push(...model.diagnostics);
  return {
    catalog: model.catalog,
    diagnostics,
    documents: found.documents.map(display),
    mode,
    raw,
    timings,
  };
}

/**
 * parse → model → names → emit. Pure apart from reading the contracts: the
 * files come back in memory, and any contract error throws one ContractError
 * listing every problem, so nothing is ever half-written.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const read = await readContracts(options);
  const diagnostics = [...read.diagnostics];
  const timings: Record<string, number> = { ...read.timings };
  const lap = stageClock(timings);
  const display = displayFrom(options.cwd);

  // The later stages run on what the model could build, so one run reports every problem at once
  // (a partition-key error does not hide an invalid example); nothing is emitted if any is an error.
  const { names, diagnostics: naming } = assignNames(read.catalog);
  lap('names');
  diagnostics.push(...naming);
  if (naming.some((d) => d.severity === 'error')) failOnErrors(diagnostics);

  const validators = emitValidators(read.catalog, names);
  lap('validators');
  diagnostics.push(...validators.diagnostics.map((d) => ({ ...d, file: display(d.file) })));
  failOnErrors(diagnostics);

  let runtime = path
    .relative(path.resolve(options.cwd, options.outDir), options.runtimeEntry)
    .split(path.sep)
    .join('/');
  if (!runtime.startsWith('.')) runtime = `./${runtime}`;
  const catalog = read.catalog;
  const files = [
    emitTypes(catalog, names),
    ...validators.files,
    emitEvents(catalog, names, runtime),
    emitTopics(catalog, names, runtime),
    emitProducers(catalog, names, runtime),
    emitOutbox(catalog, names, runtime),
    emitConsumers(catalog, names, runtime),
    emitCatalog(catalog, names, runtime),
    emitExamples(catalog),
    emitIndex([
      'types.ts',
      'events.ts',
      'topics.ts',
      'producers.ts',
      'outbox.ts',
      'consumers.ts',
      'catalog.ts',
      'examples.ts',
    ]),
  ].sort((a, b) => a.path.localeCompare(b.path));
  lap('emit');
  return {
    files,
    catalog,
    diagnostics: unique(diagnostics),
    documents: read.documents,
    mode: read.mode,
    inputs: await read.raw.fingerprints((text) => createHash('sha256').update(text).digest('hex')),
    timings,
  };
}

/** A path as diagnostics show it: relative to `cwd`. */
function displayFrom(cwd: string): (absPath: string) => string {
  return (p) => path.relative(cwd, p) || p;
}

/** Records in `timings` how long each stage took, from the previous call (or from now). */
function stageClock(timings: Record<string, number>): (stage: string) => void {
  let mark = performance.now();
  return (stage) => {
    const now = performance.now();
    timings[stage] = Math.round(now - mark);
    mark = now;
  };
}

function failOnErrors(diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.some((d) => d.severity === 'error')) throw new ContractError(unique(diagnostics));
}

/** The same finding reached through several documents (a shared channel, say) is reported once. */
function unique(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\0${d.file}\0${d.pointer}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
