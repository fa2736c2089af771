/**
 * Spectral, which the AsyncAPI parser validates with, compiles the AsyncAPI
 * meta-schemas (`asyncapi-resolved.json`, `asyncapi-unresolved.json`: most of a
 * second of ajv work) in every process, and by default once per document.
 * Here its ajv instances are shared across documents, and the meta-schemas'
 * compiled validators are kept as ajv standalone code under
 * `.cache/spectral-ajv/`, named by the hash of the schema and of everything
 * that shapes the code (ajv's options, the ajv, ajv-formats and ajv-errors
 * versions), so a cached validator can never be stale: a new parser version
 * brings new schemas and so new names. The validators are the ones ajv
 * compiles, configured as Spectral configures its own; only the compiling is
 * skipped. Anything unexpected (another Spectral layout, an unreadable cache)
 * falls back to Spectral's own behaviour.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type Schema = { readonly $id?: unknown } & object;
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
/** Spectral's `assignAjvInstance(schema, dialect, allErrors)`. */
type AssignValidator = (schema: Schema, dialect: string, allErrors: boolean) => Validate | undefined;

/** The ajv API this module uses (Spectral's copy, loaded with `require`, so typed here). */
interface AjvInstance {
  compile(schema: object): Validate;
  addSchema(schema: object): void;
}
type AjvClass = new (options: object) => AjvInstance;

const defaultCacheDir = path.resolve(import.meta.dirname, '..', '..', '.cache', 'spectral-ajv');
/** Dialects Spectral validates with its default `Ajv` class (draft-07, with draft-04/06 meta-schemas added). */
const OTHER_DIALECTS = new Set(['draft4', 'draft2019-09', 'draft2020-12']);

/**
 * Makes every document of this process share one set of Spectral's ajv
 * instances, and serves schemas with an `$id` (the AsyncAPI meta-schemas) from
 * the standalone-code cache in `cacheDir`. Idempotent.
 */
export function shareSpectralAjv(cacheDir: string = defaultCacheDir): void {
  try {
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
    const ajvModulePath = fromParser.resolve('@stoplight/spectral-functions/dist/schema/ajv.js');
    const ajvModule = fromParser(ajvModulePath) as { createAjvInstances?: () => AssignValidator };
    const create = ajvModule.createAjvInstances;
    if (typeof create !== 'function' || (create as { shared?: boolean }).shared) return;
    const shared = create();
    const cached = cachedValidators(createRequire(ajvModulePath), cacheDir);
    const assign: AssignValidator = (schema, dialect, allErrors) =>
      (typeof schema.$id === 'string' && !OTHER_DIALECTS.has(dialect)
        ? cached(schema, allErrors)
        : undefined) ?? shared(schema, dialect, allErrors);
    ajvModule.createAjvInstances = Object.assign(() => assign, { shared: true });
  } catch {
    // Unknown layout: keep the parser's own behaviour.
  }
}

/** Validators by schema, from memory, else from the cache, else compiled (and cached); undefined when that fails. */
function cachedValidators(
  fromSpectral: NodeJS.Require,
  cacheDir: string,
): (schema: Schema, allErrors: boolean) => Validate | undefined {
  const versions = ['ajv', 'ajv-formats', 'ajv-errors'].map(
    (name) => `${name}@${(fromSpectral(`${name}/package.json`) as { version: string }).version}`,
  );
  const loaded = new Map<string, Validate>();
  const keys = new WeakMap<object, string>();
  return (schema, allErrors) => {
    try {
      let schemaKey = keys.get(schema);
      if (schemaKey === undefined) {
        schemaKey = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
        keys.set(schema, schemaKey);
      }
      const key = createHash('sha256')
        .update(
          JSON.stringify([versions, OPTIONS_VERSION, allErrors, schemaKey, fromSpectral.resolve('ajv')]),
        )
        .digest('hex')
        .slice(0, 32);
      let validate = loaded.get(key);
      if (validate === undefined) {
        const file = path.join(cacheDir, `${key}.cjs`);
        validate = readCached(file) ?? compileAndStore(fromSpectral, schema, allErrors, file);
        loaded.set(key, validate);
      }
      return validate;
    } catch {
      return undefined;
    }
  };
}

/** Bumped whenever `compileAndStore` configures ajv differently, so older cache entries are never read. */
const OPTIONS_VERSION = 1;

function readCached(file: string): Validate | undefined {
  return existsSync(file) ? (createRequire(import.meta.url)(file) as Validate) : undefined;
}

/**
 * Compiles the schema with an ajv configured exactly as Spectral's own
 * (spectral-functions/dist/schema/ajv.js), plus `code.source` for standalone
 * output, and writes the code with every `require` resolved from Spectral's
 * place, so the cached module uses the same runtime helpers and formats.
 */
function compileAndStore(
  fromSpectral: NodeJS.Require,
  schema: Schema,
  allErrors: boolean,
  file: string,
): Validate {
  const Ajv = (fromSpectral('ajv') as { default: AjvClass }).default;
  const addFormats = (fromSpectral('ajv-formats') as { default: (ajv: AjvInstance) => void }).default;
  const ajvErrors = (fromSpectral('ajv-errors') as { default: (ajv: AjvInstance) => void }).default;
  const standaloneCode = (
    fromSpectral('ajv/dist/standalone') as { default: (ajv: AjvInstance, validate: Validate) => string }
  ).default;
  const ajv = new Ajv({
    allErrors,
    meta: true,
    messages: true,
    strict: false,
    allowUnionTypes: true,
    logger: false,
    unicodeRegExp: false,
    code: { source: true },
  });
  addFormats(ajv);
  if (allErrors) ajvErrors(ajv);
  ajv.addSchema(fromSpectral('./draft4.json') as object);
  ajv.addSchema(fromSpectral('ajv/dist/refs/json-schema-draft-06.json') as object);
  const validate = ajv.compile(schema);
  try {
    const code = standaloneCode(ajv, validate).replace(
      /require\("([^"]+)"\)/g,
      (_all, id: string) => `require(${JSON.stringify(fromSpectral.resolve(id))})`,
    );
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  } catch {
    // Not cached this time (read-only checkout, …): the compiled validator still serves this run.
  }
  return validate;
}
