/**
 * The generator prints TypeScript without loading a compiler (./ts.ts) and
 * lays files out without a formatter pass (./render.ts). These tests hold both
 * to the TypeScript compiler that ts-morph bundles: the same nodes built with
 * `ts.factory`, printed by its printer and formatted by its formatter, give the
 * same text; and every committed generated file is already what the formatter
 * would make of it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IndentationText, NewLineKind, Project, QuoteKind, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { renderTs } from './render.ts';
import {
  array,
  booleanType,
  type Declaration,
  indexedAccess,
  indexSignature,
  interfaceDeclaration,
  intersection,
  keyword,
  type Member,
  mapped,
  methodSignature,
  nullType,
  numberType,
  parameter,
  print,
  property,
  readonlyArray,
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
import {
  access,
  arrayLiteral,
  arrow,
  asConst,
  bool,
  call,
  constDeclaration,
  declareConst,
  exportAll,
  functionDeclaration,
  id,
  importDeclaration,
  json,
  nullLiteral,
  num,
  object,
  prop,
  type Statement,
  spread,
  str,
  template,
} from './ts-code.ts';

const f = ts.factory;
const project = new Project({
  useInMemoryFileSystem: true,
  skipLoadingLibFiles: true,
  manipulationSettings: {
    indentationText: IndentationText.TwoSpaces,
    quoteKind: QuoteKind.Single,
    newLineKind: NewLineKind.LineFeed,
    useTrailingCommas: true,
  },
});
const printer = ts.createPrinter({
  newLine: ts.NewLineKind.LineFeed,
  neverAsciiEscape: true,
} as ts.PrinterOptions);
const scratch = ts.createSourceFile('emit.ts', '', ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);

/** What the generator printed before ./ts.ts had its own printer: the compiler's printer, then its formatter. */
function formatWithTypeScript(text: string): string {
  const file = project.createSourceFile('/oracle.ts', text, { overwrite: true });
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
  return file.getFullText();
}

function oracle(node: TypeNode | Declaration): string {
  if (node.kind === 'interface' || node.kind === 'type-alias') {
    return formatWithTypeScript(printer.printNode(ts.EmitHint.Unspecified, toTs(node), scratch)).trimEnd();
  }
  const text = printer.printNode(ts.EmitHint.Unspecified, typeToTs(node), scratch);
  return formatWithTypeScript(`type X = ${text};`)
    .trimEnd()
    .replace(/^type X = /, '')
    .replace(/;$/, '');
}

const KEYWORDS: Record<string, ts.KeywordTypeSyntaxKind> = {
  string: ts.SyntaxKind.StringKeyword,
  number: ts.SyntaxKind.NumberKeyword,
  boolean: ts.SyntaxKind.BooleanKeyword,
  unknown: ts.SyntaxKind.UnknownKeyword,
  never: ts.SyntaxKind.NeverKeyword,
  undefined: ts.SyntaxKind.UndefinedKeyword,
  object: ts.SyntaxKind.ObjectKeyword,
};

function literalToTs(text: string): ts.TypeNode {
  if (text === 'null') return f.createLiteralTypeNode(f.createNull());
  if (text === 'true' || text === 'false')
    return f.createLiteralTypeNode(text === 'true' ? f.createTrue() : f.createFalse());
  if (text.startsWith("'")) {
    const parsed = ts.createSourceFile('x.ts', `type X = ${text};`, ts.ScriptTarget.ESNext);
    const value = ((parsed.statements[0] as ts.TypeAliasDeclaration).type as ts.LiteralTypeNode)
      .literal as ts.StringLiteral;
    return f.createLiteralTypeNode(f.createStringLiteral(value.text, true));
  }
  const negative = text.startsWith('-');
  const n = f.createNumericLiteral(negative ? text.slice(1) : text);
  return f.createLiteralTypeNode(negative ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, n) : n);
}

function typeToTs(node: TypeNode): ts.TypeNode {
  switch (node.kind) {
    case 'keyword':
      return f.createKeywordTypeNode(KEYWORDS[node.name]!);
    case 'literal':
      return literalToTs(node.text);
    case 'union':
      return f.createUnionTypeNode(node.types.map(typeToTs));
    case 'intersection':
      return f.createIntersectionTypeNode(node.types.map(typeToTs));
    case 'array':
      return f.createArrayTypeNode(typeToTs(node.item));
    case 'tuple': {
      const rest = node.rest ? [f.createRestTypeNode(f.createArrayTypeNode(typeToTs(node.rest)))] : [];
      return ts.setEmitFlags(
        f.createTupleTypeNode([...node.items.map(typeToTs), ...rest]),
        ts.EmitFlags.SingleLine,
      );
    }
    case 'reference':
      return f.createTypeReferenceNode(node.name, node.args.length ? node.args.map(typeToTs) : undefined);
    case 'type-literal': {
      const literal = f.createTypeLiteralNode(node.members.map(memberToTs));
      return node.singleLine ? ts.setEmitFlags(literal, ts.EmitFlags.SingleLine) : literal;
    }
    case 'readonly-array':
      return f.createTypeOperatorNode(
        ts.SyntaxKind.ReadonlyKeyword,
        f.createArrayTypeNode(typeToTs(node.item)),
      );
    case 'indexed-access':
      return f.createIndexedAccessTypeNode(typeToTs(node.object), typeToTs(node.index));
    case 'mapped':
      return ts.setEmitFlags(
        f.createMappedTypeNode(
          node.readonly ? f.createToken(ts.SyntaxKind.ReadonlyKeyword) : undefined,
          f.createTypeParameterDeclaration(undefined, node.parameter, typeToTs(node.keys)),
          undefined,
          undefined,
          typeToTs(node.type),
          undefined,
        ),
        ts.EmitFlags.SingleLine,
      );
  }
}

function withDocs<T extends ts.Node>(target: T, docs: readonly string[] | undefined): T {
  for (const doc of docs ?? [])
    ts.addSyntheticLeadingComment(target, ts.SyntaxKind.MultiLineCommentTrivia, doc, true);
  return target;
}

function memberToTs(node: Member): ts.TypeElement {
  if (node.kind === 'index-signature') {
    const key = f.createParameterDeclaration(
      undefined,
      undefined,
      'key',
      undefined,
      f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword),
    );
    return withDocs(f.createIndexSignature(undefined, [key], typeToTs(node.value)), node.docs);
  }
  if (node.kind === 'method') {
    const parameters = node.parameters.map((p) =>
      f.createParameterDeclaration(
        undefined,
        undefined,
        p.name,
        p.optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined,
        typeToTs(p.type),
      ),
    );
    return withDocs(
      f.createMethodSignature(undefined, node.name, undefined, undefined, parameters, typeToTs(node.returns)),
      node.docs,
    );
  }
  const name = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u.test(node.name)
    ? f.createIdentifier(node.name)
    : f.createStringLiteral(node.name, true);
  const signature = f.createPropertySignature(
    node.readonly ? [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)] : undefined,
    name,
    node.optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined,
    typeToTs(node.type),
  );
  return withDocs(signature, node.docs);
}

function toTs(node: Declaration): ts.Statement {
  const modifiers = node.exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;
  const params = node.typeParameters.length
    ? node.typeParameters.map((p) =>
        f.createTypeParameterDeclaration(
          undefined,
          p.name,
          p.constraint && typeToTs(p.constraint),
          p.default && typeToTs(p.default),
        ),
      )
    : undefined;
  const statement =
    node.kind === 'interface'
      ? f.createInterfaceDeclaration(modifiers, node.name, params, undefined, node.members.map(memberToTs))
      : f.createTypeAliasDeclaration(modifiers, node.name, params, typeToTs(node.type));
  return withDocs(statement, node.docs);
}

const awkward = [
  'a\nb',
  'a\r\nb',
  '\u2028\u2029\u0085',
  "it's",
  'c:\\dir\\',
  'back`tick$' + '{x}',
  '채팅',
  '\0',
  '\x001',
  '\x07\x1b\t\v\f\b',
  '*/',
];
const nested = typeLiteral([
  property('id', keyword('string'), { doc: 'The id.\n\nSecond paragraph.' }),
  property('tags', array(union([stringType('a'), typeLiteral([property('x', numberType(-1))])])), {
    optional: true,
  }),
  property('pair', tuple([keyword('string'), valueType({ deep: [1, { deeper: null }] })], keyword('number'))),
  property('a-b', intersection([ref('A'), union([ref('B'), ref('C')])]), { readonly: true }),
  indexSignature(keyword('unknown')),
]);

describe('the printer agrees with the TypeScript printer and formatter', () => {
  it.each<[string, TypeNode | Declaration]>([
    [
      'keywords',
      union(
        (['string', 'number', 'boolean', 'unknown', 'never', 'undefined', 'object'] as const).map(keyword),
      ),
    ],
    ...awkward.map((s): [string, TypeNode] => [`string literal ${JSON.stringify(s)}`, stringType(s)]),
    [
      'numbers',
      union([numberType(0), numberType(-0), numberType(1.5e300), numberType(-42), numberType(1e-7)]),
    ],
    ['booleans and null', union([booleanType(true), booleanType(false), nullType()])],
    ['intersection inside a union', union([intersection([ref('A'), ref('B')]), ref('C')])],
    ['union inside an intersection', intersection([union([ref('A'), ref('B')]), ref('C')])],
    ['array of an intersection', array(intersection([ref('A'), ref('B')]))],
    ['array of an array', array(array(keyword('string')))],
    ['empty tuple', tuple([])],
    ['generic reference', ref('Map', [keyword('string'), array(ref('T'))])],
    ['empty type literal', typeLiteral([])],
    [
      'one-line type literal',
      typeLiteral([property('type', stringType('A'), { readonly: true }), property('n', keyword('number'))], {
        singleLine: true,
      }),
    ],
    ['nested type literals', nested],
    ['array of a multi-line type literal', array(union([nested, nullType()]))],
    ['awkward property names', typeLiteral(awkward.map((s) => property(s, stringType(s), { doc: s })))],
    ['empty interface', interfaceDeclaration('Empty', [])],
    [
      'generic interface with docs',
      interfaceDeclaration(
        'H',
        [property('ce_type', ref('TType'), { doc: 'one line' }), property('nested', nested)],
        {
          doc: 'Header.\n\n@see x',
          typeParameters: [
            { name: 'TType', constraint: keyword('string'), default: keyword('string') },
            { name: 'TVersion', constraint: union([stringType('1'), stringType('2')]) },
          ],
        },
      ),
    ],
    ['type alias over a type literal', typeAlias('T', union([nested, keyword('number')]), { doc: 'T.' })],
    ['unexported alias', typeAlias('U', keyword('string'), { exported: false })],
    [
      'mapped type over a readonly array of an indexed access',
      mapped('K', ref('EventType'), readonlyArray(ref('Example', [indexedAccess(ref('Map'), ref('K'))]))),
    ],
    ['readonly array of a union', readonlyArray(union([ref('A'), ref('B')]))],
    [
      'interface with method signatures',
      interfaceDeclaration('Publisher', [
        methodSignature(
          'publish',
          [parameter('event', ref('E')), parameter('options', ref('O'), { optional: true })],
          ref('Promise', [array(ref('R'))]),
          { doc: 'Publishes.\n\n@throws E when it must.' },
        ),
      ]),
    ],
  ])('%s', (_name, node) => {
    expect(print(node)).toBe(oracle(node));
  });
});

/** Every generated TypeScript file committed in the repository (the SDK and the golden fixtures). */
function committedGeneratedFiles(): string[] {
  const root = path.resolve(import.meta.dirname, '../..');
  const dirs = ['generated', 'test/fixtures/features/expected', 'test/fixtures/lenient/expected'];
  return dirs.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name))),
  );
}

describe('generated files need no formatter', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  it.each(committedGeneratedFiles())('%s is as the TypeScript formatter lays it out', (file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    expect(formatWithTypeScript(text)).toBe(text);
  });
});

/** Code the printer lays out itself (object literals, imports, functions, one-member-a-line unions and parameters). */
const statements: [string, Statement][] = [
  ['imports, short and wrapped', importDeclaration(['b', 'a', 'a'], './x.ts', { typeOnly: true })],
  [
    'a long import',
    importDeclaration(
      awkward.map((_, i) => `aRatherLongImportedName${i}`),
      '../runtime/x.ts',
    ),
  ],
  ['a re-export', exportAll('./types.ts')],
  [
    'a definition with every kind of expression',
    constDeclaration(
      'thingEvent',
      object([
        prop('type', str("it's\na\u2028b")),
        prop('count', num(-1.5)),
        prop('nothing', num(Number.NaN)),
        prop('flag', bool(true)),
        prop('key', arrow(['payload'], call(id('String'), [access(id('payload'), 'a', 'b-c', '채팅')]))),
        prop(
          'topicFor',
          arrow(['payload'], template(['tenant.', access(id('payload'), 'id'), '.`$' + '{x}\\'])),
        ),
        prop(
          'nested',
          object([prop('a-b', nullLiteral()), spread(access(id('base'), 'spec'))], { singleLine: true }),
        ),
        prop('make', arrow([], object([prop('x', num(1))]))),
        prop('list', arrayLiteral([str('a'), str('b')], { maxInlineWidth: 80 })),
        prop('lines', arrayLiteral([object([prop('x', json({ deep: [1, 2], awkward }))])])),
        prop('call on a constant', call(access(asConst(arrayLiteral([id('x')])), 'map'), [id('f')])),
        prop('quoted', id('v'), { quoted: true }),
        prop('same', id('same')),
      ]),
      { type: ref('EventDefinition', [stringType('Thing')]), doc: 'A definition.\n\nTwo paragraphs.' },
    ),
  ],
  ['a const as const, unexported', constDeclaration('t', asConst(json([{ a: 1 }])), { exported: false })],
  ['a declared const', declareConst('validate', ref('ValidateFunction', [ref('T')]), { doc: 'Checks T.' })],
  [
    'a one-line factory',
    functionDeclaration(
      'startGroup',
      [parameter('runtime', ref('Factory')), parameter('options', ref('Options'), { optional: true })],
      ref('Running'),
      call(access(id('runtime'), 'create'), [id('definition'), id('options')]),
      { doc: 'Starts it.' },
    ),
  ],
  [
    'a union alias one member a line',
    unionAlias(
      'Input',
      [typeLiteral([property('type', stringType('A'), { readonly: true })], { singleLine: true }), ref('B')],
      'Input.',
    ),
  ],
  [
    'method parameters one a line',
    interfaceDeclaration('Outbox', [
      methodSignature(
        'write',
        [parameter('db', ref('ClientBase')), parameter('event', ref('WithHeaders', [ref('U'), ref('H')]))],
        ref('Promise', [ref('Receipt')]),
        { parametersOnLines: true, doc: 'Writes.' },
      ),
    ]),
  ],
];

describe('printed code needs no formatter', () => {
  it.each(statements)('%s', (_name, statement) => {
    const { content } = renderTs('x.ts', [statement], 'Summary.');
    expect(syntaxErrorsOf(content)).toEqual([]);
    expect(formatWithTypeScript(content)).toBe(content);
  });

  it('keeps imports together and puts a blank line between other statements', () => {
    const { content } = renderTs(
      'x.ts',
      [
        importDeclaration(['a'], './a.ts'),
        exportAll('./b.ts'),
        constDeclaration('c', num(1)),
        constDeclaration('d', num(2)),
      ],
      'Summary.',
    );
    expect(content).toBe(
      "// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.\n// Summary.\n\nimport { a } from './a.ts';\nexport * from './b.ts';\n\nexport const c = 1;\n\nexport const d = 2;\n",
    );
  });
});

function syntaxErrorsOf(code: string): string[] {
  const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { noEmit: true } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
