/**
 * The schema graph as emitters read it. The parser leaves recursive schemas
 * as real cycles (see model/close-cycles.ts); two kinds exist:
 *
 * - a cycle through a keyword that moves to a child value (`properties`,
 *   `items`, …) is honest recursion: a tree of categories. It stays a cycle;
 *   its target gets a named type and a validator definition.
 * - a cycle that comes back to a schema while still looking at the same value
 *   (only through `allOf`/`anyOf`/`oneOf`/`not`/`if`…) never consumes input:
 *   a validator following it recurses forever, and the type it spells is
 *   `type X = X`. Jackson and Springwolf emit exactly that for class
 *   hierarchies: `Animal: { properties, oneOf: [Dog, Cat] }` with
 *   `Dog: { allOf: [Animal, { bark }] }`.
 *
 * `prepareSchema` copies a schema with every same-value cycle broken:
 * - reached through `oneOf`/`anyOf`, the back-reference is a branch that can
 *   only ever match what the other branches match (`X = A | X` is `A`), so it
 *   becomes `false` (no branch);
 * - reached through `allOf` (or `not`, `if`, `then`, `else`, dependent
 *   schemas), the value is already being checked against the target, so the
 *   back-reference stands for the target's own constraints without its
 *   branches: Jackson's `Dog` is `Animal`'s properties and `bark`, which is
 *   what the class hierarchy means.
 * Schemas without such cycles come back as the same objects.
 */

import type { JsonSchema } from '../model/catalog.ts';
import { schemaKey } from '../model/schema-key.ts';

type Node = { readonly [keyword: string]: unknown };
type MutableNode = Record<string, unknown>;

/** Keywords whose schemas apply to a child of the value (a property, an item, a key). */
const DESCENDING_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const DESCENDING = new Set([
  'additionalProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
/** Keywords whose schemas apply to the same value. */
const UNIONS = new Set(['oneOf', 'anyOf']);
const SAME_VALUE_LISTS = new Set(['allOf', 'oneOf', 'anyOf']);
const SAME_VALUE = new Set(['not', 'if', 'then', 'else']);
const SAME_VALUE_MAPS = new Set(['dependentSchemas', 'dependencies']);

/** True for a schema keyword whose value holds subschemas (so a walk must visit it). */
export function holdsSchemas(keyword: string): boolean {
  return (
    DESCENDING_MAPS.has(keyword) ||
    DESCENDING.has(keyword) ||
    SAME_VALUE_LISTS.has(keyword) ||
    SAME_VALUE.has(keyword) ||
    SAME_VALUE_MAPS.has(keyword)
  );
}

export interface PreparedSchemas {
  /** The schema with every same-value cycle broken (the input itself when it had none). */
  prepare(schema: JsonSchema): JsonSchema;
}

/**
 * One preparation shared by every schema of a run: a schema object reached
 * from several events (the parser shares resolved `$ref` targets within a
 * document) comes back as one object, so emitters can name it once.
 */
export function createSchemaPreparation(): PreparedSchemas {
  const fresh = new Map<object, JsonSchema>();
  const bases = new Map<object, JsonSchema>();
  const computingBase = new Set<object>();
  /** Per schema object: does anything it reaches hold a same-value cycle (so it must be copied)? */
  const dirty = new Map<object, boolean>();

  /** The node applied to a value of its own: memoised, and a placeholder while in progress so honest cycles close. */
  const freshOf = (node: JsonSchema): JsonSchema => {
    if (typeof node !== 'object' || node === null) return node;
    const done = fresh.get(node);
    if (done !== undefined) return done;
    if (!dirty.has(node)) markDirty(node, dirty);
    if (dirty.get(node) !== true) {
      fresh.set(node, node);
      return node;
    }
    const copy: MutableNode = {};
    fresh.set(node, copy);
    fill(copy, node, []);
    return copy;
  };

  /** Copies `node`'s keywords into `out`: child schemas fresh, same-value schemas with `chain` extended. */
  const fill = (out: MutableNode, node: Node, chain: readonly object[], omit?: ReadonlySet<string>) => {
    const inner = [...chain, node];
    for (const [key, value] of Object.entries(node)) {
      if (omit?.has(key)) continue;
      if (DESCENDING_MAPS.has(key) && isObject(value)) {
        out[key] = mapValues(value, (v) => freshOf(v as JsonSchema));
      } else if (DESCENDING.has(key)) {
        out[key] = Array.isArray(value)
          ? value.map((v) => freshOf(v as JsonSchema))
          : freshOf(value as JsonSchema);
      } else if (SAME_VALUE_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map((v) => sameValue(v as JsonSchema, inner, UNIONS.has(key)));
      } else if (SAME_VALUE.has(key)) {
        out[key] = sameValue(value as JsonSchema, inner, false);
      } else if (SAME_VALUE_MAPS.has(key) && isObject(value)) {
        out[key] = mapValues(value, (v) => (Array.isArray(v) ? v : sameValue(v as JsonSchema, inner, false)));
      } else {
        out[key] = value;
      }
    }
  };

  /** A schema applied to the value `chain` is already looking at. */
  const sameValue = (node: JsonSchema, chain: readonly object[], inUnion: boolean): JsonSchema => {
    if (typeof node !== 'object' || node === null) return node;
    if (chain.includes(node)) return inUnion ? false : baseOf(node);
    if (!reaches(node, chain)) return freshOf(node);
    const copy: MutableNode = {};
    fill(copy, node, chain);
    return copy;
  };

  /** The target's own constraints without its branches (`oneOf`/`anyOf`), for a back-reference through `allOf`. */
  const baseOf = (node: Node): JsonSchema => {
    if (computingBase.has(node)) return true;
    const done = bases.get(node);
    if (done !== undefined) return done;
    computingBase.add(node);
    const copy: MutableNode = {};
    // The base is not the named schema itself: it takes no name and no doc of its own.
    fill(copy, node, [node], new Set(['oneOf', 'anyOf', 'x-parser-schema-id', 'title', 'description']));
    computingBase.delete(node);
    const base = isTrivial(copy) ? true : copy;
    bases.set(node, base);
    return base;
  };

  return { prepare: freshOf };
}

/** True when the node (or anything it applies to the same value) refers back to the node. */
function hasSameValueCycle(node: Node): boolean {
  return reaches(node, [node]);
}

/** True when walking same-value keywords from `node` comes back to any schema in `chain`. */
function reaches(node: Node, chain: readonly object[], seen = new Set<object>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  for (const child of sameValueChildren(node)) {
    if (chain.includes(child)) return true;
    if (reaches(child as Node, chain, seen)) return true;
  }
  return false;
}

/**
 * Records for every schema reachable from `root` whether it reaches a schema
 * with a same-value cycle (those must be copied; the rest are kept as they are).
 */
function markDirty(root: object, dirty: Map<object, boolean>): void {
  const nodes: object[] = [];
  const parents = new Map<object, object[]>();
  const seen = new Set<object>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const node = queue.pop()!;
    nodes.push(node);
    for (const child of allChildren(node as Node)) {
      const list = parents.get(child) ?? [];
      list.push(node);
      parents.set(child, list);
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  const pending = nodes.filter((n) => dirty.get(n) === true || hasSameValueCycle(n as Node));
  for (const n of nodes) if (!dirty.has(n)) dirty.set(n, false);
  while (pending.length > 0) {
    const node = pending.pop()!;
    dirty.set(node, true);
    for (const parent of parents.get(node) ?? []) {
      if (dirty.get(parent) !== true) {
        dirty.set(parent, true);
        pending.push(parent);
      }
    }
  }
}

function sameValueChildren(node: Node): object[] {
  const out: object[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (SAME_VALUE_LISTS.has(key) && Array.isArray(value)) out.push(...value.filter(isObject));
    else if (SAME_VALUE.has(key) && isObject(value)) out.push(value);
    else if (SAME_VALUE_MAPS.has(key) && isObject(value))
      out.push(...Object.values(value).filter((v) => isObject(v) && !Array.isArray(v)));
  }
  return out;
}

/** Every subschema directly under `node`. */
export function allChildren(node: Node): object[] {
  const out: object[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (!holdsSchemas(key)) continue;
    if (Array.isArray(value)) out.push(...value.filter(isObject));
    else if (DESCENDING_MAPS.has(key) || SAME_VALUE_MAPS.has(key)) {
      if (isObject(value)) out.push(...Object.values(value).filter((v) => isObject(v) && !Array.isArray(v)));
    } else if (isObject(value)) out.push(value);
  }
  return out;
}

/**
 * Schemas that a cycle comes back to: each needs a name (a named type, a
 * validator definition) because it cannot be written out inline.
 */
export function cycleTargets(schema: JsonSchema): Set<object> {
  const targets = new Set<object>();
  const done = new Set<object>();
  const walk = (node: object, stack: object[]) => {
    if (stack.includes(node)) {
      targets.add(node);
      return;
    }
    if (done.has(node)) return;
    stack.push(node);
    for (const child of allChildren(node as Node)) walk(child, stack);
    stack.pop();
    done.add(node);
  };
  if (isObject(schema)) walk(schema, []);
  return targets;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isTrivial(node: MutableNode): boolean {
  return Object.keys(node).every((k) => k.startsWith('x-') || k === 'discriminator' || k === '$comment');
}

function mapValues(value: object, fn: (v: unknown) => unknown): MutableNode {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fn(v)]));
}

export { schemaKey };
