import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type GeneratorConfig, loadConfig, type Mode, modeFor } from './config.ts';
import { ContractError, type Diagnostic } from './diagnostics.ts';
import { emitCatalog, emitIndex } from './emit/catalog.ts';
import { emitConsumers } from './emit/consumers.ts';
import { emitEvents } from './emit/events.ts';
import { emitExamples } from './emit/examples.ts';
import { emitOutbox } from './emit/outbox.ts';
import { emitProducers } from './emit/producers.ts';
import { createProject, type GeneratedFile } from './emit/render.ts';
import { emitTopics } from './emit/topics.ts';
import { emitTypes } from './emit/types.ts';
import { emitValidators } from './emit/validators.ts';
import { buildCatalog } from './model/build-catalog.ts';
import type { Catalog } from './model/catalog.ts';
import { assignNames } from './naming/names.ts';
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
}

/**
 * parse → model → names → emit. Pure apart from reading the contracts: the
 * files come back in memory, and any contract error throws one ContractError
 * listing every problem, so nothing is ever half-written.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const display = (p: string) => path.relative(options.cwd, p) || p;
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
  const raw = new RawFiles();
  const documents = await findDocuments(input, raw, display);
  if (documents.length === 0) {
    throw new ContractError([
      {
        code: 'io',
        severity: 'error',
        file: display(input),
        pointer: '',
        message: 'no AsyncAPI 3 document found (a YAML or JSON file with a top-level `asyncapi: 3.x` key)',
      },
    ]);
  }
  const versionErrors = await checkVersions(documents, raw, display);
  if (versionErrors.length > 0) throw new ContractError(versionErrors);

  const loaded = await loadDocuments(documents, raw, { display });
  diagnostics.push(...loaded.diagnostics);
  const root = (await stat(input)).isDirectory() ? input : path.dirname(input);
  const model = await buildCatalog(loaded.documents, raw, { root, display, mode, config });
  diagnostics.push(...model.diagnostics);
  failOnErrors(diagnostics);

  const { names, diagnostics: naming } = assignNames(model.catalog);
  diagnostics.push(...naming);
  failOnErrors(diagnostics);

  const validators = emitValidators(model.catalog, names);
  diagnostics.push(...validators.diagnostics.map((d) => ({ ...d, file: display(d.file) })));
  failOnErrors(diagnostics);

  let runtime = path
    .relative(path.resolve(options.cwd, options.outDir), options.runtimeEntry)
    .split(path.sep)
    .join('/');
  if (!runtime.startsWith('.')) runtime = `./${runtime}`;
  const project = createProject();
  const catalog = model.catalog;
  const files = [
    emitTypes(project, catalog, names),
    ...validators.files,
    emitEvents(project, catalog, names, runtime),
    emitTopics(project, catalog, names, runtime),
    emitProducers(project, catalog, names, runtime),
    emitOutbox(project, catalog, names, runtime),
    emitConsumers(project, catalog, names, runtime),
    emitCatalog(project, catalog, names),
    emitExamples(project, catalog),
    emitIndex(project, [
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
  return {
    files,
    catalog,
    diagnostics: unique(diagnostics),
    documents: documents.map(display),
    mode,
    inputs: await raw.fingerprints((text) => createHash('sha256').update(text).digest('hex')),
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

/** AsyncAPI documents under `input`: files with a top-level `asyncapi` key; other YAML/JSON files are fragments. */
async function findDocuments(
  input: string,
  raw: RawFiles,
  display: (p: string) => string,
): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info)
    throw new ContractError([
      { code: 'io', severity: 'error', file: display(input), pointer: '', message: 'no such file or folder' },
    ]);
  const candidates = info.isDirectory()
    ? (await readdir(input, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .filter((p) => !p.split(path.sep).includes('node_modules'))
    : [input];
  const documents: string[] = [];
  for (const file of candidates.sort()) {
    const { value } = await raw.get(file);
    if (value && typeof value === 'object' && 'asyncapi' in value) documents.push(file);
  }
  return documents;
}

async function checkVersions(
  documents: readonly string[],
  raw: RawFiles,
  display: (p: string) => string,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const file of documents) {
    const { value, error } = await raw.get(file);
    if (error) {
      out.push({ code: 'io', severity: 'error', file: display(file), pointer: '', message: error });
      continue;
    }
    const version = String((value as { asyncapi?: unknown }).asyncapi);
    if (!/^3\.\d+\.\d+$/.test(version)) {
      out.push({
        code: 'unsupported',
        severity: 'error',
        file: display(file),
        pointer: '#/asyncapi',
        message: `AsyncAPI ${version} is not supported: documents must be AsyncAPI 3.x (\`asyncapi convert\` upgrades 2.x documents)`,
      });
    }
  }
  return out;
}
