/** `not`, after Confluent's `NotSchemaDiff`. */
import type { DiffContext } from './diff-context.ts';
import type { NotNode } from './schema-model.ts';

/**
 * The negated schemas are compared the other way round (update's against original's):
 * if the old `not` could read the new one, the new `not` excludes no more than before
 * (NOT_TYPE_NARROWED, compatible); otherwise NOT_TYPE_EXTENDED. What the inner
 * comparison found is not reported, only its verdict.
 */
export function compareNots(ctx: DiffContext, original: NotNode, update: NotNode): void {
  ctx.within('not', () => {
    const inner = ctx.sub();
    inner.compare(update.mustNotMatch, original.mustNotMatch);
    ctx.add(inner.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
  });
}
