/** A JSON-pointer edit of a parsed document: the value to set, or `undefined` to delete. */
export type Edit = readonly [pointer: string, value: unknown];

/**
 * Applies the edits to `root` in place (creating objects on the way) and
 * returns it. Pointers are written plainly (`/components/messages/A`), without
 * `~` escapes.
 */
export function applyEdits<T extends Record<string, unknown>>(root: T, edits: readonly Edit[]): T {
  for (const [at, value] of edits) {
    const segments = at.split('/').slice(1);
    const last = segments.pop()!;
    let node: Record<string, unknown> = root;
    for (const s of segments) {
      node[s] ??= {};
      node = node[s] as Record<string, unknown>;
    }
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return root;
}
