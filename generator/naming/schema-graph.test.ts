import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../model/catalog.ts';
import { createSchemaPreparation, cycleTargets, schemaKey } from './schema-graph.ts';
import { categoryTree, jacksonAnimal, selfUnion } from './test-schemas.ts';

describe('prepareSchema', () => {
  const prepare = (s: JsonSchema) => createSchemaPreparation().prepare(s);

  it.each<[string, { given: () => JsonSchema; want: string }]>([
    ['a schema without cycles', { given: () => ({ type: 'string' }), want: '{"type":"string"}' }],
    [
      'honest recursion keeps its cycle',
      {
        given: categoryTree,
        want: '{"properties":{"children":{"items":{"$cycle":3},"type":"array"},"id":{"type":"integer"}},"required":["id"],"type":"object"}',
      },
    ],
    [
      'a self-referencing anyOf branch is dropped, the recursion through items stays',
      { given: selfUnion, want: '{"anyOf":[{"type":"string"},false,{"items":{"$cycle":3},"type":"array"}]}' },
    ],
    [
      'a subtype allOf-ing its union root gets the root without its branches',
      {
        given: jacksonAnimal,
        want: `{"oneOf":[{"allOf":[BASE,{"properties":{"bark":{"type":"boolean"}},"required":["bark"],"type":"object"}]},{"allOf":[BASE,{"properties":{"lives":{"type":"integer"}},"required":["lives"],"type":"object"}]}],${'"properties":{"kind":{"type":"string"},"name":{"type":"string"}},"required":["kind","name"],"type":"object"'}}`.replaceAll(
          'BASE',
          '{"properties":{"kind":{"type":"string"},"name":{"type":"string"}},"required":["kind","name"],"type":"object"}',
        ),
      },
    ],
  ])('%s', (_name, { given, want }) => {
    expect(schemaKey(prepare(given()))).toBe(want);
  });

  it('returns a schema without same-value cycles as the very same object', () => {
    const tree = categoryTree();
    expect(prepare(tree)).toBe(tree);
  });

  it('shares one copy of a schema reached twice', () => {
    const preparation = createSchemaPreparation();
    const animal = jacksonAnimal();
    expect(preparation.prepare(animal)).toBe(preparation.prepare(animal));
  });
});

describe('cycleTargets', () => {
  it.each<[string, { given: () => JsonSchema; want: number }]>([
    [
      'none in a plain schema',
      { given: () => ({ type: 'object', properties: { a: { type: 'string' } } }), want: 0 },
    ],
    ['the root of a tree', { given: categoryTree, want: 1 }],
  ])('%s', (_name, { given, want }) => {
    expect(cycleTargets(given()).size).toBe(want);
  });
});

describe('schemaKey', () => {
  it('is the same for copies, whatever the key order and parser ids', () => {
    const a = {
      type: 'object',
      'x-parser-schema-id': '<anonymous-schema-1>',
      properties: { b: { type: 'string' } },
    };
    const b = { properties: { b: { type: 'string' } }, type: 'object', 'x-parser-schema-id': 'Other' };
    expect(schemaKey(a)).toBe(schemaKey(b));
  });
  it('tells different schemas apart', () => {
    expect(schemaKey({ type: 'string' })).not.toBe(schemaKey({ type: 'number' }));
  });
});
