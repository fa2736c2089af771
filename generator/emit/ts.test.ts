import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import {
  array,
  booleanType,
  type Declaration,
  indexSignature,
  interfaceDeclaration,
  intersection,
  keyword,
  nullType,
  numberType,
  print,
  property,
  ref,
  stringType,
  type TypeNode,
  tuple,
  typeAlias,
  typeLiteral,
  union,
  unionAlias,
  valueType,
} from './ts.ts';

/** Syntax errors of a piece of TypeScript, as the compiler reports them. */
function syntaxErrors(code: string): string[] {
  const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { noEmit: true } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** The value a string literal type's source text denotes, read back by the compiler's own scanner. */
function readBack(literalSource: string): string {
  const file = ts.createSourceFile('x.ts', `type X = ${literalSource};`, ts.ScriptTarget.ESNext);
  const alias = file.statements[0] as ts.TypeAliasDeclaration;
  const literal = (alias.type as ts.LiteralTypeNode).literal as ts.StringLiteral;
  return literal.text;
}

const awkward = [
  'a\nb',
  'a\r\nb',
  'line\u2028sep',
  'para\u2029sep',
  'back`tick`$' + '{x}',
  "it's",
  'c:\\dir',
  '*/',
];

describe('type builders', () => {
  it.each<[string, { given: TypeNode; want: string }]>([
    ['string keyword', { given: keyword('string'), want: 'string' }],
    ['string literal', { given: stringType('card'), want: "'card'" }],
    ['string literal with a quote', { given: stringType("it's"), want: "'it\\'s'" }],
    ['string literal with a newline', { given: stringType('a\nb'), want: "'a\\nb'" }],
    [
      'string literal with line separators',
      { given: stringType('a\u2028b\u2029c'), want: "'a\\u2028b\\u2029c'" },
    ],
    ['string literal with non-ASCII text', { given: stringType('채팅'), want: "'채팅'" }],
    ['number literal', { given: numberType(42), want: '42' }],
    ['negative number literal', { given: numberType(-1.5), want: '-1.5' }],
    ['non-finite number', { given: numberType(Number.POSITIVE_INFINITY), want: 'number' }],
    ['boolean literal', { given: booleanType(false), want: 'false' }],
    ['null literal', { given: nullType(), want: 'null' }],
    ['union', { given: union([stringType('a'), stringType('b')]), want: "'a' | 'b'" }],
    ['union drops repeats', { given: union([keyword('string'), keyword('string')]), want: 'string' }],
    ['union of nothing', { given: union([]), want: 'never' }],
    [
      'union flattens unions',
      { given: union([union([stringType('a'), nullType()]), nullType()]), want: "'a' | null" },
    ],
    [
      'intersection parenthesizes unions',
      { given: intersection([ref('A'), union([ref('B'), ref('C')])]), want: 'A & (B | C)' },
    ],
    ['intersection of nothing', { given: intersection([]), want: 'unknown' }],
    ['array of a union', { given: array(union([keyword('string'), nullType()])), want: '(string | null)[]' }],
    ['tuple', { given: tuple([keyword('string'), keyword('number')]), want: '[string, number]' }],
    [
      'tuple with a rest',
      { given: tuple([keyword('string')], keyword('number')), want: '[string, ...number[]]' },
    ],
    ['generic reference', { given: ref('H', [stringType('A'), stringType('1')]), want: "H<'A', '1'>" }],
    [
      'const object',
      {
        given: valueType({ kind: 'card', 'x-y': [1, null] }),
        want: "{\n  kind: 'card';\n  'x-y': [1, null];\n}",
      },
    ],
    ['const array', { given: valueType(['a', true]), want: "['a', true]" }],
    [
      'one-line type literal',
      {
        given: typeLiteral([property('type', stringType('A'), { readonly: true })], { singleLine: true }),
        want: "{ readonly type: 'A'; }",
      },
    ],
    [
      'type literal with quoted names and an index signature',
      {
        given: typeLiteral([
          property('content-type', keyword('string'), { optional: true }),
          property('a\nb', keyword('number')),
          indexSignature(keyword('unknown')),
        ]),
        want: "{\n  'content-type'?: string;\n  'a\\nb': number;\n  [key: string]: unknown;\n}",
      },
    ],
  ])('%s', (_name, { given, want }) => {
    expect(print(given)).toBe(want);
  });

  it.each(awkward.map((s) => [JSON.stringify(s), s]))(
    'string literal %s reads back as itself',
    (_n, value) => {
      expect(readBack(print(stringType(value)))).toBe(value);
    },
  );
});

describe('declarations', () => {
  it.each<[string, { given: Declaration; want: string }]>([
    [
      'interface with doc comments',
      {
        given: interfaceDeclaration('A', [property('id', keyword('string'), { doc: 'The id.' })], {
          doc: 'An A.',
        }),
        want: '/** An A. */\nexport interface A {\n  /** The id. */\n  id: string;\n}',
      },
    ],
    [
      'multi-line doc',
      {
        given: typeAlias('B', keyword('string'), { doc: 'First.\n\n@format uuid' }),
        want: '/**\n * First.\n *\n * @format uuid\n */\nexport type B = string;',
      },
    ],
    [
      'doc that tries to close the comment and uses other line separators',
      {
        given: typeAlias('C', keyword('string'), { doc: 'a */ b\r\nc\u2028d' }),
        want: '/**\n * a *\\/ b\n * c\n * d\n */\nexport type C = string;',
      },
    ],
    [
      'generic interface',
      {
        given: interfaceDeclaration('H', [property('ce_type', ref('TType'))], {
          typeParameters: [{ name: 'TType', constraint: keyword('string'), default: keyword('string') }],
        }),
        want: 'export interface H<TType extends string = string> {\n  ce_type: TType;\n}',
      },
    ],
  ])('%s', (_name, { given, want }) => {
    expect(print(given)).toBe(want);
  });

  it.each(awkward.map((s) => [JSON.stringify(s), s]))(
    'an enum and a doc holding %s print parsable source',
    (_n, value) => {
      const code = print(
        interfaceDeclaration(
          'E',
          [property(value, union([stringType(value), stringType('x')]), { doc: value })],
          {
            doc: value,
          },
        ),
      );
      expect(syntaxErrors(code)).toEqual([]);
    },
  );

  it('lays a union alias out one member a line', () => {
    expect(
      print(
        unionAlias(
          'U',
          [typeLiteral([property('type', stringType('A'))], { singleLine: true }), ref('B')],
          'Doc.',
        ),
      ),
    ).toBe("/** Doc. */\nexport type U =\n  | { type: 'A'; }\n  | B;");
    expect(print(unionAlias('One', [ref('A')]))).toBe('export type One =\n  | A;');
    expect(print(unionAlias('None', []))).toBe('export type None = never;');
  });
});
