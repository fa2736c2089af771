/**
 * A small vocabulary of TypeScript type builders, so emitters describe types
 * and never splice source text: string escaping, quoting of property names,
 * parentheses in `(A | B)[]` and doc comments are the printer's job. Printing
 * happens only at the edge (`print`, `printAll`), in the layout the generated
 * files use (two-space indentation, members one a line, `;` after each).
 *
 * The nodes and the printer are this module's own: they cover exactly the
 * type syntax the SDK needs and print it as the TypeScript printer followed
 * by its formatter would, without loading a TypeScript compiler (several
 * hundred milliseconds of every `generate`). generator/emit/render-format.test.ts
 * holds every committed generated file to the TypeScript formatter's output.
 */

/** `string`, `number`, `boolean`, `unknown`, `never`, `undefined`, `object`. */
export type Keyword = 'string' | 'number' | 'boolean' | 'unknown' | 'never' | 'undefined' | 'object';

/** A type, as built by the functions below. */
export type TypeNode =
  | { readonly kind: 'keyword'; readonly name: Keyword }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'union'; readonly types: readonly TypeNode[] }
  | { readonly kind: 'intersection'; readonly types: readonly TypeNode[] }
  | { readonly kind: 'array'; readonly item: TypeNode }
  | { readonly kind: 'tuple'; readonly items: readonly TypeNode[]; readonly rest?: TypeNode }
  | { readonly kind: 'reference'; readonly name: string; readonly args: readonly TypeNode[] }
  | { readonly kind: 'type-literal'; readonly members: readonly Member[]; readonly singleLine: boolean }
  | { readonly kind: 'readonly-array'; readonly item: TypeNode }
  | { readonly kind: 'indexed-access'; readonly object: TypeNode; readonly index: TypeNode }
  | {
      readonly kind: 'mapped';
      readonly parameter: string;
      readonly keys: TypeNode;
      readonly type: TypeNode;
      readonly readonly: boolean;
    };

/** A member of a type literal or interface. */
export type Member = (
  | {
      readonly kind: 'property';
      readonly name: string;
      readonly type: TypeNode;
      readonly optional: boolean;
      readonly readonly: boolean;
    }
  | { readonly kind: 'index-signature'; readonly value: TypeNode }
  | {
      readonly kind: 'method';
      readonly name: string;
      readonly parameters: readonly Parameter[];
      readonly returns: TypeNode;
      /** One parameter a line (with a trailing comma) instead of all on the signature's line. */
      readonly parametersOnLines: boolean;
    }
) &
  Documented;

/** A parameter of a method signature or function. */
export interface Parameter {
  readonly name: string;
  readonly type: TypeNode;
  readonly optional: boolean;
}

/** An exported (unless said otherwise) interface or type alias. */
export type Declaration = (
  | { readonly kind: 'interface'; readonly name: string; readonly members: readonly Member[] }
  | {
      readonly kind: 'type-alias';
      readonly name: string;
      readonly type: TypeNode;
      /** A union laid out one member a line with leading bars, the way people write discriminated unions. */
      readonly unionOnLines: boolean;
    }
) & {
  readonly exported: boolean;
  readonly typeParameters: readonly TypeParameter[];
} & Documented;

/** A string literal expression (a value, not a type). */
export interface StringExpression {
  readonly kind: 'string-expression';
  readonly value: string;
}

/** Anything `print` prints. */
export type Printable = TypeNode | Member | Declaration | StringExpression;

export interface Documented {
  /** Doc comment bodies (what goes between `/*` and `*\/`), in order. */
  readonly docs?: readonly string[];
}

export function keyword(name: Keyword): TypeNode {
  return { kind: 'keyword', name };
}

/** A string literal type, any characters allowed (`'a\nb'`). */
export function stringType(value: string): TypeNode {
  return { kind: 'literal', text: quote(value) };
}

/** A number literal type; negative numbers as `-1`, non-finite numbers as `number`. */
export function numberType(value: number): TypeNode {
  if (!Number.isFinite(value)) return keyword('number');
  const text = String(Math.abs(value));
  return { kind: 'literal', text: value < 0 || Object.is(value, -0) ? `-${text}` : text };
}

export function booleanType(value: boolean): TypeNode {
  return { kind: 'literal', text: String(value) };
}

export function nullType(): TypeNode {
  return { kind: 'literal', text: 'null' };
}

/**
 * The exact type of a JSON value (`const`, one `enum` member): scalars as
 * literal types, arrays as tuples, objects as type literals whose every key is
 * required.
 */
export function valueType(value: unknown): TypeNode {
  if (value === null) return nullType();
  if (typeof value === 'string') return stringType(value);
  if (typeof value === 'number') return numberType(value);
  if (typeof value === 'boolean') return booleanType(value);
  if (Array.isArray(value)) return tuple(value.map(valueType));
  if (typeof value === 'object') {
    return typeLiteral(Object.entries(value).map(([key, v]) => property(key, valueType(v))));
  }
  return keyword('unknown');
}

/** `A | B`, members de-duplicated in order; one member is itself, none is `never`. The printer adds parentheses. */
export function union(types: readonly TypeNode[]): TypeNode {
  const members = distinct(types.flatMap((t) => (t.kind === 'union' ? t.types : [t])));
  if (members.length === 0) return keyword('never');
  if (members.length === 1) return members[0]!;
  return { kind: 'union', types: members };
}

/** `A & B`, members de-duplicated in order; one member is itself, none is `unknown`. */
export function intersection(types: readonly TypeNode[]): TypeNode {
  const members = distinct(types.flatMap((t) => (t.kind === 'intersection' ? t.types : [t])));
  if (members.length === 0) return keyword('unknown');
  if (members.length === 1) return members[0]!;
  return { kind: 'intersection', types: members };
}

/** `readonly T[]`. */
export function readonlyArray(item: TypeNode): TypeNode {
  return { kind: 'readonly-array', item };
}

/** `T[K]`. */
export function indexedAccess(object: TypeNode, index: TypeNode): TypeNode {
  return { kind: 'indexed-access', object, index };
}

/** `{ readonly [K in Keys]: T }` (readonly unless said otherwise); `T` usually refers to `K`. */
export function mapped(
  parameter: string,
  keys: TypeNode,
  type: TypeNode,
  options: { readonly?: boolean } = {},
): TypeNode {
  return { kind: 'mapped', parameter, keys, type, readonly: options.readonly ?? true };
}

/** `T[]` (the printer adds the parentheses `(A | B)[]` needs). */
export function array(item: TypeNode): TypeNode {
  return { kind: 'array', item };
}

/** `[A, B]`, or `[A, B, ...R[]]` with a rest element type; always on one line. */
export function tuple(items: readonly TypeNode[], rest?: TypeNode): TypeNode {
  return { kind: 'tuple', items: [...items], ...(rest ? { rest } : {}) };
}

/** A reference to a named type, with type arguments when given (`EventHeaders<'A', '1'>`). */
export function ref(name: string, args: readonly TypeNode[] = []): TypeNode {
  return { kind: 'reference', name, args: [...args] };
}

export interface PropertyOptions {
  readonly optional?: boolean;
  readonly readonly?: boolean;
  readonly doc?: string;
}

/** A property signature; a name that is not an identifier is quoted (`'content-type'`). */
export function property(name: string, type: TypeNode, options: PropertyOptions = {}): Member {
  const node: Member = {
    kind: 'property',
    name,
    type,
    optional: options.optional ?? false,
    readonly: options.readonly ?? false,
  };
  return withDoc(node, options.doc);
}

/** A parameter: `name: T`, or `name?: T` when optional. */
export function parameter(name: string, type: TypeNode, options: { optional?: boolean } = {}): Parameter {
  return { name, type, optional: options.optional ?? false };
}

/**
 * A method signature, `name(a: A, b?: B): R;`; with `parametersOnLines`, one
 * parameter a line (for long parameter types).
 */
export function methodSignature(
  name: string,
  parameters: readonly Parameter[],
  returns: TypeNode,
  options: { doc?: string; parametersOnLines?: boolean } = {},
): Member {
  const node: Member = {
    kind: 'method',
    name,
    parameters: [...parameters],
    returns,
    parametersOnLines: options.parametersOnLines ?? false,
  };
  return withDoc(node, options.doc);
}

/** `[key: string]: T`. */
export function indexSignature(value: TypeNode): Member {
  return { kind: 'index-signature', value };
}

/**
 * `{ … }`, one member a line, or on one line when `singleLine` (a member with
 * a doc comment still gets a line of its own).
 */
export function typeLiteral(members: readonly Member[], options: { singleLine?: boolean } = {}): TypeNode {
  return { kind: 'type-literal', members: [...members], singleLine: options.singleLine ?? false };
}

export interface TypeParameter {
  readonly name: string;
  readonly constraint?: TypeNode;
  readonly default?: TypeNode;
}

export interface DeclarationOptions {
  readonly doc?: string;
  readonly typeParameters?: readonly TypeParameter[];
  /** Exported unless false. */
  readonly exported?: boolean;
}

export function interfaceDeclaration(
  name: string,
  members: readonly Member[],
  options: DeclarationOptions = {},
): Declaration {
  const node: Declaration = {
    kind: 'interface',
    name,
    members: [...members],
    exported: options.exported !== false,
    typeParameters: options.typeParameters ?? [],
  };
  return withDoc(node, options.doc);
}

export function typeAlias(
  name: string,
  type: TypeNode,
  options: DeclarationOptions & { unionOnLines?: boolean } = {},
): Declaration {
  const node: Declaration = {
    kind: 'type-alias',
    name,
    type,
    unionOnLines: options.unionOnLines ?? false,
    exported: options.exported !== false,
    typeParameters: options.typeParameters ?? [],
  };
  return withDoc(node, options.doc);
}

/** A string literal expression in single quotes, escaped by the printer. */
export function stringExpression(value: string): StringExpression {
  return { kind: 'string-expression', value };
}

/** True when `name` can be written bare as an identifier or property name. */
export function isIdentifier(name: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u.test(name);
}

/**
 * The node with a JSDoc comment added. The text may hold any characters: line
 * separators become lines and `*\/` cannot close the comment early.
 */
export function withDoc<T extends Documented>(node: T, text: string | undefined): T {
  const body = text === undefined ? '' : docText(text);
  if (body === '') return node;
  const lines = body.split('\n');
  const comment =
    lines.length === 1 ? `* ${lines[0]} ` : `*\n${lines.map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n `;
  return { ...node, docs: [...(node.docs ?? []), comment] };
}

/** Doc text made safe inside a block comment: one kind of line break, no `*\/`, no trailing blanks. */
export function docText(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replaceAll('*/', '*\\/')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

/** TypeScript source of one node. */
export function print(node: Printable): string {
  switch (node.kind) {
    case 'string-expression':
      return quote(node.value);
    case 'property':
    case 'index-signature':
    case 'method':
      return printMember(node, 0);
    case 'interface':
    case 'type-alias':
      return printDeclaration(node);
    default:
      return printType(node, 0);
  }
}

/** Source of several declarations, a blank line between them. */
export function printAll(nodes: readonly Printable[]): string {
  return nodes.map(print).join('\n\n');
}

/**
 * A type alias over a union laid out one member a line with leading bars
 * (`=\n  | A\n  | B`), the way people write discriminated unions.
 */
export function unionAlias(name: string, members: readonly TypeNode[], doc?: string): Declaration {
  // One member still gets its own line; none is `never`.
  const type: TypeNode = members.length === 0 ? keyword('never') : { kind: 'union', types: [...members] };
  return typeAlias(name, type, { doc, unionOnLines: true });
}

// --- the printer ---------------------------------------------------------------------------------

const INDENT = '  ';

/**
 * A single-quoted string literal, escaped as the TypeScript printer escapes it
 * (with `neverAsciiEscape`): backslash, quote, control characters and the line
 * separators U+2028, U+2029 and U+0085; other non-ASCII text stays readable.
 */
export function quote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped.
  const escaped = value.replace(/[\\'\u0000-\u001f\u2028\u2029\u0085]/g, (c, offset: number) => {
    if (c === '\0') {
      const next = value.charCodeAt(offset + 1);
      return next >= 48 && next <= 57 ? '\\x00' : '\\0';
    }
    return ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\t': '\\t',
  '\v': '\\v',
  '\f': '\\f',
  '\b': '\\b',
  '\r': '\\r',
  '\n': '\\n',
  '\\': '\\\\',
  "'": "\\'",
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
  '\u0085': '\\u0085',
};

function printDeclaration(node: Declaration): string {
  const head = `${printDocs(node.docs, 0)}${node.exported ? 'export ' : ''}`;
  const params = printTypeParameters(node.typeParameters);
  if (node.kind === 'type-alias') {
    if (node.unionOnLines && node.type.kind === 'union') {
      const lines = node.type.types.map((t) => `\n${INDENT}| ${printType(t, 1)}`).join('');
      return `${head}type ${node.name}${params} =${lines};`;
    }
    return `${head}type ${node.name}${params} = ${printType(node.type, 0)};`;
  }
  // An interface body is always written over lines, even when empty (`{\n}`).
  const body = node.members.length === 0 ? '\n' : `${printMemberLines(node.members, 1)}\n`;
  return `${head}interface ${node.name}${params} {${body}}`;
}

function printTypeParameters(params: readonly TypeParameter[]): string {
  if (params.length === 0) return '';
  const each = params.map(
    (p) =>
      `${p.name}${p.constraint ? ` extends ${printType(p.constraint, 0)}` : ''}${p.default ? ` = ${printType(p.default, 0)}` : ''}`,
  );
  return `<${each.join(', ')}>`;
}

/** A type at indentation `level` (where its first line already stands). */
export function printType(node: TypeNode, level: number): string {
  switch (node.kind) {
    case 'keyword':
      return node.name;
    case 'literal':
      return node.text;
    case 'union':
      return node.types.map((t) => printConstituent(t, level)).join(' | ');
    case 'intersection':
      return node.types.map((t) => printConstituent(t, level)).join(' & ');
    case 'array':
      return `${printConstituent(node.item, level)}[]`;
    case 'tuple': {
      const items = node.items.map((t) => printType(t, level));
      if (node.rest) items.push(`...${printType(array(node.rest), level)}`);
      return `[${items.join(', ')}]`;
    }
    case 'reference':
      return node.args.length === 0
        ? node.name
        : `${node.name}<${node.args.map((t) => printType(t, level)).join(', ')}>`;
    case 'readonly-array':
      return `readonly ${printConstituent(node.item, level)}[]`;
    case 'indexed-access':
      return `${printConstituent(node.object, level)}[${printType(node.index, level)}]`;
    case 'mapped':
      return `{ ${node.readonly ? 'readonly ' : ''}[${node.parameter} in ${printType(node.keys, level)}]: ${printType(node.type, level)}; }`;
    case 'type-literal': {
      if (node.members.length === 0) return '{}';
      if (node.singleLine && node.members.every((m) => !m.docs?.length)) {
        return `{ ${node.members.map((m) => printMember(m, level)).join(' ')} }`;
      }
      return `{${printMemberLines(node.members, level + 1)}\n${INDENT.repeat(level)}}`;
    }
  }
}

/** A member of a union or intersection, or an array's item: unions and intersections in parentheses. */
function printConstituent(node: TypeNode, level: number): string {
  const text = printType(node, level);
  return node.kind === 'union' || node.kind === 'intersection' ? `(${text})` : text;
}

/** Members one a line at `level`, each line starting with its line break. */
function printMemberLines(members: readonly Member[], level: number): string {
  const indent = INDENT.repeat(level);
  return members.map((m) => `\n${indent}${printDocs(m.docs, level)}${printMember(m, level)}`).join('');
}

function printMember(node: Member, level: number): string {
  if (node.kind === 'index-signature') return `[key: string]: ${printType(node.value, level)};`;
  if (node.kind === 'method') {
    const returns = printType(node.returns, level);
    if (!node.parametersOnLines)
      return `${node.name}(${node.parameters.map((p) => printParameter(p, level)).join(', ')}): ${returns};`;
    const inner = INDENT.repeat(level + 1);
    const lines = node.parameters.map((p) => `\n${inner}${printParameter(p, level + 1)},`).join('');
    return `${node.name}(${lines}\n${INDENT.repeat(level)}): ${returns};`;
  }
  const name = isIdentifier(node.name) ? node.name : quote(node.name);
  return `${node.readonly ? 'readonly ' : ''}${name}${node.optional ? '?' : ''}: ${printType(node.type, level)};`;
}

/** `name: T` or `name?: T`. */
export function printParameter(p: Parameter, level: number): string {
  return `${p.name}${p.optional ? '?' : ''}: ${printType(p.type, level)}`;
}

/**
 * Doc comments before a node whose first line is at `level`, each followed by
 * a line break and the node's indentation; a comment's later lines are indented
 * one space past the node, so their `*`s line up under the first line's.
 */
export function printDocs(docs: readonly string[] | undefined, level: number): string {
  if (!docs?.length) return '';
  const indent = INDENT.repeat(level);
  return docs
    .map((body) => {
      const [first, ...rest] = `/*${body}*/`.split('\n');
      return [first, ...rest.map((line) => `${indent} ${line.trim()}`)].join('\n');
    })
    .map((comment) => `${comment}\n${indent}`)
    .join('');
}

function distinct(types: readonly TypeNode[]): TypeNode[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const key = print(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
