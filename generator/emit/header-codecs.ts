/**
 * Application headers of an event, read from its header schema once, at
 * generate time: their names, which are required, and for each one the
 * contract types other than string the codec it travels under as Kafka
 * header text (runtime/contract/headers.ts). The runtime then encodes and
 * decodes by that table alone; it never walks a schema per record.
 */
import { type HeaderCodec, isEnvelopeHeader } from '../../runtime/contract/headers.ts';
import type { JsonSchema } from '../model/catalog.ts';

export interface ApplicationHeaderFacts {
  /** Every declared application header, sorted. */
  readonly names: readonly string[];
  /** Header → codec, sorted by header, for the headers that are not plain text. */
  readonly fields: Readonly<Record<string, HeaderCodec>>;
  /** Application headers the schema requires, sorted. */
  readonly required: readonly string[];
}

type Node = { readonly [keyword: string]: unknown };

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a header schema says about its application headers. Properties come from the schema
 * and its `allOf` members (required there too) and from `oneOf`/`anyOf` alternatives (never
 * required: only one alternative holds); envelope names (`ce_*`, `content-type`,
 * `traceparent`, `tracestate`) are left out.
 */
export function applicationHeaderFacts(schema: JsonSchema | undefined): ApplicationHeaderFacts {
  const properties = new Map<string, unknown>();
  const required = new Set<string>();
  const seen = new Set<Node>();
  const visit = (node: unknown, mandatory: boolean) => {
    if (!isNode(node) || seen.has(node)) return;
    seen.add(node);
    if (isNode(node.properties)) {
      for (const [name, property] of Object.entries(node.properties)) {
        if (!properties.has(name)) properties.set(name, property);
      }
    }
    if (mandatory && Array.isArray(node.required)) {
      for (const name of node.required) if (typeof name === 'string') required.add(name);
    }
    for (const member of arrayOf(node.allOf)) visit(member, mandatory);
    for (const member of [...arrayOf(node.oneOf), ...arrayOf(node.anyOf)]) visit(member, false);
  };
  visit(schema, true);

  const names = [...properties.keys()].filter((name) => !isEnvelopeHeader(name)).sort();
  const fields: Record<string, HeaderCodec> = {};
  for (const name of names) {
    const codec = codecOf(properties.get(name));
    if (codec !== undefined) fields[name] = codec;
  }
  return { names, fields, required: names.filter((name) => required.has(name)) };
}

/**
 * The codec of one header's schema: none when its value is text (a string type, or none at
 * all), the matching scalar codec for one scalar type, `number` for integer-or-number, and
 * `json` for objects, arrays, `null` and other unions without a string.
 */
function codecOf(schema: unknown): HeaderCodec | undefined {
  const types = new Set<string>();
  collectTypes(schema, types, new Set());
  if (types.size === 0 || types.has('string')) return undefined;
  if (types.size === 1) {
    const [only] = types;
    if (only === 'integer' || only === 'number' || only === 'boolean') return only;
  }
  if ([...types].every((t) => t === 'integer' || t === 'number')) return 'number';
  return 'json';
}

function collectTypes(schema: unknown, types: Set<string>, seen: Set<Node>): void {
  if (!isNode(schema) || seen.has(schema)) return;
  seen.add(schema);
  const declared = schema.type;
  for (const t of Array.isArray(declared) ? declared : [declared]) if (typeof t === 'string') types.add(t);
  if (declared === undefined) {
    const values = 'const' in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : [];
    for (const value of values) types.add(jsonType(value));
    for (const member of [...arrayOf(schema.oneOf), ...arrayOf(schema.anyOf), ...arrayOf(schema.allOf)]) {
      collectTypes(member, types, seen);
    }
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value; // string, boolean, object
}

const arrayOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
