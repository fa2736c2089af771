/**
 * Array keywords, after Confluent's `ArraySchemaDiff`: the schema of all items, the
 * tuple position by position against the content model (as for object properties,
 * with items past the tuple in the part of unnamed properties), additional and
 * unevaluated items, and the counts.
 */
import { compareBound } from './bound-diff.ts';
import type { DiffContext } from './diff-context.ts';
import type { ArrayNode, SchemaNode } from './schema-model.ts';

/** Compares two array schemas. */
export function compareArrays(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  ctx.within('items', () => ctx.compare(original.allItemSchema, update.allItemSchema));
  compareTuples(ctx, original, update);
  compareAdditionalItems(ctx, original, update);
  compareUnevaluatedItems(ctx, original, update);
  compareBound(ctx, 'maxItems', original.maxItems, update.maxItems, {
    added: 'MAX_ITEMS_ADDED',
    removed: 'MAX_ITEMS_REMOVED',
    increased: 'MAX_ITEMS_INCREASED',
    decreased: 'MAX_ITEMS_DECREASED',
  });
  compareBound(ctx, 'minItems', original.minItems, update.minItems, {
    added: 'MIN_ITEMS_ADDED',
    removed: 'MIN_ITEMS_REMOVED',
    increased: 'MIN_ITEMS_INCREASED',
    decreased: 'MIN_ITEMS_DECREASED',
  });
  if (original.uniqueItems !== update.uniqueItems)
    ctx.addAt('uniqueItems', original.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED');
  compareBound(ctx, 'maxContains', original.maxContains, update.maxContains, {
    added: 'MAX_CONTAINS_ADDED',
    removed: 'MAX_CONTAINS_REMOVED',
    increased: 'MAX_CONTAINS_INCREASED',
    decreased: 'MAX_CONTAINS_DECREASED',
  });
  compareBound(ctx, 'minContains', original.minContains, update.minContains, {
    added: 'MIN_CONTAINS_ADDED',
    removed: 'MIN_CONTAINS_REMOVED',
    increased: 'MIN_CONTAINS_INCREASED',
    decreased: 'MIN_CONTAINS_DECREASED',
  });
}

const isEmptySchema = (node: SchemaNode | undefined) => node?.kind === 'empty' || node?.kind === 'true';

/** True when nothing limits the items past the tuple. */
function isOpenContentModel(schema: ArrayNode): boolean {
  if (!schema.permitsAdditionalItems || schema.additionalItemsSchema) return false;
  return schema.unevaluatedItems === undefined || isEmptySchema(schema.unevaluatedItems);
}

/** The schema a partially open content model applies to items past the tuple, if any. */
function schemaFromPartiallyOpenContentModel(schema: ArrayNode): SchemaNode | undefined {
  if (schema.additionalItemsSchema) return schema.additionalItemsSchema;
  const unevaluated = schema.unevaluatedItems;
  if (
    schema.permitsAdditionalItems &&
    unevaluated &&
    unevaluated.kind !== 'false' &&
    !isEmptySchema(unevaluated)
  )
    return unevaluated;
  return undefined;
}

function compareTuples(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  const before = original.itemSchemas ?? [];
  const after = update.itemSchemas ?? [];
  for (let index = 0; index < Math.max(before.length, after.length); index++) {
    const originalItem = before[index];
    const updateItem = after[index];
    ctx.within(`items/${index}`, () => {
      if (originalItem && updateItem) ctx.compare(originalItem, updateItem);
      else if (originalItem) itemRemoved(ctx, originalItem, update);
      else if (updateItem) itemAdded(ctx, updateItem, original);
    });
  }
}

function itemRemoved(ctx: DiffContext, originalItem: SchemaNode, update: ArrayNode): void {
  if (isOpenContentModel(update)) {
    ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = schemaFromPartiallyOpenContentModel(update);
  if (covering) {
    const inner = ctx.sub();
    inner.compare(originalItem, covering);
    ctx.addAll(inner.differences());
    ctx.add(
      inner.isCompatible()
        ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
    return;
  }
  ctx.add(
    originalItem.kind === 'false'
      ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
      : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  );
}

function itemAdded(ctx: DiffContext, updateItem: SchemaNode, original: ArrayNode): void {
  if (isOpenContentModel(original)) {
    ctx.add(
      isEmptySchema(updateItem)
        ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
        : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
    );
    return;
  }
  const covering = schemaFromPartiallyOpenContentModel(original);
  if (!covering) {
    ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
    return;
  }
  const inner = ctx.sub();
  inner.compare(covering, updateItem);
  ctx.addAll(inner.differences());
  ctx.add(
    inner.isCompatible()
      ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
      : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  );
}

function compareAdditionalItems(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  ctx.within('additionalItems', () => {
    if (original.permitsAdditionalItems !== update.permitsAdditionalItems)
      ctx.add(original.permitsAdditionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    else if (!original.additionalItemsSchema && update.additionalItemsSchema)
      ctx.add('ADDITIONAL_ITEMS_NARROWED');
    else if (original.additionalItemsSchema && !update.additionalItemsSchema)
      ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    else ctx.compare(original.additionalItemsSchema, update.additionalItemsSchema);
  });
}

function compareUnevaluatedItems(ctx: DiffContext, original: ArrayNode, update: ArrayNode): void {
  const before = original.unevaluatedItems;
  const after = update.unevaluatedItems;
  if (!before && !after) return;
  ctx.within('unevaluatedItems', () => {
    if (!before)
      ctx.add(after?.kind === 'false' ? 'UNEVALUATED_ITEMS_REMOVED' : 'UNEVALUATED_ITEMS_NARROWED');
    else if (!after)
      ctx.add(before.kind === 'false' ? 'UNEVALUATED_ITEMS_ADDED' : 'UNEVALUATED_ITEMS_EXTENDED');
    else if (before.kind === 'false' && after.kind !== 'false') ctx.add('UNEVALUATED_ITEMS_ADDED');
    else if (before.kind !== 'false' && after.kind === 'false') ctx.add('UNEVALUATED_ITEMS_REMOVED');
    else if (isEmptySchema(before) && !isEmptySchema(after)) ctx.add('UNEVALUATED_ITEMS_NARROWED');
    else if (!isEmptySchema(before) && isEmptySchema(after)) ctx.add('UNEVALUATED_ITEMS_EXTENDED');
    else ctx.compare(before, after);
  });
}
