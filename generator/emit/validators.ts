import { Ajv, type ErrorObject } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from '../diagnostics.ts';
import type { Catalog, JsonSchema } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { BANNER, type GeneratedFile, importFrom } from './render.ts';
import { envelopeFor } from './types.ts';

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
]);
/** AsyncAPI Schema Object keywords that are annotations to a validator. */
const ANNOTATION_KEYWORDS = ['discriminator', 'externalDocs', 'example'];

/**
 * Compiles every payload and header schema with ajv once, at generate time,
 * into standalone code (`validators.js`, typed by `validators.d.ts`), so nothing
 * compiles a schema at run time. Also checks every contract example against
 * the schema it illustrates.
 */
export function emitValidators(
  catalog: Catalog,
  names: Names,
): { files: GeneratedFile[]; diagnostics: Diagnostic[] } {
  const ajv = new Ajv({
    code: { source: true, esm: true, lines: true },
    allErrors: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    formats: Object.fromEntries(ANNOTATION_FORMATS.map((f) => [f, true])),
  });
  addFormats(ajv);
  ajv.addVocabulary(ANNOTATION_KEYWORDS);
  const diagnostics: Diagnostic[] = [];
  const exports: Record<string, string> = {};
  const declarations: string[] = [];

  for (const event of catalog.events) {
    const n = names.event(event.name);
    const at = { file: event.location.file, pointer: event.location.pointer };
    const schemas: [string, string, JsonSchema | undefined, 'payload' | 'headers'][] = [
      [n.validatePayload, n.payload, event.payload, 'payload'],
      [n.validateHeaders, n.headers, event.headers === undefined ? undefined : envelopeFor(event), 'headers'],
    ];
    for (const [fn, typeName, schema, part] of schemas) {
      if (schema === undefined) continue;
      const id = `${typeName}`;
      try {
        ajv.addSchema(toAjvSchema(schema, id), id);
        const validate = ajv.getSchema(id);
        if (!validate) throw new Error('schema did not compile');
        exports[fn] = id;
        declarations.push(
          `/** Validates ${part === 'payload' ? 'the payload' : 'the headers'} of \`${event.name}\`; on failure \`errors\` lists each failing schema path. */\nexport declare const ${fn}: ValidateFunction<${typeName}>;`,
        );
        event.examples.forEach((example, i) => {
          const value = part === 'payload' ? example.payload : example.headers;
          if (value === undefined || validate(value)) return;
          diagnostics.push({
            code: 'invalid-example',
            severity: 'error',
            file: at.file,
            pointer: `${at.pointer}/examples/${i}/${part}`,
            message: `example ${example.name ? `"${example.name}" ` : ''}of "${event.name}" does not match its ${part} schema: ${describeErrors(validate.errors ?? [])}`,
          });
        });
      } catch (error) {
        diagnostics.push({
          code: 'unsupported',
          severity: 'error',
          file: at.file,
          pointer: `${at.pointer}/${part}`,
          message: `the ${part} schema of "${event.name}" cannot be compiled: ${(error as Error).message}`,
        });
      }
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };

  const sorted = Object.fromEntries(Object.entries(exports).sort(([a], [b]) => a.localeCompare(b)));
  const code = Object.keys(sorted).length > 0 ? esmOnly(standaloneCode(ajv, sorted)) : '';
  const typeNames = [...new Set(Object.values(sorted))].sort();
  const dts = [
    `// ${BANNER}`,
    '// Standalone ajv validators, compiled from the contracts at generate time.',
    "import type { ValidateFunction } from 'ajv';",
    typeNames.length > 0 ? importFrom(typeNames, './types.ts', true) : '',
    '',
    ...declarations.sort((a, b) => exportName(a).localeCompare(exportName(b))).flatMap((d) => [d, '']),
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  return {
    files: [
      {
        path: 'validators.js',
        content: `// ${BANNER}\n// Standalone ajv validators, compiled from the contracts at generate time.\n${code}`,
      },
      { path: 'validators.d.ts', content: `${dts.trimEnd()}\n` },
    ],
    diagnostics,
  };
}

export function describeErrors(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} (${e.schemaPath})`).join('; ');
}

function exportName(declaration: string): string {
  return /export declare const (\w+)/.exec(declaration)?.[1] ?? '';
}

/**
 * A plain-JSON copy ajv can compile: parser annotations (`x-parser-*`, other
 * `x-` extensions) dropped, and a schema that contains itself turned back into
 * a `$ref` to a definition.
 */
export function toAjvSchema(schema: JsonSchema, id: string): JsonSchema {
  const cyclic = new Set<object>();
  const findCycles = (node: unknown, stack: object[]) => {
    if (!node || typeof node !== 'object') return;
    if (stack.includes(node)) {
      cyclic.add(node);
      return;
    }
    const next = [...stack, node];
    for (const child of Array.isArray(node) ? node : Object.values(node)) findCycles(child, next);
  };
  findCycles(schema, []);
  const defNames = new Map<object, string>();
  for (const node of cyclic) defNames.set(node, `node${defNames.size + 1}`);
  const definitions: Record<string, unknown> = {};
  const copy = (node: unknown, root: boolean): unknown => {
    if (!node || typeof node !== 'object') return node;
    const def = defNames.get(node);
    if (def !== undefined && !root) {
      if (!(def in definitions)) {
        definitions[def] = {};
        definitions[def] = copy(node, true);
      }
      return node === schema ? { $ref: '#' } : { $ref: `#/definitions/${def}` };
    }
    if (Array.isArray(node)) return node.map((n) => copy(n, false));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') || ANNOTATIONS.has(key)) continue;
      out[key] =
        key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === '$defs'
          ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, copy(v, false)]))
          : copy(value, false);
    }
    return out;
  };
  const body = copy(schema, true);
  if (typeof body !== 'object' || body === null) return body as boolean;
  const root: Record<string, unknown> = { $id: id, ...(body as Record<string, unknown>) };
  if (defNames.has(schema as object)) delete definitions[defNames.get(schema as object)!];
  if (Object.keys(definitions).length > 0) {
    root.definitions = { ...((root.definitions as object | undefined) ?? {}), ...definitions };
  }
  return root;
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
