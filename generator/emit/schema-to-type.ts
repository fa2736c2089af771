import type { JsonSchema } from '../model/catalog.ts';

/**
 * JSON Schema → TypeScript type text. Pure: the same schema always gives the
 * same text. `$ref`s are already resolved by the parser; a schema that
 * contains itself is emitted once as a named type and referred to by name.
 */
export interface TypeContext {
  /** Named types already assigned to schema nodes (cycles), shared across a file. */
  readonly named: Map<object, string>;
  /** Named types still to be emitted, in the order they were discovered. */
  readonly pending: { name: string; schema: JsonSchema }[];
  /** Every identifier used in the file, so generated names never collide. */
  readonly taken: Set<string>;
  /** Name prefix for anonymous recursive schemas, e.g. the owning event's type name. */
  readonly owner: string;
}

type Obj = { readonly [k: string]: unknown };

export function typeOf(schema: JsonSchema, ctx: TypeContext, stack: readonly object[] = []): string {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (stack.includes(schema)) return nameFor(schema, ctx);
  const named = ctx.named.get(schema);
  if (named) return named;
  const inner = [...stack, schema];
  const s = schema as Obj;
  const parts: string[] = [];

  if ('const' in s) parts.push(literal(s.const));
  else if (Array.isArray(s.enum)) parts.push(s.enum.map(literal).join(' | ') || 'never');
  else {
    const types = Array.isArray(s.type)
      ? (s.type as string[])
      : typeof s.type === 'string'
        ? [s.type]
        : inferTypes(s);
    if (types.length > 0) parts.push(unique(types.map((t) => primitive(t, s, ctx, inner))).join(' | '));
  }
  let result = parts.join(' & ');

  const combine = (key: 'oneOf' | 'anyOf' | 'allOf', glue: ' | ' | ' & ') => {
    const branches = s[key];
    if (!Array.isArray(branches) || branches.length === 0) return;
    const text = unique(branches.map((b) => wrap(typeOf(b as JsonSchema, ctx, inner)))).join(glue);
    result = result ? `${wrap(result)} & (${text})` : text;
  };
  combine('oneOf', ' | ');
  combine('anyOf', ' | ');
  combine('allOf', ' & ');
  if (!result) result = 'unknown';
  if (s.nullable === true && !/\bnull\b/.test(result)) result = `${wrap(result)} | null`;
  return result;
}

/** Doc comment text for a schema: its description plus the constraints a caller should know. */
export function docOf(schema: JsonSchema): string | undefined {
  if (typeof schema !== 'object') return undefined;
  const s = schema as Obj;
  const lines: string[] = [];
  if (typeof s.title === 'string' && s.title !== s.description) lines.push(s.title);
  if (typeof s.description === 'string') lines.push(s.description.trim());
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
    if (s[key] !== undefined) tags.push(`@${key} ${String(s[key])}`);
  }
  if (s.default !== undefined) tags.push(`@default ${JSON.stringify(s.default)}`);
  if (s.deprecated === true) tags.push('@deprecated');
  const text = [...lines, ...(lines.length && tags.length ? [''] : []), ...tags].join('\n');
  return text ? text.replaceAll('*/', '*\\/') : undefined;
}

/** The object type's members as text, one per line, for an interface body or a type literal. */
export function membersOf(schema: Obj, ctx: TypeContext, stack: readonly object[]): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const members: string[] = [];
  for (const [name, child] of Object.entries(properties)) {
    const doc = docOf(child);
    if (doc) members.push(docComment(doc));
    members.push(`${propertyName(name)}${required.has(name) ? '' : '?'}: ${typeOf(child, ctx, stack)};`);
  }
  const extra = schema.additionalProperties;
  const hasPatterns =
    schema.patternProperties !== undefined && Object.keys(schema.patternProperties as object).length > 0;
  if (extra === false && !hasPatterns) return members;
  if (
    extra !== undefined &&
    extra !== true &&
    extra !== false &&
    Object.keys(properties).length === 0 &&
    !hasPatterns
  ) {
    members.push(`[key: string]: ${typeOf(extra as JsonSchema, ctx, stack)};`);
  } else {
    members.push('[key: string]: unknown;');
  }
  return members;
}

export function docComment(text: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ['/**', ...lines.map((l) => (l ? ` * ${l}` : ' *')), ' */'].join('\n');
}

function primitive(type: string, s: Obj, ctx: TypeContext, stack: readonly object[]): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayType(s, ctx, stack);
    case 'object':
      return objectType(s, ctx, stack);
    default:
      return 'unknown';
  }
}

function arrayType(s: Obj, ctx: TypeContext, stack: readonly object[]): string {
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  if (tuple) {
    const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
    const items = (tuple as JsonSchema[]).map((t) => typeOf(t, ctx, stack));
    if (rest !== undefined && rest !== false)
      items.push(`...${wrap(typeOf(rest as JsonSchema, ctx, stack))}[]`);
    return `[${items.join(', ')}]`;
  }
  const item = s.items === undefined ? 'unknown' : typeOf(s.items as JsonSchema, ctx, stack);
  return `${wrap(item)}[]`;
}

function objectType(s: Obj, ctx: TypeContext, stack: readonly object[]): string {
  const members = membersOf(s, ctx, stack);
  if (members.length === 0) return 'Record<string, never>';
  if (members.length === 1 && members[0] === '[key: string]: unknown;') return 'Record<string, unknown>';
  return `{\n${members.join('\n')}\n}`;
}

function inferTypes(s: Obj): string[] {
  if (s.properties !== undefined || s.additionalProperties !== undefined || s.required !== undefined)
    return ['object'];
  if (s.items !== undefined || s.prefixItems !== undefined) return ['array'];
  return [];
}

function nameFor(schema: object, ctx: TypeContext): string {
  const existing = ctx.named.get(schema);
  if (existing) return existing;
  const id = (schema as Obj)['x-parser-schema-id'];
  const base = typeof id === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(id) ? pascal(id) : `${ctx.owner}Node`;
  let name = base;
  for (let i = 2; ctx.taken.has(name); i++) name = `${base}${i}`;
  ctx.taken.add(name);
  ctx.named.set(schema, name);
  ctx.pending.push({ name, schema: schema as JsonSchema });
  return name;
}

function literal(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'unknown';
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : literal(name);
}

function wrap(type: string): string {
  if (/^[\w.[\]'<>, ]+$/.test(type) && !type.includes(' | ') && !type.includes(' & ')) return type;
  return isSingleLiteral(type) ? type : `(${type})`;
}

/** True for one `{ ... }` type literal (its first brace closes at the very end). */
function isSingleLiteral(type: string): boolean {
  if (!type.startsWith('{') || !type.endsWith('}')) return false;
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    if (type[i] === '{') depth++;
    else if (type[i] === '}' && --depth === 0 && i < type.length - 1) return false;
  }
  return true;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

export function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
