import { Ajv, type ErrorObject } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from '../diagnostics.ts';
import type { Catalog, EventVersion, JsonSchema } from '../model/catalog.ts';
import { allVersions, isVersioned, versionKey } from '../model/versions.ts';
import type { Names } from '../naming/names.ts';
import { allChildren, holdsSchemas } from '../naming/schema-graph.ts';
import { BANNER, type GeneratedFile, renderTs } from './render.ts';
import { ref } from './ts.ts';
import { constDeclaration, declareConst, id, importDeclaration, printStatement } from './ts-code.ts';

// Both are CommonJS modules whose function is `module.exports.default` as seen from ESM.
const addFormats = addFormatsModule.default;
const standaloneCode = standaloneModule.default;

/** Formats AsyncAPI and Avro-converted schemas use that carry no check of their own. */
const ANNOTATION_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];
/** Keywords that only document: dropped from the compiled copy so the validators stay small. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  'default',
]);
/** AsyncAPI Schema Object keywords that are annotations to a validator: dropped without a word. */
const ASYNCAPI_ANNOTATIONS = new Set(['discriminator', 'externalDocs', 'example']);

type Obj = { readonly [k: string]: unknown };
type Part = 'payload' | 'headers';

/** One validator to export: the schema it checks and where the schema comes from. */
interface Job {
  readonly exportName: string;
  readonly typeName: string;
  readonly schema: JsonSchema;
  readonly event: EventVersion;
  readonly part: Part;
  readonly doc: string;
}

/** What a schema walk reports: keywords and formats ajv does not know, each at its pointer. */
interface Finding {
  readonly pointer: string;
  readonly message: string;
}

/**
 * Compiles every payload and header schema with ajv once, at generate time,
 * into standalone code (`validators.js`, typed by `validators.d.ts`), so nothing
 * compiles a schema at run time. Schemas that check the same thing compile
 * once: every event carrying the CloudEvents envelope shares one header
 * validator (`validateUserRegisteredHeaders = validateEnvelopeHeaders`), and
 * identical payloads share theirs. `ce_type` and `ce_schemaversion` are not
 * pinned per event here: the runtime dispatches on the one and compares the
 * other. Also checks every contract example against the schema it illustrates.
 *
 * Legal documents compile: a keyword or format ajv does not know is an
 * annotation (a warning names it and its place); an invalid `pattern` or a
 * `$ref` ajv cannot resolve stays an error.
 */
export function emitValidators(
  catalog: Catalog,
  names: Names,
): { files: GeneratedFile[]; diagnostics: Diagnostic[] } {
  const logged: string[] = [];
  const ajv = new Ajv({
    code: { source: true, esm: true, lines: true },
    allErrors: true,
    strict: true,
    strictSchema: 'log',
    strictTuples: false,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    formats: Object.fromEntries(ANNOTATION_FORMATS.map((f) => [f, true])),
    logger: {
      log: () => {},
      warn: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
      error: () => {},
    },
  });
  addFormats(ajv);
  ajv.addVocabulary([...ASYNCAPI_ANNOTATIONS]);
  const diagnostics: Diagnostic[] = [];
  const reported = new WeakMap<object, Set<string>>();

  const compiled = new Map<string, { exportName: string; validate: ReturnType<Ajv['getSchema']> }>();
  /** Export name → the export it is the same validator as. */
  const aliases = new Map<string, string>();
  const canonical: Record<string, string> = {};
  const declarations = new Map<string, string>();
  const failed = new Set<string>();

  const compile = (job: Job) => {
    const at = job.event.location;
    const findings: Finding[] = [];
    const copy = toAjvSchema(job.schema, {
      isKeyword: (k) => ajv.RULES.keywords[k] !== undefined,
      isFormat: (f) => ajv.formats[f] !== undefined,
      addFormat: (f) => ajv.addFormat(f, true),
      report: (node, pointer, what, message) => {
        const seen = reported.get(node) ?? new Set<string>();
        reported.set(node, seen);
        if (seen.has(what)) return;
        seen.add(what);
        findings.push({ pointer, message });
      },
    });
    const key = JSON.stringify(copy);
    const previous = compiled.get(key);
    declarations.set(job.exportName, job.doc);
    if (previous !== undefined) {
      aliases.set(job.exportName, previous.exportName);
      return previous.validate;
    }
    for (const f of findings) {
      diagnostics.push({
        code: 'unsupported',
        severity: 'warning',
        file: at.file,
        pointer: `${at.pointer}/${job.part}${f.pointer}`,
        message: `the ${job.part} schema of "${job.event.name}": ${f.message}`,
      });
    }
    logged.length = 0;
    try {
      const body = typeof copy === 'object' ? { $id: job.exportName, ...copy } : copy;
      ajv.addSchema(body, job.exportName);
      const validate = ajv.getSchema(job.exportName);
      if (!validate) throw new Error('schema did not compile');
      for (const message of logged) {
        diagnostics.push({
          code: 'unsupported',
          severity: 'warning',
          file: at.file,
          pointer: `${at.pointer}/${job.part}`,
          message: `the ${job.part} schema of "${job.event.name}": ${message.replace(/^strict mode: /, '')}`,
        });
      }
      compiled.set(key, { exportName: job.exportName, validate });
      canonical[job.exportName] = job.exportName;
      return validate;
    } catch (error) {
      ajv.removeSchema(job.exportName);
      failed.add(job.exportName);
      diagnostics.push({
        code: 'unsupported',
        severity: 'error',
        file: at.file,
        pointer: `${at.pointer}/${job.part}`,
        message: `the ${job.part} schema of "${job.event.name}" cannot be compiled: ${(error as Error).message}`,
      });
      return undefined;
    }
  };

  const types = new Map<string, string>();
  const subjects = catalog.events.flatMap((e) => {
    const n = names.event(e.name);
    return allVersions(e).map((event) => ({
      event,
      key: versionKey(e, event),
      n: event === e ? n : n.versions.get(event.schemaVersion)!,
      what: `\`${e.name}\`${isVersioned(e) ? ` version ${event.schemaVersion}` : ''}`,
    }));
  });
  for (const { event, key, n, what } of subjects) {
    const parts: Job[] = [
      {
        exportName: n.validatePayload,
        typeName: n.payload,
        schema: names.schemas.payload(key),
        event,
        part: 'payload',
        doc: `Validates the payload of ${what}; on failure \`errors\` lists each failing schema path.`,
      },
    ];
    const headers = names.schemas.headers(key);
    if (headers !== undefined) {
      const shared = names.schemas.headerTypeOf(key);
      if (shared !== undefined && !types.has(shared.validator)) {
        parts.push({
          exportName: shared.validator,
          typeName: shared.name,
          schema: shared.schema,
          event,
          part: 'headers',
          doc: `Validates Kafka record headers against {@link ${shared.name}}, for ${shared.events.length} event type(s); on failure \`errors\` lists each failing schema path.`,
        });
      }
      parts.push({
        exportName: n.validateHeaders,
        typeName: n.headers,
        schema: headers,
        event,
        part: 'headers',
        doc: `Validates the headers of ${what}${shared ? ` (against {@link ${shared.name}}; \`ce_type\` and \`ce_schemaversion\` are checked by the runtime, which dispatches on the one and compares the other)` : ''}; on failure \`errors\` lists each failing schema path.`,
      });
    }
    for (const job of parts) {
      types.set(job.exportName, job.typeName);
      const validate = compile(job);
      if (!validate || job.typeName !== (job.part === 'payload' ? n.payload : n.headers)) continue;
      checkExamples(event, job.part, validate, diagnostics);
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };

  const sorted = Object.fromEntries(Object.entries(canonical).sort(([a], [b]) => a.localeCompare(b)));
  const aliasLines = [...aliases]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, target]) => printStatement(constDeclaration(name, id(target))));
  const code = Object.keys(sorted).length > 0 ? esmOnly(standaloneCode(ajv, sorted)) : '';
  const exported = [...declarations.keys()].filter((n) => !failed.has(n)).sort((a, b) => a.localeCompare(b));
  const typeNames = [...new Set(exported.map((n) => types.get(n)!))].sort();
  const dts = renderTs(
    'validators.d.ts',
    [
      importDeclaration(['ValidateFunction'], 'ajv', { typeOnly: true }),
      ...(typeNames.length > 0 ? [importDeclaration(typeNames, './types.ts', { typeOnly: true })] : []),
      ...exported.map((name) =>
        declareConst(name, ref('ValidateFunction', [ref(types.get(name)!)]), {
          doc: declarations.get(name)!,
        }),
      ),
    ],
    'Standalone ajv validators, compiled from the contracts at generate time.',
  );
  const aliasBlock =
    aliasLines.length > 0
      ? `\n// Events whose schemas check the same thing share one compiled validator.\n${aliasLines.join('\n')}\n`
      : '';
  return {
    files: [
      {
        path: 'validators.js',
        content: `// ${BANNER}\n// Standalone ajv validators, compiled from the contracts at generate time.\n${code}${code.endsWith('\n') || code === '' ? '' : '\n'}${aliasBlock}`,
      },
      dts,
    ],
    diagnostics,
  };
}

function checkExamples(
  event: EventVersion,
  part: Part,
  validate: NonNullable<ReturnType<Ajv['getSchema']>>,
  diagnostics: Diagnostic[],
): void {
  event.examples.forEach((example, i) => {
    const value = part === 'payload' ? example.payload : example.headers;
    if (value === undefined) return;
    const pinned = part === 'headers' ? pinViolations(event, value) : [];
    if (validate(value) && pinned.length === 0) return;
    diagnostics.push({
      code: 'invalid-example',
      severity: 'error',
      file: event.location.file,
      pointer: `${event.location.pointer}/examples/${i}/${part}`,
      message: `example ${example.name ? `"${example.name}" ` : ''}of "${event.name}" does not match its ${part} schema: ${[describeErrors(validate.errors ?? []), ...pinned].filter(Boolean).join('; ')}`,
    });
  });
}

/** The header values an event fixes (the shared envelope validator leaves them to the runtime): an example must agree. */
function pinViolations(event: EventVersion, headers: unknown): string[] {
  if (typeof headers !== 'object' || headers === null) return [];
  const h = headers as Record<string, unknown>;
  const want: Record<string, string> = { ce_type: event.name, ce_schemaversion: String(event.schemaVersion) };
  return Object.entries(want)
    .filter(([key, value]) => h[key] !== undefined && h[key] !== value)
    .map(([key, value]) => `/${key} must be ${JSON.stringify(value)} for this event`);
}

export function describeErrors(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} (${e.schemaPath})`).join('; ');
}

/** What `toAjvSchema` asks of the ajv instance it prepares a copy for. */
export interface AjvVocabulary {
  isKeyword(keyword: string): boolean;
  isFormat(format: string): boolean;
  /** Registers a format ajv does not know as an annotation (accepts every value). */
  addFormat(format: string): void;
  /** A keyword or format left unchecked: `what` is its name, `pointer` where it is inside the schema. */
  report(node: object, pointer: string, what: string, message: string): void;
}

/**
 * A plain-JSON copy ajv can compile: annotations and `x-` extensions dropped,
 * keywords ajv does not know dropped (and reported), formats it does not know
 * registered as annotations (and reported), and every schema a cycle returns
 * to turned back into a `$ref` to a definition.
 */
export function toAjvSchema(schema: JsonSchema, vocabulary?: AjvVocabulary): JsonSchema {
  const cyclic = cycleTargetsInOrder(schema);
  const defNames = new Map<object, string>();
  for (const node of cyclic) defNames.set(node, `node${defNames.size + 1}`);
  const definitions: Record<string, unknown> = {};

  const copy = (node: unknown, pointer: string, root: boolean): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    const def = defNames.get(node);
    if (def !== undefined && !root) {
      if (!(def in definitions)) {
        definitions[def] = {};
        definitions[def] = copy(node, pointer, true);
      }
      return node === schema ? { $ref: '#' } : { $ref: `#/definitions/${def}` };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') || ANNOTATIONS.has(key) || ASYNCAPI_ANNOTATIONS.has(key)) continue;
      const at = `${pointer}/${pointerSegment(key)}`;
      if (vocabulary && !vocabulary.isKeyword(key)) {
        vocabulary.report(
          node,
          at,
          `keyword ${key}`,
          `keyword "${key}" is not JSON Schema; it is kept as an annotation and not checked`,
        );
        continue;
      }
      if (key === 'format' && typeof value === 'string' && vocabulary && !vocabulary.isFormat(value)) {
        vocabulary.addFormat(value);
        vocabulary.report(
          node,
          at,
          `format ${value}`,
          `format "${value}" is not one ajv knows; it is kept as an annotation and not checked`,
        );
      }
      if (!holdsSchemas(key)) out[key] = value;
      else if (Array.isArray(value)) out[key] = value.map((v, i) => copy(v, `${at}/${i}`, false));
      else if (isSchemaMap(key) && value && typeof value === 'object')
        out[key] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [
            k,
            Array.isArray(v) ? v : copy(v, `${at}/${pointerSegment(k)}`, false),
          ]),
        );
      else out[key] = copy(value, at, false);
    }
    return out;
  };
  const body = copy(schema, '', true);
  if (typeof body !== 'object' || body === null) return body as boolean;
  const root: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (defNames.has(schema as object)) delete definitions[defNames.get(schema as object)!];
  if (Object.keys(definitions).length > 0) {
    root.definitions = { ...((root.definitions as object | undefined) ?? {}), ...definitions };
  }
  return root;
}

/** Schemas a cycle returns to, in the order a depth-first walk meets them (so definition names are stable). */
function cycleTargetsInOrder(schema: JsonSchema): object[] {
  const targets: object[] = [];
  const done = new Set<object>();
  const stack: object[] = [];
  const walk = (node: object) => {
    if (stack.includes(node)) {
      if (!targets.includes(node)) targets.push(node);
      return;
    }
    if (done.has(node)) return;
    stack.push(node);
    for (const child of allChildren(node as Obj)) walk(child);
    stack.pop();
    done.add(node);
  };
  if (typeof schema === 'object') walk(schema);
  return targets;
}

function isSchemaMap(key: string): boolean {
  return [
    'properties',
    'patternProperties',
    'definitions',
    '$defs',
    'dependentSchemas',
    'dependencies',
  ].includes(key);
}

function pointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * ajv's ESM output still `require`s its runtime helpers (formats, ucs2length).
 * A module-local `require` from `createRequire` loads them with plain CommonJS
 * semantics, so the validators behave the same under Node, test runners and
 * bundlers, whatever their ESM/CJS interop settings.
 */
function esmOnly(code: string): string {
  const body = code.replace(/^"use strict";\n?/, '');
  if (!body.includes('require(')) return body;
  return `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${body}`;
}
