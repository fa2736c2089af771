/**
 * The value side of the emit vocabulary (./ts.ts has the types): expressions
 * and statements the wiring emitters build (definitions as object literals,
 * imports, publisher factories), printed in the generated files' layout. As
 * with types, emitters describe code and never splice source text: quoting,
 * property keys, `.a` versus `['a-b']` access, template escaping, parentheses
 * and indentation are the printer's job.
 */
import {
  type Declaration,
  type Documented,
  isIdentifier,
  type Parameter,
  print,
  printDocs,
  printParameter,
  printType,
  quote,
  type StringExpression,
  stringExpression,
  type TypeNode,
  withDoc,
} from './ts.ts';

/** An expression, as built by the functions below. */
export type Expression =
  | StringExpression
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'literal-expression'; readonly text: string }
  | { readonly kind: 'object'; readonly members: readonly ObjectMember[]; readonly singleLine: boolean }
  | { readonly kind: 'array'; readonly items: readonly Expression[]; readonly maxInlineWidth: number }
  | { readonly kind: 'access'; readonly target: Expression; readonly path: readonly string[] }
  | { readonly kind: 'call'; readonly callee: Expression; readonly args: readonly Expression[] }
  | { readonly kind: 'arrow'; readonly parameters: readonly string[]; readonly body: Expression }
  | { readonly kind: 'template'; readonly parts: readonly (string | Expression)[] }
  | { readonly kind: 'as-const'; readonly expression: Expression };

/** A member of an object literal: `key: value` or `...spread`. */
export type ObjectMember =
  | {
      readonly kind: 'assignment';
      readonly key: string;
      readonly value: Expression;
      readonly quoted: boolean;
    }
  | { readonly kind: 'spread'; readonly expression: Expression };

/** A top-level statement of a generated module. */
export type Statement =
  | Declaration
  | {
      readonly kind: 'import';
      readonly names: readonly string[];
      readonly from: string;
      readonly typeOnly: boolean;
    }
  | { readonly kind: 'export-all'; readonly from: string }
  | ({
      readonly kind: 'const';
      readonly name: string;
      readonly type?: TypeNode;
      /** Absent for `declare const`. */
      readonly init?: Expression;
      readonly exported: boolean;
    } & Documented)
  | ({
      readonly kind: 'function';
      readonly name: string;
      readonly parameters: readonly Parameter[];
      readonly returns: TypeNode;
      /** The function returns this expression: the generated functions are one-line calls into the runtime. */
      readonly body: Expression;
      readonly exported: boolean;
    } & Documented);

// --- expressions ---------------------------------------------------------------------------------

/** A name in scope: an import, a parameter, `undefined`. */
export function id(name: string): Expression {
  return { kind: 'identifier', name };
}

/** A string literal, escaped by the printer. */
export function str(value: string): Expression {
  return stringExpression(value);
}

/** A number literal; non-finite numbers have no JSON form and become `null`. */
export function num(value: number): Expression {
  return { kind: 'literal-expression', text: Number.isFinite(value) ? String(value) : 'null' };
}

export function bool(value: boolean): Expression {
  return { kind: 'literal-expression', text: String(value) };
}

export function nullLiteral(): Expression {
  return { kind: 'literal-expression', text: 'null' };
}

/** `key: value`; a key that is not an identifier is quoted, and `quoted` quotes it always. */
export function prop(key: string, value: Expression, options: { quoted?: boolean } = {}): ObjectMember {
  return { kind: 'assignment', key, value, quoted: options.quoted ?? false };
}

/** `...expression`. */
export function spread(expression: Expression): ObjectMember {
  return { kind: 'spread', expression };
}

/** `{ … }`: one member a line with trailing commas, or all on one line when `singleLine`. */
export function object(members: readonly ObjectMember[], options: { singleLine?: boolean } = {}): Expression {
  return { kind: 'object', members: [...members], singleLine: options.singleLine ?? false };
}

/**
 * `[a, b]` on one line when every item fits on one and the whole is at most
 * `maxInlineWidth` characters; otherwise one item a line with trailing commas.
 * The default, 0, always puts items on lines.
 */
export function arrayLiteral(
  items: readonly Expression[],
  options: { maxInlineWidth?: number } = {},
): Expression {
  return { kind: 'array', items: [...items], maxInlineWidth: options.maxInlineWidth ?? 0 };
}

/** `target.a.b`, with `['a-b']` for a segment that is not an identifier. */
export function access(target: Expression, ...path: readonly string[]): Expression {
  return { kind: 'access', target, path: [...path] };
}

/** `callee(a, b)`. */
export function call(callee: Expression, args: readonly Expression[] = []): Expression {
  return { kind: 'call', callee, args: [...args] };
}

/** `(a, b) => body` (an object-literal body is parenthesised by the printer). */
export function arrow(parameters: readonly string[], body: Expression): Expression {
  return { kind: 'arrow', parameters: [...parameters], body };
}

/** A template literal of text and `${expression}` parts; the text is escaped by the printer. */
export function template(parts: readonly (string | Expression)[]): Expression {
  return { kind: 'template', parts: [...parts] };
}

/** `expression as const`. */
export function asConst(expression: Expression): Expression {
  return { kind: 'as-const', expression };
}

/**
 * A JSON value as an expression, keys in the order given: objects one member a
 * line, arrays of scalars on one line when they fit in 80 columns, `undefined`
 * members left out, non-finite numbers as `null`.
 */
export function json(value: unknown): Expression {
  if (value === null) return nullLiteral();
  if (typeof value === 'boolean') return bool(value);
  if (typeof value === 'number') return num(value);
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) {
    const flat = value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    return arrayLiteral(value.map(json), { maxInlineWidth: flat ? 80 : 0 });
  }
  if (typeof value === 'object') {
    return object(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => prop(k, json(v))),
    );
  }
  return id('undefined');
}

// --- statements ----------------------------------------------------------------------------------

/** `import { a, b } from '…';`, names sorted and de-duplicated. */
export function importDeclaration(
  names: readonly string[],
  from: string,
  options: { typeOnly?: boolean } = {},
): Statement {
  return { kind: 'import', names: [...new Set(names)].sort(), from, typeOnly: options.typeOnly ?? false };
}

/** `export * from '…';`. */
export function exportAll(from: string): Statement {
  return { kind: 'export-all', from };
}

export interface ConstOptions {
  readonly type?: TypeNode;
  readonly doc?: string;
  /** Exported unless false. */
  readonly exported?: boolean;
}

/** `export const name: T = init;`. */
export function constDeclaration(name: string, init: Expression, options: ConstOptions = {}): Statement {
  const node: Statement = {
    kind: 'const',
    name,
    type: options.type,
    init,
    exported: options.exported !== false,
  };
  return withDoc(node, options.doc);
}

/** `export declare const name: T;` (in a declaration file). */
export function declareConst(name: string, type: TypeNode, options: { doc?: string } = {}): Statement {
  const node: Statement = { kind: 'const', name, type, exported: true };
  return withDoc(node, options.doc);
}

/** `export function name(a: A): R { return body; }`. */
export function functionDeclaration(
  name: string,
  parameters: readonly Parameter[],
  returns: TypeNode,
  body: Expression,
  options: { doc?: string } = {},
): Statement {
  const node: Statement = {
    kind: 'function',
    name,
    parameters: [...parameters],
    returns,
    body,
    exported: true,
  };
  return withDoc(node, options.doc);
}

/** True for the statements that stand together at the top of a module (imports and re-exports). */
export function isModuleStatement(statement: Statement): boolean {
  return statement.kind === 'import' || statement.kind === 'export-all';
}

// --- the printer ---------------------------------------------------------------------------------

const INDENT = '  ';
/** An import longer than this is written one name a line. */
const IMPORT_WIDTH = 110;

/** TypeScript source of one statement. */
export function printStatement(node: Statement): string {
  switch (node.kind) {
    case 'import': {
      const head = `import ${node.typeOnly ? 'type ' : ''}`;
      const oneLine = `${head}{ ${node.names.join(', ')} } from ${quote(node.from)};`;
      if (oneLine.length <= IMPORT_WIDTH) return oneLine;
      return `${head}{\n${node.names.map((n) => `${INDENT}${n},`).join('\n')}\n} from ${quote(node.from)};`;
    }
    case 'export-all':
      return `export * from ${quote(node.from)};`;
    case 'const': {
      const modifiers = `${node.exported ? 'export ' : ''}${node.init === undefined ? 'declare ' : ''}`;
      const type = node.type === undefined ? '' : `: ${printType(node.type, 0)}`;
      const init = node.init === undefined ? '' : ` = ${printExpression(node.init, 0)}`;
      return `${printDocs(node.docs, 0)}${modifiers}const ${node.name}${type}${init};`;
    }
    case 'function': {
      const parameters = node.parameters.map((p) => printParameter(p, 0)).join(', ');
      return `${printDocs(node.docs, 0)}${node.exported ? 'export ' : ''}function ${node.name}(${parameters}): ${printType(node.returns, 0)} {\n${INDENT}return ${printExpression(node.body, 1)};\n}`;
    }
    default:
      return print(node);
  }
}

/** An expression at indentation `level` (where its first line already stands). */
export function printExpression(node: Expression, level: number): string {
  switch (node.kind) {
    case 'string-expression':
      return quote(node.value);
    case 'identifier':
      return node.name;
    case 'literal-expression':
      return node.text;
    case 'object': {
      if (node.members.length === 0) return '{}';
      if (node.singleLine) return `{ ${node.members.map((m) => printObjectMember(m, level)).join(', ')} }`;
      const inner = INDENT.repeat(level + 1);
      const lines = node.members.map((m) => `\n${inner}${printObjectMember(m, level + 1)},`).join('');
      return `{${lines}\n${INDENT.repeat(level)}}`;
    }
    case 'array': {
      if (node.items.length === 0) return '[]';
      const inline = `[${node.items.map((i) => printExpression(i, level)).join(', ')}]`;
      if (inline.length <= node.maxInlineWidth && !inline.includes('\n')) return inline;
      const inner = INDENT.repeat(level + 1);
      const lines = node.items.map((i) => `\n${inner}${printExpression(i, level + 1)},`).join('');
      return `[${lines}\n${INDENT.repeat(level)}]`;
    }
    case 'access':
      return `${printOperand(node.target, level)}${node.path
        .map((segment) => (isIdentifier(segment) ? `.${segment}` : `[${quote(segment)}]`))
        .join('')}`;
    case 'call':
      return `${printOperand(node.callee, level)}(${node.args.map((a) => printExpression(a, level)).join(', ')})`;
    case 'arrow': {
      const body = printExpression(node.body, level);
      return `(${node.parameters.join(', ')}) => ${node.body.kind === 'object' ? `(${body})` : body}`;
    }
    case 'template':
      return `\`${node.parts
        .map((part) =>
          typeof part === 'string' ? escapeTemplateText(part) : `\${${printExpression(part, level)}}`,
        )
        .join('')}\``;
    case 'as-const':
      return `${printExpression(node.expression, level)} as const`;
  }
}

function printObjectMember(member: ObjectMember, level: number): string {
  if (member.kind === 'spread') return `...${printOperand(member.expression, level)}`;
  // `{ contexts }` for `{ contexts: contexts }`.
  if (!member.quoted && member.value.kind === 'identifier' && member.value.name === member.key)
    return member.key;
  const key = member.quoted || !isIdentifier(member.key) ? quote(member.key) : member.key;
  return `${key}: ${printExpression(member.value, level)}`;
}

/** The target of an access or call: parenthesised when it is an `as const` expression or an arrow. */
function printOperand(node: Expression, level: number): string {
  const text = printExpression(node, level);
  return node.kind === 'as-const' || node.kind === 'arrow' ? `(${text})` : text;
}

/** Text of a template literal: backslash, backtick and `${` escaped. */
function escapeTemplateText(text: string): string {
  return text.replace(/\\|`|\$\{/g, (m) => `\\${m}`);
}
