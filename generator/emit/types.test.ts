import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../model/catalog.ts';
import { assignNames } from '../naming/names.ts';
import { categoryTree, jacksonAnimal, selfUnion } from '../naming/test-schemas.ts';
import { catalogOf, type EventSpec, typeErrors } from './test-catalog.ts';
import { emitTypes } from './types.ts';

function typesOf(specs: readonly EventSpec[]) {
  const catalog = catalogOf(specs);
  const { names, diagnostics } = assignNames(catalog);
  return { text: emitTypes(catalog, names).content, diagnostics };
}

const awkward = [
  'two\nlines',
  'cr\rlf',
  'line\u2028sep',
  'para\u2029sep',
  'back`tick',
  'close */ comment',
  "quote's",
];

const envelope = (): JsonSchema => ({
  type: 'object',
  title: 'EnvelopeHeaders',
  description: 'The envelope.',
  required: ['ce_id', 'ce_type', 'ce_schemaversion'],
  properties: {
    ce_id: { type: 'string' },
    ce_type: { type: 'string', pattern: '^[A-Z]' },
    ce_schemaversion: { type: 'string' },
  },
});

describe('emitTypes', () => {
  it.each<[string, { given: EventSpec[]; want: string[]; use?: string }]>([
    [
      'a Jackson class hierarchy (root oneOf, subtypes allOf the root) is a named type that compiles',
      {
        given: [{ name: 'AnimalSeen', payload: jacksonAnimal() }],
        want: ['export type AnimalSeen = {', '} & (({', 'bark: boolean;', 'lives: number;'],
        use: `import type { AnimalSeen } from './types.ts';\nconst a: AnimalSeen = { kind: 'dog', name: 'Rex', bark: true };\nvoid a;`,
      },
    ],
    [
      'a root anyOf that refers to itself is a recursive union',
      {
        given: [{ name: 'Nested', payload: selfUnion() }],
        want: ['export type Nested = string | Nested[];'],
        use: `import type { Nested } from './types.ts';\nconst n: Nested = ['a', ['b']];\nvoid n;`,
      },
    ],
    [
      'honest recursion below the root is one named type',
      {
        given: [
          { name: 'CategoryChanged', payload: { type: 'object', properties: { category: categoryTree() } } },
        ],
        want: ['category?: CategoryChangedCategory;', 'children?: CategoryChangedCategory[];'],
      },
    ],
    [
      'a recursive root refers to itself by the event name',
      {
        given: [{ name: 'Tree', payload: categoryTree() }],
        want: ['export interface Tree {', 'children?: Tree[];'],
      },
    ],
    [
      'const objects and arrays are their literal types',
      {
        given: [
          {
            name: 'Consts',
            payload: {
              type: 'object',
              required: ['o', 'a'],
              properties: { o: { const: { kind: 'card', n: -1 } }, a: { const: ['x', null] } },
            },
          },
        ],
        want: ["o: {\n    kind: 'card';\n    n: -1;\n  };", "a: ['x', null];"],
      },
    ],
    [
      'enum values, property names and descriptions with line separators, backticks and comment ends',
      {
        given: [
          {
            name: 'Awkward',
            payload: {
              type: 'object',
              properties: Object.fromEntries(
                awkward.map((s) => [s, { type: 'string', enum: [s, 'plain'], description: s }]),
              ),
            },
          },
        ],
        want: ["'two\\nlines'?: 'two\\nlines' | 'plain';", "'line\\u2028sep'?:", '* close *\\/ comment'],
      },
    ],
    [
      'a component used by two events is one type',
      {
        given: ['A', 'B'].map((name) => ({
          name: `Moved${name}`,
          payload: {
            type: 'object',
            properties: {
              to: {
                'x-parser-schema-id': 'Address',
                type: 'object',
                required: ['city'],
                properties: { city: { type: 'string' } },
              },
            },
          },
        })),
        want: ['export interface Address {', 'to?: Address;'],
      },
    ],
    [
      'a Java class name is named by its last segment',
      {
        given: [
          {
            name: 'Shipped',
            payload: {
              type: 'object',
              properties: {
                to: {
                  title: 'com.example.Address',
                  type: 'object',
                  properties: { city: { type: 'string' } },
                },
              },
            },
          },
        ],
        want: ['export interface Address {'],
      },
    ],
    [
      'two different schemas named alike get distinct names',
      {
        given: [
          {
            name: 'One',
            payload: {
              type: 'object',
              properties: {
                a: {
                  'x-parser-schema-id': 'Address',
                  type: 'object',
                  properties: { city: { type: 'string' } },
                },
              },
            },
          },
          {
            name: 'Two',
            payload: {
              type: 'object',
              properties: {
                a: {
                  'x-parser-schema-id': 'Address',
                  type: 'object',
                  properties: { zip: { type: 'string' } },
                },
              },
            },
          },
        ],
        want: [
          'export interface Address {\n  city?: string;',
          'export interface Address2 {\n  zip?: string;',
        ],
      },
    ],
    [
      'the envelope shared by several events is one generic type',
      {
        given: ['A', 'B'].map((name) => ({
          name: `Done${name}`,
          payload: { type: 'object' },
          headers: envelope(),
        })),
        want: [
          'export interface EnvelopeHeaders<TType extends string = string, TVersion extends string = string> {',
          'ce_type: TType;',
          "export type DoneAHeaders = EnvelopeHeaders<'DoneA', '1'>;",
          "export type DoneBHeaders = EnvelopeHeaders<'DoneB', '1'>;",
        ],
        use: `import type { DoneAHeaders } from './types.ts';\n// @ts-expect-error another event's type\nconst h: DoneAHeaders = { ce_id: 'x', ce_type: 'DoneB', ce_schemaversion: '1' };\nvoid h;`,
      },
    ],
    [
      'dotted and other non-identifier event names get identifiers, the wire name stays',
      {
        given: [
          { name: 'com.example.OrderCreated', payload: { type: 'object' } },
          { name: 'order-shipped', payload: { type: 'object' } },
          { name: 'Order Cancelled', payload: { type: 'object' } },
        ],
        want: [
          'export interface OrderCreated {',
          'export interface OrderShipped {',
          'export interface OrderCancelled {',
          "export type EventType = 'com.example.OrderCreated' | 'Order Cancelled' | 'order-shipped';",
          "'com.example.OrderCreated': OrderCreated;",
        ],
      },
    ],
  ])(
    '%s',
    (_name, { given, want, use }) => {
      const { text } = typesOf(given);
      for (const w of want) expect(text).toContain(w);
      expect(typeErrors(text, use)).toEqual([]);
    },
    30_000,
  );

  it.each(awkward.map((s) => [JSON.stringify(s), s]))(
    'enum value %s is emitted as itself',
    (_n, value) => {
      const { text } = typesOf([
        { name: 'E', payload: { type: 'object', required: ['v'], properties: { v: { enum: [value] } } } },
      ]);
      const use = `import type { E } from './types.ts';\nconst e: E = { v: ${JSON.stringify(value)} };\nvoid e;`;
      expect(typeErrors(text, use)).toEqual([]);
    },
    30_000,
  );
});

describe('assignNames', () => {
  it.each<[string, { given: string[]; want: Record<string, string> }]>([
    [
      'a dotted name by its last segment',
      { given: ['com.example.OrderCreated'], want: { 'com.example.OrderCreated': 'OrderCreated' } },
    ],
    [
      'dotted names sharing a last segment in full',
      {
        given: ['com.a.OrderCreated', 'com.b.OrderCreated'],
        want: { 'com.a.OrderCreated': 'ComAOrderCreated', 'com.b.OrderCreated': 'ComBOrderCreated' },
      },
    ],
    ['kebab case', { given: ['order-created'], want: { 'order-created': 'OrderCreated' } }],
    ['spaces', { given: ['Order Created'], want: { 'Order Created': 'OrderCreated' } }],
    ['a leading digit', { given: ['3d-printed'], want: { '3d-printed': '_3dPrinted' } }],
    ['a name the SDK uses itself', { given: ['EventType'], want: { EventType: 'EventTypeEvent' } }],
    [
      'a runtime type name',
      { given: ['EventDefinition'], want: { EventDefinition: 'EventDefinitionEvent' } },
    ],
  ])('%s', (_name, { given, want }) => {
    const catalog = catalogOf(given.map((name) => ({ name, payload: { type: 'object' } })));
    const { names, diagnostics } = assignNames(catalog);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const [event, payload] of Object.entries(want)) expect(names.event(event).payload).toBe(payload);
  });

  it('says when it renames an event away from a name the SDK uses', () => {
    const { diagnostics } = assignNames(
      catalogOf([{ name: 'EventPayloadMap', payload: { type: 'object' } }]),
    );
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'duplicate-name',
        severity: 'warning',
        file: 'test.yaml',
        pointer: '#/components/messages/EventPayloadMap',
        message: expect.stringMatching(/named `EventPayloadMapEvent` instead/),
      }),
    ]);
  });

  it('warns when two different schemas want the same name', () => {
    const address = (field: string): JsonSchema => ({
      'x-parser-schema-id': 'Address',
      type: 'object',
      properties: { [field]: { type: 'string' } },
    });
    const { diagnostics } = assignNames(
      catalogOf([
        { name: 'One', payload: { type: 'object', properties: { a: address('city') } } },
        { name: 'Two', payload: { type: 'object', properties: { a: address('zip') } } },
      ]),
    );
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/`Address2`.*`Address` is already taken/),
    ]);
  });
});
