/**
 * A small, deterministic value for a JSON Schema, for documents that give no
 * example of an event: the smallest thing the schema describes (required
 * properties only, minimum lengths and items, the first enum value or
 * `oneOf` branch). Callers check it with the event's own validator; this only
 * has to be right for ordinary schemas.
 */
type Schema = boolean | { readonly [keyword: string]: unknown };

const FORMATS: Readonly<Record<string, string>> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  email: 'someone@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com/',
  'uri-reference': '/example',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
};

export function samplePayload(schema: Schema, depth = 0): unknown {
  if (schema === true || schema === false || depth > 12) return null;
  const s = schema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  // A document's own default or example, when it has the declared type (some documents' do not).
  const fits = (value: unknown) =>
    s.type === undefined ||
    typeof s.type !== 'string' ||
    jsonType(value) === s.type ||
    (s.type === 'number' && jsonType(value) === 'integer');
  for (const value of [s.default, ...(Array.isArray(s.examples) ? s.examples : []), s.example])
    if (value !== undefined && fits(value)) return value;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches) && branches.length > 0)
      return samplePayload(branches[0] as Schema, depth + 1);
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((part) => samplePayload(part as Schema, depth + 1));
    const own =
      s.type !== undefined || s.properties !== undefined
        ? samplePayload({ ...s, allOf: undefined }, depth + 1)
        : undefined;
    const objects = [...parts, own].filter(
      (p): p is Record<string, unknown> => p !== null && typeof p === 'object',
    );
    if (objects.length > 0) return Object.assign({}, ...objects);
    return parts[0] ?? null;
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type ?? (s.properties ? 'object' : s.items ? 'array' : undefined)) {
    case 'string': {
      const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
      if (format) return format;
      const min = typeof s.minLength === 'number' ? s.minLength : 1;
      return 'x'.repeat(Math.max(1, min));
    }
    case 'integer':
      return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      if (Array.isArray(s.prefixItems))
        return s.prefixItems.map((item) => samplePayload(item as Schema, depth + 1));
      return Array.from({ length: min }, () => samplePayload((s.items ?? true) as Schema, depth + 1));
    }
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      const out: Record<string, unknown> = {};
      for (const name of required) out[name] = samplePayload(properties[name] ?? true, depth + 1);
      return out;
    }
    default:
      return 'x';
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
