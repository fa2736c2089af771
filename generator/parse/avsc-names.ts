/**
 * An `.avsc` file is addressable by the names of the Avro types it defines,
 * as Microcks and other tools write it: `user.avsc#/User` (or the full name,
 * `#/com.example.User`) is the named type `User` wherever it sits in the file.
 * JSON pointers cannot say that, so the file's value gains one top-level key
 * per named type (simple and full name) unless the file already has that key;
 * RawFiles and the parser's file resolver both read `.avsc` files this way.
 */
type Json = Record<string, unknown>;

/** True for the files read with named-type keys. */
export function isAvsc(file: string): boolean {
  return /\.avsc$/i.test(file);
}

/** `value` (an .avsc file's content) with a key per named type it defines; other values unchanged. */
export function withNamedTypes(value: unknown): unknown {
  if (!isObject(value)) return value;
  const names = new Map<string, unknown>();
  collect(value, undefined, names);
  const out: Json = { ...value };
  for (const [name, type] of names) if (!(name in out)) out[name] = type;
  return out;
}

function collect(type: unknown, namespace: string | undefined, names: Map<string, unknown>): void {
  if (Array.isArray(type)) {
    for (const member of type) collect(member, namespace, names);
    return;
  }
  if (!isObject(type)) return;
  let inner = namespace;
  if (['record', 'error', 'enum', 'fixed'].includes(String(type.type)) && typeof type.name === 'string') {
    const name = type.name;
    const ns = name.includes('.')
      ? name.slice(0, name.lastIndexOf('.'))
      : typeof type.namespace === 'string' && type.namespace !== ''
        ? type.namespace
        : namespace;
    const simple = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    for (const key of [simple, ns ? `${ns}.${simple}` : simple]) if (!names.has(key)) names.set(key, type);
    inner = ns;
  }
  if (Array.isArray(type.fields))
    for (const field of type.fields) if (isObject(field)) collect(field.type, inner, names);
  if ('items' in type) collect(type.items, inner, names);
  if ('values' in type) collect(type.values, inner, names);
  if (isObject(type.type) || Array.isArray(type.type)) collect(type.type, inner, names);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
