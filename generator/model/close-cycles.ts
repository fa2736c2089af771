import type { SourceLocation } from '../parse/locate.ts';
import type { JsonSchema } from './catalog.ts';

type Locate = (segments: readonly (string | number)[]) => Promise<SourceLocation>;
type Node = Record<string, unknown>;

/**
 * The parser resolves every `$ref` except those that point back at a schema
 * they are inside of (recursive schemas): those stay `{ $ref }` objects. This
 * finds each such leftover, works out where it points (through the raw files)
 * and replaces it with the enclosing schema object itself, so the schema
 * becomes an honest cycle that the emitters name and validate. A leftover that
 * points anywhere else is returned as unresolved.
 */
export async function closeCycles(
  schema: JsonSchema | undefined,
  base: readonly (string | number)[],
  locate: Locate,
): Promise<{ unresolved: { segments: (string | number)[]; ref: string }[] }> {
  const unresolved: { segments: (string | number)[]; ref: string }[] = [];
  if (!schema || typeof schema !== 'object') return { unresolved };
  const ancestors: { node: Node; segments: (string | number)[]; at?: string }[] = [];
  const seen = new Set<object>();

  const visit = async (node: unknown, segments: (string | number)[]): Promise<unknown> => {
    if (!node || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = await visit(node[i], [...segments, i]);
      return node;
    }
    const obj = node as Node;
    if (typeof obj.$ref === 'string') {
      const target = key(await locate(segments));
      for (const a of ancestors) {
        a.at ??= key(await locate(a.segments));
        if (a.at === target) return a.node;
      }
      unresolved.push({ segments, ref: obj.$ref });
      return node;
    }
    if (seen.has(obj)) return node;
    seen.add(obj);
    ancestors.push({ node: obj, segments });
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === 'object') obj[k] = await visit(v, [...segments, k]);
    }
    ancestors.pop();
    return node;
  };
  await visit(schema, [...base]);
  return { unresolved };
}

function key(location: SourceLocation): string {
  return `${location.file}${location.pointer}`;
}
