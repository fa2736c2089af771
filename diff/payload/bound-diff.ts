/** The shared rule for a numeric keyword that may be added, removed, raised or lowered. */
import type { DiffContext } from './diff-context.ts';
import type { DifferenceType } from './differences.ts';

/** The four differences one numeric keyword can show. */
export interface BoundDifferences {
  readonly added: DifferenceType;
  readonly removed: DifferenceType;
  readonly increased: DifferenceType;
  readonly decreased: DifferenceType;
}

/** Records at `keyword` how its value went from `original` to `update`, if it changed. */
export function compareBound(
  ctx: DiffContext,
  keyword: string,
  original: number | undefined,
  update: number | undefined,
  differences: BoundDifferences,
): void {
  if (original === update) return;
  if (original === undefined) ctx.addAt(keyword, differences.added);
  else if (update === undefined) ctx.addAt(keyword, differences.removed);
  else if (original < update) ctx.addAt(keyword, differences.increased);
  else if (original > update) ctx.addAt(keyword, differences.decreased);
}
