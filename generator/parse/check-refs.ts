import { readFile } from 'node:fs/promises';
import { type Diagnostic, parsePointer, pointer } from '../diagnostics.ts';
import { type RawFiles, refFile } from './raw-files.ts';

/**
 * Checks every `$ref` reachable from a document before the parser sees it:
 * each must name a readable file and a node that exists there (following
 * `$ref`s met on the way). A broken one is reported where the `$ref` is
 * written, which is where the author fixes it.
 */
export async function checkRefs(
  entry: string,
  raw: RawFiles,
  display: (absPath: string) => string,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const visited = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (visited.has(file)) continue;
    visited.add(file);
    const { value, error } = await raw.get(file);
    if (error !== undefined) continue;
    for (const { ref, at } of refsIn(value)) {
      const problem = await resolve(raw, file, ref, queue);
      if (problem === undefined) continue;
      diagnostics.push({
        code: 'unresolved-ref',
        severity: 'error',
        file: display(file),
        pointer: pointer([...at, '$ref']),
        message: `$ref "${ref}" cannot be resolved: ${problem}`,
      });
    }
  }
  return diagnostics;
}

/** Undefined when the reference resolves, else what is wrong. Files it reaches are queued for checking. */
async function resolve(
  raw: RawFiles,
  from: string,
  ref: string,
  queue: string[],
): Promise<string | undefined> {
  const [filePart = '', fragment = ''] = ref.split('#');
  if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) return undefined; // remote references are the parser's business
  const target = refFile(ref, from) ?? from;
  if (target !== from) {
    const exists = await readFile(target).then(
      () => true,
      () => false,
    );
    if (!exists) return `the file ${filePart} does not exist`;
    const { error } = await raw.get(target);
    if (error !== undefined) return `${filePart} cannot be parsed: ${error}`;
    queue.push(target);
  }
  let file = target;
  let node: unknown = (await raw.get(file)).value;
  const segments = parsePointer(fragment);
  for (let i = 0; i <= segments.length; i++) {
    for (
      let hops = 0;
      node && typeof node === 'object' && typeof (node as { $ref?: unknown }).$ref === 'string';
      hops++
    ) {
      if (hops > 32) return 'too many nested references';
      const inner = (node as { $ref: string }).$ref;
      const innerFile = refFile(inner, file) ?? file;
      if (i === segments.length) return undefined; // the target itself is a reference; it is checked where it is written
      const innerRaw = await raw.get(innerFile);
      if (innerRaw.error !== undefined) return undefined; // reported where that reference is written
      file = innerFile;
      node = walk(innerRaw.value, parsePointer(inner.split('#')[1] ?? ''));
      if (node === undefined) return undefined;
    }
    if (i === segments.length) break;
    const segment = segments[i]!;
    const next = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    if (next === undefined) {
      return `${filePart || 'this file'} has nothing at ${pointer(segments.slice(0, i + 1))}`;
    }
    node = next;
  }
  return undefined;
}

function* refsIn(
  value: unknown,
  at: (string | number)[] = [],
): Generator<{ ref: string; at: (string | number)[] }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* refsIn(value[i], [...at, i]);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') yield { ref: child, at };
      else yield* refsIn(child, [...at, key]);
    }
  }
}

function walk(node: unknown, segments: readonly string[]): unknown {
  let current = node;
  for (const s of segments) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}
