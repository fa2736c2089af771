/** What the diff refuses, and recursive schemas it must finish on quickly. */
import { describe, expect, it } from 'vitest';
import { isCompatible } from './compatibility.ts';
import { compareSchemas } from './schema-diff.ts';
import { InvalidSchemaError } from './schema-model.ts';

describe('inputs that are not schemas', () => {
  it.each([
    ['a $ref to nothing', { properties: { a: { $ref: '#/$defs/Missing' } } }],
    ['a $ref to another document', { properties: { a: { $ref: 'other.json#/X' } } }],
    [
      'a $ref cycle with no schema in it',
      { properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { $ref: '#/$defs/A' } } },
    ],
    ['an unknown type', { type: 'text' }],
    ['a number', 3],
  ])('%s', (_name, schema) => {
    expect(() => compareSchemas(schema, schema)).toThrow(InvalidSchemaError);
  });

  it('a JSON value that contains itself', () => {
    const node: Record<string, unknown> = { type: 'object' };
    node.properties = { self: node };
    expect(() => compareSchemas(node, node)).toThrow(InvalidSchemaError);
  });
});

describe('recursive schemas', () => {
  // After Confluent's SchemaDiffTest.recursiveOneOfTradeSchema: twelve definitions, each
  // with two properties that are a oneOf of $refs to all twelve.
  const TYPES = [
    'Asset',
    'Basket',
    'Swap',
    'Bond',
    'Option',
    'Future',
    'Forward',
    'Loan',
    'Repo',
    'Equity',
    'Index',
    'Leg',
  ];
  const union = () => ({ oneOf: TYPES.map((type) => ({ $ref: `#/definitions/${type}` })) });
  const trade = (assetIdType: string) => ({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    definitions: Object.fromEntries(
      TYPES.map((type) => [
        type,
        {
          type: 'object',
          properties: {
            id: { type: type === 'Asset' ? assetIdType : 'string' },
            underlying: union(),
            reference: union(),
          },
        },
      ]),
    ),
    properties: { tradeId: { type: 'string' }, product: union() },
  });

  it('a oneOf over twelve mutually recursive definitions compares quickly', () => {
    const started = performance.now();
    expect(compareSchemas(trade('string'), trade('string'))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a change deep in the recursion is still found', () => {
    expect(isCompatible(compareSchemas(trade('string'), trade('number')))).toBe(false);
  });
});
