/**
 * JSON Schema → TypeScript type nodes, built with the vocabulary of ./ts.ts.
 * Pure: the same schema and names always give the same nodes. `$ref`s are
 * already resolved by the parser, and same-value cycles broken by
 * naming/schema-graph.ts; a schema that has a name (a component, a recursive
 * schema, an event payload) is referred to by that name, which naming/
 * decided: nothing here invents an identifier.
 */
import type { JsonSchema } from '../model/catalog.ts';
import {
  array,
  type Declaration,
  indexSignature,
  interfaceDeclaration,
  intersection,
  keyword,
  type Member,
  nullType,
  property,
  ref,
  type TypeNode,
  type TypeParameter,
  tuple,
  typeAlias,
  typeLiteral,
  union,
  valueType,
} from './ts.ts';

export interface TypeContext {
  /** The declared name of a schema, when it has one: it is then referred to, not written out. */
  nameOf(schema: object): string | undefined;
}

type Obj = { readonly [k: string]: unknown };

/** The type of a schema; `top` when declaring the schema's own named type (so it is written out, not referred to). */
export function typeOf(schema: JsonSchema, ctx: TypeContext, top = false): TypeNode {
  if (schema === true) return keyword('unknown');
  if (schema === false) return keyword('never');
  if (!top) {
    const name = ctx.nameOf(schema);
    if (name !== undefined) return ref(name);
  }
  const s = schema as Obj;
  const parts: TypeNode[] = [];

  if ('const' in s) parts.push(valueType(s.const));
  else if (Array.isArray(s.enum)) parts.push(union(s.enum.map(valueType)));
  else {
    const types = Array.isArray(s.type)
      ? (s.type as string[])
      : typeof s.type === 'string'
        ? [s.type]
        : inferTypes(s);
    if (types.length > 0) parts.push(union(types.map((t) => primitive(t, s, ctx))));
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = branchesOf(s[key]).filter((b) => b !== false);
    if (Array.isArray(s[key]) && (s[key] as unknown[]).length > 0)
      parts.push(union(branches.map((b) => typeOf(b, ctx))));
  }
  const all = branchesOf(s.allOf).filter((b) => b !== true);
  if (all.length > 0) parts.push(intersection(all.map((b) => typeOf(b, ctx))));

  let result = parts.length === 0 ? keyword('unknown') : intersection(parts);
  if (s.nullable === true) result = union([result, nullType()]);
  return result;
}

/** The object type's members, for an interface body or a type literal; `overrides` replace the types of named top-level properties. */
export function membersOf(
  schema: Obj,
  ctx: TypeContext,
  overrides: ReadonlyMap<string, TypeNode> = new Map(),
): Member[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const members: Member[] = [];
  for (const [name, child] of Object.entries(properties)) {
    members.push(
      property(name, overrides.get(name) ?? typeOf(child, ctx), {
        optional: !required.has(name),
        doc: docOf(child),
      }),
    );
  }
  const extra = schema.additionalProperties;
  const hasPatterns =
    schema.patternProperties !== undefined && Object.keys(schema.patternProperties as object).length > 0;
  if (extra === false && !hasPatterns) return members;
  const typed =
    extra !== undefined && extra !== true && extra !== false && members.length === 0 && !hasPatterns;
  members.push(indexSignature(typed ? typeOf(extra as JsonSchema, ctx) : keyword('unknown')));
  return members;
}

export interface DeclarationOptions {
  readonly doc?: string;
  readonly typeParameters?: readonly TypeParameter[];
  /** Types replacing those of named top-level properties (e.g. `ce_type: TType`). */
  readonly overrides?: ReadonlyMap<string, TypeNode>;
}

/** A named type for a schema: an interface for a plain object schema, a type alias otherwise. */
export function declarationOf(
  name: string,
  schema: JsonSchema,
  ctx: TypeContext,
  options: DeclarationOptions = {},
): Declaration {
  const doc = options.doc ?? docOf(schema);
  if (isPlainObject(schema)) {
    return interfaceDeclaration(name, membersOf(schema, ctx, options.overrides), {
      doc,
      typeParameters: options.typeParameters,
    });
  }
  return typeAlias(name, typeOf(schema, ctx, true), { doc, typeParameters: options.typeParameters });
}

/** True for a schema that is exactly an object with properties: written as an interface. */
export function isPlainObject(schema: JsonSchema): schema is Obj {
  if (typeof schema !== 'object') return false;
  const hasCombinators = ['oneOf', 'anyOf', 'allOf', 'const', 'enum'].some((k) => schema[k] !== undefined);
  const isObject =
    schema.type === 'object' ||
    (schema.type === undefined && (schema.properties !== undefined || schema.additionalProperties === false));
  return isObject && !hasCombinators && schema.nullable !== true;
}

/** Doc comment text for a schema: its description plus the constraints a caller should know. */
export function docOf(schema: JsonSchema): string | undefined {
  if (typeof schema !== 'object') return undefined;
  const s = schema as Obj;
  const lines: string[] = [];
  if (typeof s.title === 'string' && s.title !== s.description) lines.push(s.title);
  if (typeof s.description === 'string') lines.push(...(lines.length ? [''] : []), s.description.trim());
  const tags: string[] = [];
  for (const key of [
    'format',
    'pattern',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
  ]) {
    if (s[key] !== undefined && typeof s[key] !== 'object') tags.push(`@${key} ${String(s[key])}`);
  }
  if (s.default !== undefined) tags.push(`@default ${JSON.stringify(s.default)}`);
  if (s.deprecated === true) tags.push('@deprecated');
  const text = [...lines, ...(lines.length && tags.length ? [''] : []), ...tags].join('\n');
  return text || undefined;
}

function primitive(type: string, s: Obj, ctx: TypeContext): TypeNode {
  switch (type) {
    case 'string':
      return keyword('string');
    case 'integer':
    case 'number':
      return keyword('number');
    case 'boolean':
      return keyword('boolean');
    case 'null':
      return nullType();
    case 'array':
      return arrayType(s, ctx);
    case 'object':
      return objectType(s, ctx);
    default:
      return keyword('unknown');
  }
}

function arrayType(s: Obj, ctx: TypeContext): TypeNode {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  if (prefix) {
    const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
    const items = (prefix as JsonSchema[]).map((t) => typeOf(t, ctx));
    return rest !== undefined && rest !== false
      ? tuple(items, typeOf(rest as JsonSchema, ctx))
      : tuple(items);
  }
  return array(s.items === undefined ? keyword('unknown') : typeOf(s.items as JsonSchema, ctx));
}

function objectType(s: Obj, ctx: TypeContext): TypeNode {
  const members = membersOf(s, ctx);
  if (members.length === 0) return ref('Record', [keyword('string'), keyword('never')]);
  const extra = s.additionalProperties;
  const typedIndex = typeof extra === 'object' && extra !== null && s.patternProperties === undefined;
  const onlyUnknownIndex =
    members.length === 1 &&
    Object.keys((s.properties as object | undefined) ?? {}).length === 0 &&
    !typedIndex;
  if (onlyUnknownIndex) return ref('Record', [keyword('string'), keyword('unknown')]);
  return typeLiteral(members);
}

function inferTypes(s: Obj): string[] {
  if (s.properties !== undefined || s.additionalProperties !== undefined || s.required !== undefined)
    return ['object'];
  if (s.items !== undefined || s.prefixItems !== undefined) return ['array'];
  return [];
}

function branchesOf(value: unknown): JsonSchema[] {
  return Array.isArray(value) ? (value as JsonSchema[]) : [];
}
