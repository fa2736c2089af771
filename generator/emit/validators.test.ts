import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../model/catalog.ts';
import { assignNames } from '../naming/names.ts';
import { jacksonAnimal, selfUnion } from '../naming/test-schemas.ts';
import { catalogOf, type EventSpec } from './test-catalog.ts';
import { emitValidators } from './validators.ts';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

/** Emits the validators of some events, and loads the standalone module the way the SDK does. */
async function validatorsOf(specs: readonly EventSpec[]) {
  const catalog = catalogOf(specs);
  const { names } = assignNames(catalog);
  const { files, diagnostics } = emitValidators(catalog, names);
  const js = files.find((f) => f.path === 'validators.js');
  let module: Record<string, Validate> = {};
  if (js) {
    // Inside the worktree, so the module's `require`s of ajv's runtime resolve.
    const dir = path.resolve(import.meta.dirname, '../../.cache/validators-test');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `v${process.pid}-${counter++}.js`);
    writeFileSync(file, js.content);
    module = (await import(pathToFileURL(file).href)) as Record<string, Validate>;
  }
  return { files, diagnostics, module, names };
}
let counter = 0;

const object = (
  properties: Record<string, JsonSchema>,
  required: string[] = [],
): { [k: string]: unknown } => ({
  type: 'object',
  properties,
  required,
});

describe('emitValidators: recursive schemas', () => {
  it.each<[string, { given: () => JsonSchema; valid: unknown[]; invalid: unknown[] }]>([
    [
      'a Jackson class hierarchy',
      {
        given: jacksonAnimal,
        valid: [
          { kind: 'dog', name: 'Rex', bark: true },
          { kind: 'cat', name: 'Tom', lives: 9 },
        ],
        invalid: [
          { kind: 'dog', bark: true },
          { kind: 'dog', name: 'Rex' },
          { kind: 'dog', name: 'Rex', bark: 'loud' },
          'Rex',
        ],
      },
    ],
    [
      'a root anyOf that refers to itself',
      { given: selfUnion, valid: ['a', ['a', ['b']], []], invalid: [1, ['a', 2], { a: 'b' }] },
    ],
  ])(
    '%s: valid data passes, invalid data fails, nothing overflows',
    async (_name, { given, valid, invalid }) => {
      const { module, diagnostics } = await validatorsOf([{ name: 'Seen', payload: given() }]);
      expect(diagnostics).toEqual([]);
      const validate = module.validateSeenPayload!;
      for (const v of valid) expect(validate(v), JSON.stringify(v)).toBe(true);
      for (const v of invalid) expect(validate(v), JSON.stringify(v)).toBe(false);
    },
  );
});

describe('emitValidators: legal documents compile', () => {
  it.each<[string, { given: JsonSchema; warnings: RegExp[]; valid: unknown; invalid?: unknown }]>([
    [
      'an unknown keyword (Springwolf javaType)',
      {
        given: {
          ...object({ id: { type: 'string' } }, ['id']),
          javaType: 'com.example.Thing',
          exampleSetFlag: false,
        },
        warnings: [/keyword "javaType" is not JSON Schema/, /keyword "exampleSetFlag" is not JSON Schema/],
        valid: { id: 'a' },
        invalid: {},
      },
    ],
    [
      'an unknown format',
      {
        given: object({ amount: { type: 'string', format: 'decimal' } }, ['amount']),
        warnings: [/format "decimal" is not one ajv knows/],
        valid: { amount: '1.50' },
        invalid: { amount: 1 },
      },
    ],
    [
      'a tuple without minItems',
      {
        given: object({ pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] } }),
        warnings: [],
        valid: { pair: ['a', 1] },
        invalid: { pair: [1, 'a'] },
      },
    ],
  ])('%s', async (_name, { given, warnings, valid, invalid }) => {
    const { module, diagnostics } = await validatorsOf([{ name: 'Odd', payload: given }]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(diagnostics.map((d) => d.message)).toEqual(warnings.map((w) => expect.stringMatching(w)));
    for (const d of diagnostics) {
      expect(d).toMatchObject({ code: 'unsupported', severity: 'warning', file: 'test.yaml' });
      expect(d.pointer).toMatch(/^#\/components\/messages\/Odd\/payload\//);
    }
    expect(module.validateOddPayload!(valid)).toBe(true);
    if (invalid !== undefined) expect(module.validateOddPayload!(invalid)).toBe(false);
  });

  it('names the keyword and its place', async () => {
    const { diagnostics } = await validatorsOf([
      { name: 'Odd', payload: object({ amount: { type: 'string', format: 'decimal' } }) },
    ]);
    expect(diagnostics[0]?.pointer).toBe('#/components/messages/Odd/payload/properties/amount/format');
  });

  it.each<[string, { given: JsonSchema; want: RegExp }]>([
    [
      'an invalid pattern',
      { given: object({ a: { type: 'string', pattern: '([a-z' } }), want: /regular expression/i },
    ],
    [
      'a $ref ajv cannot resolve',
      { given: object({ a: { $ref: '#/definitions/Missing' } }), want: /resolve/i },
    ],
  ])('%s stays an error naming the place', async (_name, { given, want }) => {
    const { diagnostics, files } = await validatorsOf([{ name: 'Bad', payload: given }]);
    expect(files).toEqual([]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'unsupported',
        severity: 'error',
        file: 'test.yaml',
        pointer: '#/components/messages/Bad/payload',
        message: expect.stringMatching(want),
      }),
    ]);
  });
});

describe('emitValidators: each distinct schema compiles once', () => {
  const envelope = (): JsonSchema => ({
    type: 'object',
    title: 'EnvelopeHeaders',
    required: ['ce_id', 'ce_type'],
    properties: { ce_id: { type: 'string' }, ce_type: { type: 'string' } },
  });

  it('shares one envelope validator and one validator per identical payload', async () => {
    const payload = () => object({ id: { type: 'string' } }, ['id']);
    const { files, module } = await validatorsOf(
      ['A', 'B', 'C'].map((n) => ({ name: `Done${n}`, payload: payload(), headers: envelope() })),
    );
    const js = files.find((f) => f.path === 'validators.js')!.content;
    expect(js).toContain('export const validateDoneAHeaders = validateEnvelopeHeaders;');
    expect(js).toContain('export const validateDoneBPayload = validateDoneAPayload;');
    expect(js.match(/^function validate\d+/gm)).toHaveLength(2);
    expect(module.validateDoneCHeaders).toBe(module.validateEnvelopeHeaders);
    expect(module.validateEnvelopeHeaders!({ ce_id: 'x', ce_type: 'DoneB' })).toBe(true);
    expect(module.validateEnvelopeHeaders!({ ce_type: 'DoneB' })).toBe(false);
    const dts = files.find((f) => f.path === 'validators.d.ts')!.content;
    expect(dts).toContain('export declare const validateEnvelopeHeaders: ValidateFunction<EnvelopeHeaders>;');
    expect(dts).toContain('export declare const validateDoneAHeaders: ValidateFunction<DoneAHeaders>;');
  });

  it('still refuses an example whose headers name another event or version', async () => {
    const headers = { ce_id: 'x', ce_type: 'DoneB', ce_schemaversion: '2' };
    const { diagnostics } = await validatorsOf([
      {
        name: 'DoneA',
        payload: object({}),
        headers: envelope(),
        examples: [{ name: 'wrong', payload: {}, headers }],
      },
      { name: 'DoneB', payload: object({}), headers: envelope() },
    ]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'invalid-example',
        severity: 'error',
        pointer: '#/components/messages/DoneA/examples/0/headers',
        message: expect.stringMatching(
          /\/ce_type must be "DoneA" for this event; \/ce_schemaversion must be "1"/,
        ),
      }),
    ]);
  });
});
