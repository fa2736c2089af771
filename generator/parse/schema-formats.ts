/**
 * Message schemas in other formats than JSON Schema / AsyncAPI Schema: the
 * parser needs a schema parser per `schemaFormat`, and without one it passes
 * the schema through untouched and says nothing. Registered here: Avro (with
 * named types resolved across the document) and OpenAPI 3.0 schemas. Any
 * other format is reported by `unknownSchemaFormats`, naming message and format.
 */
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import type { Parser, ParseSchemaInput, SchemaParser, ValidateSchemaInput } from '@asyncapi/parser';

type Json = Record<string, unknown>;

/** An Avro type referenced by name that no schema of the document defines. */
export interface UnknownAvroType {
  /** Path of the schema (in the document the parser was given) that uses it. */
  readonly path: readonly (string | number)[];
  readonly name: string;
}

/** Registers every schema parser the generator supports; unknown Avro names are pushed to `unknownTypes`. */
export function registerSchemaParsers(parser: Parser, unknownTypes: UnknownAvroType[]): void {
  parser.registerSchemaParser(avroWithNamedTypes(AvroSchemaParser(), unknownTypes));
  parser.registerSchemaParser(lazyOpenAPI());
}

/**
 * `@asyncapi/openapi-schema-parser`, loaded on its first schema: most runs
 * have none. Its formats, as its `getMimeTypes()` lists them (3.1.0).
 */
function lazyOpenAPI(): SchemaParser {
  let loaded: Promise<SchemaParser> | undefined;
  const inner = () => {
    loaded ??= import('@asyncapi/openapi-schema-parser').then((m) => m.OpenAPISchemaParser());
    return loaded;
  };
  return {
    getMimeTypes: () => [
      'application/vnd.oai.openapi;version=3.0.0',
      'application/vnd.oai.openapi+json;version=3.0.0',
      'application/vnd.oai.openapi+yaml;version=3.0.0',
    ],
    validate: async (input) => (await inner()).validate(input),
    parse: async (input) => (await inner()).parse(input),
  };
}

/**
 * Multi-format schemas (`{ schemaFormat, schema }`) in the parsed document whose
 * format has no registered parser: their schema would be read as if it were JSON Schema.
 */
export function unknownSchemaFormats(
  parser: Parser,
  json: Json,
): { path: (string | number)[]; format: string; message: string }[] {
  const found: { path: (string | number)[]; format: string; message: string }[] = [];
  const visitMessages = (messages: unknown, at: (string | number)[]) => {
    if (!isObject(messages)) return;
    for (const [key, message] of Object.entries(messages)) {
      if (!isObject(message)) continue;
      const name = typeof message.name === 'string' ? message.name : key;
      for (const part of ['payload', 'headers']) {
        const schema = message[part];
        if (isObject(schema) && typeof schema.schemaFormat === 'string' && 'schema' in schema) {
          if (!parser.parserRegistry.has(schema.schemaFormat))
            found.push({
              path: [...at, key, part, 'schemaFormat'],
              format: schema.schemaFormat,
              message: name,
            });
        }
      }
    }
  };
  for (const [id, channel] of Object.entries(isObject(json.channels) ? json.channels : {})) {
    if (isObject(channel)) visitMessages(channel.messages, ['channels', id, 'messages']);
  }
  const components = isObject(json.components) ? json.components : {};
  visitMessages(components.messages, ['components', 'messages']);
  return found;
}

const AVRO_PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * The Avro schema parser converts each schema on its own and turns a type it
 * only knows by name into `{}` (unknown). This wrapper first replaces every
 * such name with its definition, found in any Avro schema of the same document
 * (`.avsc` files reached through `$ref` included); a name defined nowhere is
 * recorded for a warning.
 */
function avroWithNamedTypes(inner: SchemaParser, unknownTypes: UnknownAvroType[]): SchemaParser {
  const registries = new WeakMap<object, Map<string, Json>>();
  const registryOf = (input: ValidateSchemaInput | ParseSchemaInput): Map<string, Json> => {
    const root = input.asyncapi.parsed as unknown as Json;
    let registry = registries.get(root);
    if (!registry) {
      registry = new Map();
      collectAvroDefinitions(root, registry);
      registries.set(root, registry);
    }
    return registry;
  };
  return {
    getMimeTypes: () => inner.getMimeTypes(),
    validate: (input) => {
      // Avro itself allows one definition per name: validate with each missing name defined once.
      const data = expand(input.data, registryOf(input), 'first', () => {});
      return inner.validate({ ...input, data });
    },
    parse: (input) => {
      const data = expand(input.data, registryOf(input), 'every', (name) =>
        unknownTypes.push({ path: input.path, name }),
      );
      return inner.parse({ ...input, data });
    },
  };
}

/** Every named Avro type (record, error, enum, fixed) in the Avro schemas of a parsed document, by full name. */
function collectAvroDefinitions(node: unknown, registry: Map<string, Json>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectAvroDefinitions(item, registry);
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.schemaFormat === 'string' && /avro/i.test(node.schemaFormat) && 'schema' in node) {
    definitionsIn(node.schema, undefined, registry);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== 'schema') collectAvroDefinitions(child, registry);
  }
}

function definitionsIn(type: unknown, namespace: string | undefined, registry: Map<string, Json>): void {
  if (Array.isArray(type)) {
    for (const member of type) definitionsIn(member, namespace, registry);
    return;
  }
  if (!isObject(type)) return;
  const named = fullName(type, namespace);
  if (named !== undefined && !registry.has(named.full)) registry.set(named.full, type);
  const inner = named?.namespace ?? namespace;
  if (Array.isArray(type.fields)) {
    for (const field of type.fields) if (isObject(field)) definitionsIn(field.type, inner, registry);
  }
  if ('items' in type) definitionsIn(type.items, inner, registry);
  if ('values' in type) definitionsIn(type.values, inner, registry);
  if (isObject(type.type) || Array.isArray(type.type)) definitionsIn(type.type, inner, registry);
}

/**
 * A copy of an Avro type with names resolved from `registry`: at the `first`
 * use of a name not defined in the schema itself, or at `every` use (what the
 * JSON Schema conversion needs). A name used inside its own definition stays
 * a name (a recursive type). Names found nowhere are passed to `unknown`.
 */
function expand(
  type: unknown,
  registry: Map<string, Json>,
  uses: 'first' | 'every',
  unknown: (name: string) => void,
): unknown {
  const defined = new Set<string>();
  const visit = (node: unknown, namespace: string | undefined, open: readonly string[]): unknown => {
    if (typeof node === 'string') {
      if (AVRO_PRIMITIVES.has(node)) return node;
      const candidates = node.includes('.') ? [node] : [namespace ? `${namespace}.${node}` : node, node];
      const name = candidates.find((c) => registry.has(c));
      if (name === undefined) {
        if (!candidates.some((c) => defined.has(c))) unknown(node);
        return node;
      }
      if (open.includes(name) || (uses === 'first' && defined.has(name))) return name;
      return visit(registry.get(name), namespace, open);
    }
    if (Array.isArray(node)) return node.map((member) => visit(member, namespace, open));
    if (!isObject(node)) return node;
    const named = fullName(node, namespace);
    const inner = named?.namespace ?? namespace;
    const nowOpen = named ? [...open, named.full] : open;
    if (named) defined.add(named.full);
    const copy: Json = { ...node };
    if (Array.isArray(node.fields)) {
      copy.fields = node.fields.map((field) =>
        isObject(field) ? { ...field, type: visit(field.type, inner, nowOpen) } : field,
      );
    }
    if ('items' in node) copy.items = visit(node.items, inner, nowOpen);
    if ('values' in node) copy.values = visit(node.values, inner, nowOpen);
    if (
      typeof node.type === 'string' &&
      !['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(node.type)
    ) {
      copy.type = visit(node.type, inner, nowOpen);
    } else if (isObject(node.type) || Array.isArray(node.type)) {
      copy.type = visit(node.type, inner, nowOpen);
    }
    return copy;
  };
  return visit(type, undefined, []);
}

function fullName(
  type: Json,
  namespace: string | undefined,
): { full: string; namespace?: string } | undefined {
  if (!['record', 'error', 'enum', 'fixed'].includes(String(type.type)) || typeof type.name !== 'string') {
    return undefined;
  }
  const name = type.name;
  if (name.includes('.')) {
    return { full: name, namespace: name.slice(0, name.lastIndexOf('.')) };
  }
  const ns = typeof type.namespace === 'string' && type.namespace !== '' ? type.namespace : namespace;
  return ns ? { full: `${ns}.${name}`, namespace: ns } : { full: name };
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
