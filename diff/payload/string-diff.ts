/**
 * String keywords, after Confluent's `StringSchemaDiff`: lengths and `pattern`; `format`, which the
 * registry ignores, only for validating readers.
 */
import { compareBound } from './bound-diff.ts';
import type { DiffContext } from './diff-context.ts';
import type { StringNode } from './schema-model.ts';

/** Compares `maxLength`, `minLength` and `pattern`. */
export function compareStrings(ctx: DiffContext, original: StringNode, update: StringNode): void {
  compareBound(ctx, 'maxLength', original.maxLength, update.maxLength, {
    added: 'MAX_LENGTH_ADDED',
    removed: 'MAX_LENGTH_REMOVED',
    increased: 'MAX_LENGTH_INCREASED',
    decreased: 'MAX_LENGTH_DECREASED',
  });
  compareBound(ctx, 'minLength', original.minLength, update.minLength, {
    added: 'MIN_LENGTH_ADDED',
    removed: 'MIN_LENGTH_REMOVED',
    increased: 'MIN_LENGTH_INCREASED',
    decreased: 'MIN_LENGTH_DECREASED',
  });
  if (original.pattern === undefined && update.pattern !== undefined) ctx.addAt('pattern', 'PATTERN_ADDED');
  else if (original.pattern !== undefined && update.pattern === undefined)
    ctx.addAt('pattern', 'PATTERN_REMOVED');
  else if (original.pattern !== update.pattern) ctx.addAt('pattern', 'PATTERN_CHANGED');
  if (!ctx.comparesFormats()) return;
  if (original.format === undefined && update.format !== undefined) ctx.addAt('format', 'FORMAT_ADDED');
  else if (original.format !== undefined && update.format === undefined)
    ctx.addAt('format', 'FORMAT_REMOVED');
  else if (original.format !== update.format) ctx.addAt('format', 'FORMAT_CHANGED');
}
