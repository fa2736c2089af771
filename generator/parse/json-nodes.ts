/** Small helpers over parsed YAML/JSON values, shared by the 2.x conversion modules. */
import { parsePointer } from '../diagnostics.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A Reference Object: `{ $ref: string }`. */
export function isRef(value: unknown): boolean {
  return isObject(value) && typeof value.$ref === 'string';
}

/** The node at `segments` below `node` (array indices as strings too), or undefined. */
export function walk(node: unknown, segments: readonly string[]): unknown {
  let current = node;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** The object a same-document `$ref` (`#/…`) points at in `root`, or undefined. */
export function localTarget(root: unknown, ref: string): Json | undefined {
  if (!ref.startsWith('#')) return undefined;
  const found = walk(root, parsePointer(ref));
  return isObject(found) ? found : undefined;
}
