import { readFile } from 'node:fs/promises';
import { type Diagnostic, parsePointer, pointer } from '../diagnostics.ts';
import { unreadable } from './find-documents.ts';
import { type RawFiles, remoteUrl } from './raw-files.ts';
import { type RemoteRefs, unmappedRemoteRef } from './remote-refs.ts';

/**
 * Checks every `$ref` reachable from a document before the parser sees it:
 * each must name a readable file and a node that exists there (following
 * `$ref`s met on the way). A broken one is reported where the `$ref` is
 * written, which is where the author fixes it; a referenced file that is not
 * valid YAML/JSON is reported once, at that file (line and column), not at
 * every reference to it. A remote (http/https) reference must be mapped to a
 * local file in the config: nothing is ever fetched.
 */
export async function checkRefs(
  entry: string,
  raw: RawFiles,
  display: (absPath: string) => string,
  remote?: RemoteRefs,
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
      const where = { file: display(file), pointer: pointer([...at, '$ref']) };
      const problem = await resolve(raw, file, ref, queue, display, remote, where);
      if (problem === undefined) continue;
      if (typeof problem !== 'string') {
        diagnostics.push(problem);
        continue;
      }
      diagnostics.push({
        code: 'unresolved-ref',
        severity: 'error',
        ...where,
        message: `$ref "${ref}" cannot be resolved: ${problem}`,
      });
    }
  }
  return diagnostics;
}

/**
 * Undefined when the reference resolves, else what is wrong: a reason for a
 * diagnostic at the `$ref`, or a diagnostic of its own placed elsewhere (the
 * unparsable target file, the config entry of a mapped URL). Files it reaches
 * are queued for checking.
 */
async function resolve(
  raw: RawFiles,
  from: string,
  ref: string,
  queue: string[],
  display: (absPath: string) => string,
  remote: RemoteRefs | undefined,
  where: { file: string; pointer: string },
): Promise<string | Diagnostic | undefined> {
  const [filePart = '', fragment = ''] = ref.split('#');
  const url = remoteUrl(ref);
  if (url !== undefined) {
    const mapped = remote?.lookup(url);
    if (mapped === undefined) return unmappedRemoteRef(ref, url, where, remote);
    const exists = await readFile(mapped.local).then(
      () => true,
      () => false,
    );
    if (!exists) return remote!.missingLocal(mapped, ref, where);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
    return undefined; // other schemes (file:, urn:) are the parser's business
  }
  const target = filePart === '' ? from : raw.refFile(ref, from);
  if (target === undefined) return undefined; // an unmapped remote reference is reported above
  if (target !== from) {
    const exists = await readFile(target).then(
      () => true,
      () => false,
    );
    if (!exists) return `the file ${filePart} does not exist`;
    const problem = await unreadable(raw, target, display);
    if (problem) return problem;
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
      const innerFile = inner.split('#')[0] === '' ? file : raw.refFile(inner, file);
      if (i === segments.length) return undefined; // the target itself is a reference; it is checked where it is written
      if (innerFile === undefined) return undefined; // reported where that reference is written
      const converted = innerFile !== file ? raw.converted(innerFile) : undefined;
      if (converted) {
        // Into an AsyncAPI 2.x document: the rest of the path is one through its 3.x conversion.
        const rest = [...parsePointer(inner.split('#')[1] ?? ''), ...segments.slice(i)];
        if (walkResolved(converted.value, rest) !== undefined) return undefined;
        return `${filePart || 'this file'} has nothing at ${pointer(segments)} (through ${inner})`;
      }
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
      // A reference into an AsyncAPI 2.x document may name a place in its 3.x conversion.
      const converted = raw.converted(target);
      if (converted && walkResolved(converted.value, segments) !== undefined) return undefined;
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

/** Walks `segments` from `root`, following same-document `$ref`s met on the way. */
function walkResolved(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const s of [...segments, undefined]) {
    for (let hops = 0; hops < 32; hops++) {
      const ref = node && typeof node === 'object' ? (node as { $ref?: unknown }).$ref : undefined;
      if (typeof ref !== 'string' || !ref.startsWith('#')) break;
      node = walk(root, parsePointer(ref));
    }
    if (s === undefined) return node;
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[s];
  }
  return node;
}
