/**
 * Object keywords, after Confluent's `ObjectSchemaDiff`: required, properties against
 * the content model, dependencies, additional and unevaluated properties, counts.
 *
 * The content model decides what adding or removing a property means:
 * - open: nothing limits other properties (no `additionalProperties` schema or `false`,
 *   no `patternProperties`, `unevaluatedProperties` absent or `true`) — old data may
 *   already hold a property of that name with any value;
 * - partially open: `patternProperties` or an `additionalProperties`/`unevaluatedProperties`
 *   schema covers the name — the property is compared with that schema;
 * - closed: other properties are forbidden.
 */
import { compareBound } from './bound-diff.ts';
import type { DiffContext } from './diff-context.ts';
import { pointerSegment } from './json-pointer.ts';
import type { ObjectNode, SchemaNode } from './schema-model.ts';

/** Compares two object schemas. */
export function compareObjects(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  compareRequired(ctx, original, update);
  compareProperties(ctx, original, update);
  compareDependencies(ctx, original, update);
  compareAdditionalProperties(ctx, original, update);
  compareUnevaluatedProperties(ctx, original, update);
  compareBound(ctx, 'maxProperties', original.maxProperties, update.maxProperties, {
    added: 'MAX_PROPERTIES_ADDED',
    removed: 'MAX_PROPERTIES_REMOVED',
    increased: 'MAX_PROPERTIES_INCREASED',
    decreased: 'MAX_PROPERTIES_DECREASED',
  });
  compareBound(ctx, 'minProperties', original.minProperties, update.minProperties, {
    added: 'MIN_PROPERTIES_ADDED',
    removed: 'MIN_PROPERTIES_REMOVED',
    increased: 'MIN_PROPERTIES_INCREASED',
    decreased: 'MIN_PROPERTIES_DECREASED',
  });
}

const isEmptySchema = (node: SchemaNode | undefined) => node?.kind === 'empty' || node?.kind === 'true';

/** True when nothing limits the properties the schema does not name. */
export function isOpenContentModel(schema: ObjectNode): boolean {
  if (!schema.permitsAdditionalProperties || schema.additionalPropertiesSchema) return false;
  if (schema.patternProperties.length > 0) return false;
  return schema.unevaluatedProperties === undefined || isEmptySchema(schema.unevaluatedProperties);
}

function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    try {
      return new RegExp(pattern).test(key);
    } catch {
      return false;
    }
  }
}

/** The schema a partially open content model applies to an unnamed property `key`, if any. */
function schemaFromPartiallyOpenContentModel(schema: ObjectNode, key: string): SchemaNode | undefined {
  const byPattern = schema.patternProperties.find((entry) => matches(entry.pattern, key));
  if (byPattern) return byPattern.schema;
  if (schema.additionalPropertiesSchema) return schema.additionalPropertiesSchema;
  const additionalAbsent = schema.permitsAdditionalProperties && !schema.additionalPropertiesSchema;
  const unevaluated = schema.unevaluatedProperties;
  if (additionalAbsent && unevaluated && unevaluated.kind !== 'false' && !isEmptySchema(unevaluated))
    return unevaluated;
  return undefined;
}

function compareRequired(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.within('required', () => {
    for (const key of original.properties.keys()) {
      const updateSchema = update.properties.get(key);
      if (!updateSchema) continue;
      const wasRequired = original.required.has(key);
      const isRequired = update.required.has(key);
      if (wasRequired && !isRequired) ctx.addAt(pointerSegment(key), 'REQUIRED_ATTRIBUTE_REMOVED');
      else if (!wasRequired && isRequired)
        ctx.addAt(
          pointerSegment(key),
          updateSchema.meta.hasDefault ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
        );
    }
  });
}

function compareProperties(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  const keys = new Set([...original.properties.keys(), ...update.properties.keys()]);
  ctx.within('properties', () => {
    for (const key of keys) {
      ctx.within(pointerSegment(key), () => {
        const originalSchema = original.properties.get(key);
        const updateSchema = update.properties.get(key);
        if (originalSchema && updateSchema) ctx.compare(originalSchema, updateSchema);
        else if (originalSchema) propertyRemoved(ctx, key, originalSchema, update);
        else if (updateSchema) propertyAdded(ctx, key, updateSchema, original, update);
      });
    }
  });
}

/** Only the update's content model matters: it must still accept the old values. */
function propertyRemoved(
  ctx: DiffContext,
  key: string,
  originalSchema: SchemaNode,
  update: ObjectNode,
): void {
  if (isOpenContentModel(update)) {
    ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = schemaFromPartiallyOpenContentModel(update, key);
  if (covering) {
    const inner = ctx.sub();
    inner.compare(originalSchema, covering);
    ctx.addAll(inner.differences());
    ctx.add(
      inner.isCompatible()
        ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
    return;
  }
  ctx.add(
    originalSchema.kind === 'false'
      ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
      : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  );
}

/** Only the original's content model matters: old data may already hold the new name. */
function propertyAdded(
  ctx: DiffContext,
  key: string,
  updateSchema: SchemaNode,
  original: ObjectNode,
  update: ObjectNode,
): void {
  const required = update.required.has(key);
  const hasDefault = updateSchema.meta.hasDefault;
  if (isOpenContentModel(original)) {
    if (isEmptySchema(updateSchema)) ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
    else if (!required) ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    else
      ctx.add(
        hasDefault
          ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
          : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      );
    return;
  }
  const covering = schemaFromPartiallyOpenContentModel(original, key);
  if (covering) {
    const inner = ctx.sub();
    inner.compare(covering, updateSchema);
    ctx.addAll(inner.differences());
    ctx.add(
      inner.isCompatible()
        ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  }
  if (!required) ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  else
    ctx.add(
      hasDefault
        ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
        : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    );
}

function compareDependencies(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.within('dependencies', () => {
    const lists = new Set([...original.propertyDependencies.keys(), ...update.propertyDependencies.keys()]);
    for (const key of lists) {
      const before = original.propertyDependencies.get(key);
      const after = update.propertyDependencies.get(key);
      const segment = pointerSegment(key);
      if (!after) ctx.addAt(segment, 'DEPENDENCY_ARRAY_REMOVED');
      else if (!before) ctx.addAt(segment, 'DEPENDENCY_ARRAY_ADDED');
      else if (before.size !== after.size || ![...before].every((name) => after.has(name))) {
        if ([...before].every((name) => after.has(name))) ctx.addAt(segment, 'DEPENDENCY_ARRAY_EXTENDED');
        else if ([...after].every((name) => before.has(name)))
          ctx.addAt(segment, 'DEPENDENCY_ARRAY_NARROWED');
        else ctx.addAt(segment, 'DEPENDENCY_ARRAY_CHANGED');
      }
    }
    const schemas = new Set([...original.schemaDependencies.keys(), ...update.schemaDependencies.keys()]);
    for (const key of schemas) {
      const before = original.schemaDependencies.get(key);
      const after = update.schemaDependencies.get(key);
      ctx.within(pointerSegment(key), () => {
        if (!after) ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        else if (!before) ctx.add('DEPENDENCY_SCHEMA_ADDED');
        else ctx.compare(before, after);
      });
    }
  });
}

function compareAdditionalProperties(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  ctx.within('additionalProperties', () => {
    if (original.permitsAdditionalProperties !== update.permitsAdditionalProperties)
      ctx.add(
        update.permitsAdditionalProperties ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED',
      );
    else if (!original.additionalPropertiesSchema && update.additionalPropertiesSchema)
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    else if (original.additionalPropertiesSchema && !update.additionalPropertiesSchema)
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    else ctx.compare(original.additionalPropertiesSchema, update.additionalPropertiesSchema);
  });
}

function compareUnevaluatedProperties(ctx: DiffContext, original: ObjectNode, update: ObjectNode): void {
  const before = original.unevaluatedProperties;
  const after = update.unevaluatedProperties;
  if (!before && !after) return;
  ctx.within('unevaluatedProperties', () => {
    if (!before)
      ctx.add(after?.kind === 'false' ? 'UNEVALUATED_PROPERTIES_REMOVED' : 'UNEVALUATED_PROPERTIES_NARROWED');
    else if (!after)
      ctx.add(before.kind === 'false' ? 'UNEVALUATED_PROPERTIES_ADDED' : 'UNEVALUATED_PROPERTIES_EXTENDED');
    else if (before.kind === 'false' && after.kind !== 'false') ctx.add('UNEVALUATED_PROPERTIES_ADDED');
    else if (before.kind !== 'false' && after.kind === 'false') ctx.add('UNEVALUATED_PROPERTIES_REMOVED');
    else if (isEmptySchema(before) && !isEmptySchema(after)) ctx.add('UNEVALUATED_PROPERTIES_NARROWED');
    else if (!isEmptySchema(before) && isEmptySchema(after)) ctx.add('UNEVALUATED_PROPERTIES_EXTENDED');
    else ctx.compare(before, after);
  });
}
