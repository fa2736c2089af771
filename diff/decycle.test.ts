import { describe, expect, it } from 'vitest';
import { decycle } from './decycle.ts';

describe('decycle', () => {
  it('leaves a schema without cycles as it is, but for the parser annotations', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', 'x-parser-schema-id': 'a' } } };
    expect(decycle(schema)).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('writes a cycle back to the root as $ref #', () => {
    const node: Record<string, unknown> = { type: 'object', properties: {} };
    (node.properties as Record<string, unknown>).child = node;
    expect(decycle(node)).toEqual({ type: 'object', properties: { child: { $ref: '#' } } });
  });

  it('writes an inner cycle once under $defs and refers to it from each place', () => {
    const tree: Record<string, unknown> = { type: 'object', properties: {} };
    (tree.properties as Record<string, unknown>).children = { type: 'array', items: tree };
    const root = { type: 'object', properties: { left: tree, right: tree } };
    expect(decycle(root)).toEqual({
      type: 'object',
      properties: { left: { $ref: '#/$defs/__cycle1' }, right: { $ref: '#/$defs/__cycle1' } },
      $defs: {
        __cycle1: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/__cycle1' } } },
        },
      },
    });
  });
});
