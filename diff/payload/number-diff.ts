/** Numeric keywords, after Confluent's `NumberSchemaDiff`. */
import { compareBound } from './bound-diff.ts';
import { isMultipleOf } from './decimal.ts';
import type { DiffContext } from './diff-context.ts';
import type { NumberNode } from './schema-model.ts';

/**
 * Compares the limits, `multipleOf` and integer-ness. Confluent compares a lowered
 * `exclusiveMaximum` with the update's `maximum` (a slip that throws when there is
 * none); this compares it with the update's `exclusiveMaximum`.
 */
export function compareNumbers(ctx: DiffContext, original: NumberNode, update: NumberNode): void {
  compareBound(ctx, 'maximum', original.maximum, update.maximum, {
    added: 'MAXIMUM_ADDED',
    removed: 'MAXIMUM_REMOVED',
    increased: 'MAXIMUM_INCREASED',
    decreased: 'MAXIMUM_DECREASED',
  });
  compareBound(ctx, 'minimum', original.minimum, update.minimum, {
    added: 'MINIMUM_ADDED',
    removed: 'MINIMUM_REMOVED',
    increased: 'MINIMUM_INCREASED',
    decreased: 'MINIMUM_DECREASED',
  });
  compareBound(ctx, 'exclusiveMaximum', original.exclusiveMaximum, update.exclusiveMaximum, {
    added: 'EXCLUSIVE_MAXIMUM_ADDED',
    removed: 'EXCLUSIVE_MAXIMUM_REMOVED',
    increased: 'EXCLUSIVE_MAXIMUM_INCREASED',
    decreased: 'EXCLUSIVE_MAXIMUM_DECREASED',
  });
  compareBound(ctx, 'exclusiveMinimum', original.exclusiveMinimum, update.exclusiveMinimum, {
    added: 'EXCLUSIVE_MINIMUM_ADDED',
    removed: 'EXCLUSIVE_MINIMUM_REMOVED',
    increased: 'EXCLUSIVE_MINIMUM_INCREASED',
    decreased: 'EXCLUSIVE_MINIMUM_DECREASED',
  });
  compareMultipleOf(ctx, original.multipleOf, update.multipleOf);
  if (original.requiresInteger !== update.requiresInteger)
    ctx.add(original.requiresInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

function compareMultipleOf(ctx: DiffContext, original: number | undefined, update: number | undefined): void {
  if (original === update) return;
  if (original === undefined) ctx.addAt('multipleOf', 'MULTIPLE_OF_ADDED');
  else if (update === undefined) ctx.addAt('multipleOf', 'MULTIPLE_OF_REMOVED');
  else if (isMultipleOf(update, original)) ctx.addAt('multipleOf', 'MULTIPLE_OF_EXPANDED');
  else if (isMultipleOf(original, update)) ctx.addAt('multipleOf', 'MULTIPLE_OF_REDUCED');
  else ctx.addAt('multipleOf', 'MULTIPLE_OF_CHANGED');
}
