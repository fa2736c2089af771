import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { json, object, printExpression, prop, str } from './ts-code.ts';

const q = (value: string) => printExpression(str(value), 0);
const propertyKey = (name: string) =>
  printExpression(object([prop(name, str(''))], { singleLine: true }), 0).slice(2, -6);
const literal = (value: unknown) => printExpression(json(value), 0);

/** The value a JavaScript expression's source denotes, read back by the compiler's parser (no evaluation). */
function readBack(source: string): unknown {
  const file = ts.createSourceFile('x.ts', `(${source});`, ts.ScriptTarget.ESNext);
  const value = (node: ts.Expression): unknown => {
    if (ts.isParenthesizedExpression(node)) return value(node.expression);
    if (ts.isStringLiteral(node)) return node.text;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken)
      return -Number(value(node.operand));
    if (node.kind === ts.SyntaxKind.NullKeyword) return null;
    if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => value(e));
    if (ts.isObjectLiteralExpression(node)) {
      return Object.fromEntries(
        node.properties.map((p) => {
          const a = p as ts.PropertyAssignment;
          const key = ts.isStringLiteral(a.name) ? a.name.text : (a.name as ts.Identifier).text;
          return [key, value(a.initializer)];
        }),
      );
    }
    throw new Error(`unexpected ${ts.SyntaxKind[node.kind]}`);
  };
  return value((file.statements[0] as ts.ExpressionStatement).expression);
}

const awkward = ['a\nb', 'a\r\nb', 'x\u2028y\u2029z', "it's", 'c:\\dir\\', 'back`tick', '채팅'];

describe('string literals', () => {
  it.each<[string, { given: string; want: string }]>([
    ['plain', { given: 'user.events', want: "'user.events'" }],
    ['a quote', { given: "it's", want: "'it\\'s'" }],
    ['a newline', { given: 'a\nb', want: "'a\\nb'" }],
    ['a carriage return', { given: 'a\rb', want: "'a\\rb'" }],
    ['line and paragraph separators', { given: '\u2028\u2029', want: "'\\u2028\\u2029'" }],
    ['non-ASCII text stays readable', { given: '알림', want: "'알림'" }],
  ])('%s', (_name, { given, want }) => {
    expect(q(given)).toBe(want);
  });

  it.each(awkward.map((s) => [JSON.stringify(s), s]))('%s reads back as itself', (_n, value) => {
    expect(readBack(q(value))).toBe(value);
  });
});

describe('property keys', () => {
  it.each([
    ['UserRegistered', 'UserRegistered'],
    ['com.example.OrderCreated', "'com.example.OrderCreated'"],
    ['order-created', "'order-created'"],
    ['a\nb', "'a\\nb'"],
  ])('%s → %s', (given, want) => {
    expect(propertyKey(given)).toBe(want);
  });
});

describe('JSON values', () => {
  it.each<[string, { given: unknown }]>([
    ['an object with awkward keys and values', { given: Object.fromEntries(awkward.map((s) => [s, s])) }],
    ['an array of awkward strings', { given: awkward }],
    ['nested values', { given: { a: [1, -2.5, null, true], 'b-c': { d: 'e\nf' } } }],
  ])('%s reads back as itself', (_name, { given }) => {
    expect(readBack(literal(given))).toEqual(given);
  });
});
