/**
 * JSON-pointer helpers for the payload diff: escaping a key into a path segment,
 * and resolving a local `$ref` (`#`, `#/$defs/X`, `#/definitions/X`, any `#/…`)
 * inside the schema document that holds it.
 */

/** `key` as one JSON-pointer segment (`~` → `~0`, `/` → `~1`). */
export function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function decodeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // Not percent-encoded after all: use it as written.
  }
  return text.replaceAll('~1', '/').replaceAll('~0', '~');
}

function child(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(key) ? value[Number(key)] : undefined;
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, key))
    return (value as Record<string, unknown>)[key];
  return undefined;
}

/**
 * The value a local `$ref` points at in `root`, or undefined when it points at
 * nothing or is not local (`other.json#/…`, `#anchor`). Like the registry, which
 * copies top-level `definitions` into `$defs` before loading, `#/$defs/X` falls
 * back to `#/definitions/X` when `$defs` has no `X`.
 */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === '#' || ref === '') return root;
  if (!ref.startsWith('#/')) return undefined;
  const segments = ref.slice(2).split('/').map(decodeSegment);
  const [first, second] = segments;
  if (first === '$defs' && second !== undefined && child(child(root, '$defs'), second) === undefined) {
    segments[0] = 'definitions';
  }
  let value: unknown = root;
  for (const segment of segments) {
    value = child(value, segment);
    if (value === undefined) return undefined;
  }
  return value;
}
