/**
 * `allOf`/`anyOf`/`oneOf` against each other, after Confluent's `CombinedSchemaDiff`:
 * the keyword change, the branch count (sum types may grow, product types may shrink),
 * then a pairing of original with update branches in which each pair is compatible;
 * if no pairing covers the smaller side, COMBINED_TYPE_SUBSCHEMAS_CHANGED.
 */
import { maximumMatching } from './bipartite-matching.ts';
import type { DiffContext } from './diff-context.ts';
import type { Difference } from './differences.ts';
import { canonicalJson } from './json-value.ts';
import type { CombinedNode, SchemaNode } from './schema-model.ts';

/** Compares two combined schemas. */
export function compareCombined(ctx: DiffContext, original: CombinedNode, update: CombinedNode): void {
  if (!compareCriteria(ctx, original, update)) return;
  // Branches written twice count once.
  const before = distinct(original.subschemas);
  const after = distinct(update.subschemas);
  if (before.length < after.length)
    ctx.add(update.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (before.length > after.length)
    ctx.add(original.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');

  const found = new Map<string, readonly Difference[]>();
  const edges = before.map((originalBranch, i) => {
    const compatible: number[] = [];
    ctx.within(`${original.criterion}/${i}`, () => {
      after.forEach((updateBranch, j) => {
        const inner = ctx.sub();
        inner.compare(originalBranch, updateBranch);
        if (inner.isCompatible()) {
          compatible.push(j);
          found.set(`${i}:${j}`, inner.differences());
        }
      });
    });
    return compatible;
  });
  const matching = maximumMatching(edges, after.length);
  let matched = 0;
  matching.forEach((j, i) => {
    if (j === -1) return;
    matched++;
    ctx.addAll(found.get(`${i}:${j}`) ?? []);
  });
  if (matched < Math.min(before.length, after.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

/** Records a change of keyword; false when it is COMBINED_TYPE_CHANGED and the branches need no pairing. */
function compareCriteria(ctx: DiffContext, original: CombinedNode, update: CombinedNode): boolean {
  const from = original.criterion;
  const to = update.criterion;
  if (from === to) return true;
  const singleton = (node: CombinedNode) => node.subschemas.length === 1;
  const extended =
    to === 'anyOf' ||
    (singleton(original) && singleton(update)) ||
    (singleton(original) && to === 'oneOf') ||
    (singleton(update) && from === 'allOf');
  ctx.add(extended ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED');
  return extended;
}

function distinct(subschemas: readonly SchemaNode[]): SchemaNode[] {
  const byKey = new Map<string, SchemaNode>();
  for (const node of subschemas) {
    const key = `${node.part}:${canonicalJson(node.source)}`;
    if (!byKey.has(key)) byKey.set(key, node);
  }
  return [...byKey.values()];
}
