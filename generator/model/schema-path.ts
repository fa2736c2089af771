import type { JsonSchema } from './catalog.ts';

export type FieldCheck =
  | { readonly ok: true; readonly type: 'string' | 'integer' | 'number' }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks that `path` names a field every valid payload has: each step a
 * declared property listed in its object's `required`, never nullable, and the
 * last one a string, integer or number (something a Kafka key can be made of).
 */
export function requiredScalarField(schema: JsonSchema, path: readonly string[]): FieldCheck {
  let node: JsonSchema = schema;
  const walked: string[] = [];
  for (const segment of path) {
    if (typeof node !== 'object')
      return { ok: false, reason: `the payload schema at /${walked.join('/')} is not an object schema` };
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    const child = properties?.[segment];
    walked.push(segment);
    if (child === undefined) return { ok: false, reason: `the payload has no field /${walked.join('/')}` };
    const required = Array.isArray(node.required) ? (node.required as unknown[]) : [];
    if (!required.includes(segment))
      return { ok: false, reason: `the field /${walked.join('/')} is optional (not in "required")` };
    if (isNullable(child)) return { ok: false, reason: `the field /${walked.join('/')} may be null` };
    node = child;
  }
  const type = typeof node === 'object' ? node.type : undefined;
  if (type === 'string' || type === 'integer' || type === 'number') return { ok: true, type };
  return {
    ok: false,
    reason: `the field /${walked.join('/')} must be a string, integer or number, not ${JSON.stringify(type ?? 'untyped')}`,
  };
}

function isNullable(schema: JsonSchema): boolean {
  if (typeof schema !== 'object') return true;
  const type = schema.type;
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  return schema.nullable === true;
}
