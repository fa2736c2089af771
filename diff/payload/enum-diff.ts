/** `enum` and `const`, after Confluent's `EnumSchemaDiff` and `ConstSchemaDiff`. */
import type { DiffContext } from './diff-context.ts';
import { canonicalJson, jsonEqual } from './json-value.ts';
import type { ConstNode, EnumNode } from './schema-model.ts';

function containsAll(values: ReadonlySet<string>, of: ReadonlySet<string>): boolean {
  for (const value of of) if (!values.has(value)) return false;
  return true;
}

/** ENUM_ARRAY_EXTENDED when the update allows every original value, NARROWED when the reverse, else CHANGED. */
export function compareEnums(ctx: DiffContext, original: EnumNode, update: EnumNode): void {
  const before = new Set(original.values.map(canonicalJson));
  const after = new Set(update.values.map(canonicalJson));
  if (before.size === after.size && containsAll(after, before)) return;
  if (containsAll(after, before)) ctx.addAt('enum', 'ENUM_ARRAY_EXTENDED');
  else if (containsAll(before, after)) ctx.addAt('enum', 'ENUM_ARRAY_NARROWED');
  else ctx.addAt('enum', 'ENUM_ARRAY_CHANGED');
}

/** Any change of `const` is ENUM_ARRAY_CHANGED. */
export function compareConsts(ctx: DiffContext, original: ConstNode, update: ConstNode): void {
  if (!jsonEqual(original.value, update.value)) ctx.addAt('const', 'ENUM_ARRAY_CHANGED');
}
