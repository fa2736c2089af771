/**
 * A small vocabulary of TypeScript AST builders over the compiler's factory
 * (the copy ts-morph ships), so emitters describe types and never splice
 * source text: string escaping, quoting of property names, parentheses in
 * `(A | B)[]` and doc comments are the printer's job. Printing happens only at
 * the edge (`print`, `printAll`), with one printer configuration.
 */
import { ts } from 'ts-morph';

const f = ts.factory;

export type TypeNode = ts.TypeNode;
export type Member = ts.TypeElement;
export type Declaration = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

/** `string`, `number`, `boolean`, `unknown`, `never`, `undefined`, `object`. */
export type Keyword = 'string' | 'number' | 'boolean' | 'unknown' | 'never' | 'undefined' | 'object';

const KEYWORDS: Record<Keyword, ts.KeywordTypeSyntaxKind> = {
  string: ts.SyntaxKind.StringKeyword,
  number: ts.SyntaxKind.NumberKeyword,
  boolean: ts.SyntaxKind.BooleanKeyword,
  unknown: ts.SyntaxKind.UnknownKeyword,
  never: ts.SyntaxKind.NeverKeyword,
  undefined: ts.SyntaxKind.UndefinedKeyword,
  object: ts.SyntaxKind.ObjectKeyword,
};

export function keyword(name: Keyword): TypeNode {
  return f.createKeywordTypeNode(KEYWORDS[name]);
}

/** A string literal type, any characters allowed (`'a\nb'`). */
export function stringType(value: string): TypeNode {
  return f.createLiteralTypeNode(f.createStringLiteral(value, true));
}

/** A number literal type; negative numbers as `-1`, non-finite numbers as `number`. */
export function numberType(value: number): TypeNode {
  if (!Number.isFinite(value)) return keyword('number');
  const literal = f.createNumericLiteral(Math.abs(value));
  return f.createLiteralTypeNode(
    value < 0 || Object.is(value, -0)
      ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, literal)
      : literal,
  );
}

export function booleanType(value: boolean): TypeNode {
  return f.createLiteralTypeNode(value ? f.createTrue() : f.createFalse());
}

export function nullType(): TypeNode {
  return f.createLiteralTypeNode(f.createNull());
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

/** `A | B`, members de-duplicated in order; one member is itself, none is `never`. The factory adds parentheses. */
export function union(types: readonly TypeNode[]): TypeNode {
  const members = distinct(types.flatMap((t) => (ts.isUnionTypeNode(t) ? [...t.types] : [t])));
  if (members.length === 0) return keyword('never');
  if (members.length === 1) return members[0]!;
  return f.createUnionTypeNode(members);
}

/** `A & B`, members de-duplicated in order; one member is itself, none is `unknown`. */
export function intersection(types: readonly TypeNode[]): TypeNode {
  const members = distinct(types.flatMap((t) => (ts.isIntersectionTypeNode(t) ? [...t.types] : [t])));
  if (members.length === 0) return keyword('unknown');
  if (members.length === 1) return members[0]!;
  return f.createIntersectionTypeNode(members);
}

/** `T[]` (the printer adds the parentheses `(A | B)[]` needs). */
export function array(item: TypeNode): TypeNode {
  return f.createArrayTypeNode(item);
}

/** `[A, B]`, or `[A, B, ...R[]]` with a rest element type. */
export function tuple(items: readonly TypeNode[], rest?: TypeNode): TypeNode {
  const node = f.createTupleTypeNode([...items, ...(rest ? [f.createRestTypeNode(array(rest))] : [])]);
  return ts.setEmitFlags(node, ts.EmitFlags.SingleLine);
}

/** A reference to a named type, with type arguments when given (`EventHeaders<'A', '1'>`). */
export function ref(name: string, args: readonly TypeNode[] = []): TypeNode {
  return f.createTypeReferenceNode(name, args.length > 0 ? [...args] : undefined);
}

export interface PropertyOptions {
  readonly optional?: boolean;
  readonly readonly?: boolean;
  readonly doc?: string;
}

/** A property signature; a name that is not an identifier is quoted (`'content-type'`). */
export function property(name: string, type: TypeNode, options: PropertyOptions = {}): Member {
  const node = f.createPropertySignature(
    options.readonly ? [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)] : undefined,
    propertyName(name),
    options.optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined,
    type,
  );
  return withDoc(node, options.doc);
}

/** `[key: string]: T`. */
export function indexSignature(value: TypeNode): Member {
  return f.createIndexSignature(
    undefined,
    [f.createParameterDeclaration(undefined, undefined, 'key', undefined, keyword('string'))],
    value,
  );
}

/** `{ … }`, one member a line, or on one line when `singleLine`. */
export function typeLiteral(members: readonly Member[], options: { singleLine?: boolean } = {}): TypeNode {
  const node = f.createTypeLiteralNode([...members]);
  return options.singleLine ? ts.setEmitFlags(node, ts.EmitFlags.SingleLine) : node;
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
  const node = f.createInterfaceDeclaration(modifiers(options), name, typeParameters(options), undefined, [
    ...members,
  ]);
  return withDoc(node, options.doc);
}

export function typeAlias(name: string, type: TypeNode, options: DeclarationOptions = {}): Declaration {
  const node = f.createTypeAliasDeclaration(modifiers(options), name, typeParameters(options), type);
  return withDoc(node, options.doc);
}

/** A string literal expression in single quotes, escaped by the printer. */
export function stringExpression(value: string): ts.Expression {
  return f.createStringLiteral(value, true);
}

/** An identifier when `name` is one, else a quoted string (for property names and object keys). */
export function propertyName(name: string): ts.PropertyName {
  return isIdentifier(name) ? f.createIdentifier(name) : f.createStringLiteral(name, true);
}

/** True when `name` can be written bare as an identifier or property name. */
export function isIdentifier(name: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u.test(name);
}

/**
 * Attaches a JSDoc comment. The text may hold any characters: line
 * separators become lines and `*\/` cannot close the comment early.
 */
export function withDoc<T extends ts.Node>(node: T, text: string | undefined): T {
  const body = text === undefined ? '' : docText(text);
  if (body === '') return node;
  const lines = body.split('\n');
  const comment =
    lines.length === 1 ? `* ${lines[0]} ` : `*\n${lines.map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n `;
  return ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, comment, true);
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

// `neverAsciiEscape` (an option the printer has but does not declare) keeps non-ASCII text such as
// Korean descriptions readable instead of `\uXXXX`; line separators are escaped either way.
const printerOptions = { newLine: ts.NewLineKind.LineFeed, neverAsciiEscape: true };
const printer = ts.createPrinter(printerOptions);
const scratch = ts.createSourceFile('emit.ts', '', ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);

/** TypeScript source of one node. */
export function print(node: ts.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, scratch);
}

/** Source of several declarations, a blank line between them. */
export function printAll(nodes: readonly ts.Node[]): string {
  return nodes.map(print).join('\n\n');
}

/**
 * A type alias over a union laid out one member a line with leading bars
 * (`=\n  | A\n  | B`), the way people write discriminated unions; each
 * member is still printed by the printer.
 */
export function printUnionAlias(name: string, members: readonly TypeNode[], doc?: string): string {
  if (members.length === 0) return print(typeAlias(name, keyword('never'), { doc }));
  const head = print(typeAlias(name, keyword('never'), { doc })).replace(/never;$/, '');
  return `${head.trimEnd()}\n${members.map((m) => `  | ${print(m)}`).join('\n')};`;
}

function modifiers(options: DeclarationOptions): ts.Modifier[] | undefined {
  return options.exported === false ? undefined : [f.createModifier(ts.SyntaxKind.ExportKeyword)];
}

function typeParameters(options: DeclarationOptions): ts.TypeParameterDeclaration[] | undefined {
  if (!options.typeParameters?.length) return undefined;
  return options.typeParameters.map((p) =>
    f.createTypeParameterDeclaration(undefined, p.name, p.constraint, p.default),
  );
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
