/** Which application headers of a header schema need a codec, and which are required: one table. */
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../model/catalog.ts';
import { type ApplicationHeaderFacts, applicationHeaderFacts } from './header-codecs.ts';

const envelope = {
  type: 'object',
  required: ['ce_id', 'ce_type', 'traceparent'],
  properties: {
    ce_id: { type: 'string' },
    ce_type: { type: 'string' },
    ce_schemaversion: { type: 'string', pattern: '^[0-9]+$' },
    'content-type': { type: 'string' },
    traceparent: { type: 'string' },
    tracestate: { type: 'string' },
  },
  additionalProperties: { type: 'string' },
};

const none: ApplicationHeaderFacts = { names: [], fields: {}, required: [] };

const cases: [string, { given: JsonSchema | undefined; want: ApplicationHeaderFacts }][] = [
  ['no header schema', { given: undefined, want: none }],
  ['the envelope alone', { given: envelope, want: none }],
  ['a boolean schema', { given: true, want: none }],
  [
    'one header of each kind',
    {
      given: {
        type: 'object',
        required: ['retryCount', 'tenant'],
        properties: {
          retryCount: { type: 'integer' },
          ratio: { type: 'number' },
          urgent: { type: 'boolean' },
          meta: { type: 'object', properties: { a: { type: 'string' } } },
          tags: { type: 'array', items: { type: 'string' } },
          tenant: { type: 'string' },
          priority: { type: 'string', enum: ['low', 'high'] },
          anything: {},
          described: { description: 'no type' },
        },
      },
      want: {
        names: [
          'anything',
          'described',
          'meta',
          'priority',
          'ratio',
          'retryCount',
          'tags',
          'tenant',
          'urgent',
        ],
        fields: { meta: 'json', ratio: 'number', retryCount: 'integer', tags: 'json', urgent: 'boolean' },
        required: ['retryCount', 'tenant'],
      },
    },
  ],
  [
    'the envelope and application headers through allOf',
    {
      given: {
        allOf: [
          envelope,
          { type: 'object', required: ['retryCount'], properties: { retryCount: { type: 'integer' } } },
        ],
      },
      want: { names: ['retryCount'], fields: { retryCount: 'integer' }, required: ['retryCount'] },
    },
  ],
  [
    'types read from enum and const',
    {
      given: {
        type: 'object',
        properties: {
          level: { enum: [1, 2, 3] },
          scale: { enum: [0.5, 1] },
          on: { const: true },
          mode: { const: 'fast' },
          shape: { const: { a: 1 } },
        },
      },
      want: {
        names: ['level', 'mode', 'on', 'scale', 'shape'],
        fields: { level: 'integer', on: 'boolean', scale: 'number', shape: 'json' },
        required: [],
      },
    },
  ],
  [
    'unions: text when a string is among them, else JSON (number or integer: number)',
    {
      given: {
        type: 'object',
        properties: {
          id: { type: ['string', 'integer'] },
          count: { type: ['integer', 'null'] },
          size: { type: ['integer', 'number'] },
          either: { oneOf: [{ type: 'integer' }, { type: 'boolean' }] },
          code: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        },
      },
      want: {
        names: ['code', 'count', 'either', 'id', 'size'],
        fields: { count: 'json', either: 'json', size: 'number' },
        required: [],
      },
    },
  ],
  [
    'headers declared in alternatives: typed, never required',
    {
      given: {
        oneOf: [
          { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } },
          { type: 'object', required: ['b'], properties: { b: { type: 'boolean' } } },
        ],
      },
      want: { names: ['a', 'b'], fields: { a: 'integer', b: 'boolean' }, required: [] },
    },
  ],
  [
    'envelope names are never application headers, even typed',
    {
      given: {
        type: 'object',
        required: ['ce_custom'],
        properties: { ce_custom: { type: 'integer' }, 'content-type': { type: 'string' } },
      },
      want: none,
    },
  ],
  [
    'a recursive schema does not loop',
    {
      given: (() => {
        const node: Record<string, unknown> = { type: 'object', properties: {} };
        (node.properties as Record<string, unknown>).self = node;
        return { type: 'object', properties: { tree: node }, allOf: [] };
      })(),
      want: { names: ['tree'], fields: { tree: 'json' }, required: [] },
    },
  ],
];

describe('applicationHeaderFacts', () => {
  it.each(cases)('%s', (_name, { given, want }) => {
    expect(applicationHeaderFacts(given)).toEqual(want);
  });
});
