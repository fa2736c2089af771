import { parsePointer, pointer } from '../diagnostics.ts';
import type { RawFiles } from './raw-files.ts';

export interface SourceLocation {
  /** Absolute path of the file the node is written in. */
  readonly file: string;
  /** JSON pointer of the node inside that file. */
  readonly pointer: string;
}

type Segments = readonly (string | number)[];

/**
 * Follows a path through the document as the parser sees it (every `$ref`
 * resolved) back to where the node is written: walking the raw files and
 * jumping through each `$ref` met on the way. Stops at the deepest node that
 * exists, so a path to something missing still points at its parent.
 *
 * For an AsyncAPI 2.x document the path is one through its 3.x conversion:
 * it is first traced through the converted document to the node's place in
 * the document as written (`#/operations/x` → `#/channels/<address>/subscribe`),
 * then followed through the raw files as for any other document.
 */
export function locate(raw: RawFiles, entryFile: string, segments: Segments): Promise<SourceLocation> {
  return locateIn(raw, entryFile, segments, 0);
}

/** `depth` counts jumps between documents, so references in a cycle cannot recurse forever. */
async function locateIn(
  raw: RawFiles,
  entryFile: string,
  segments: Segments,
  depth: number,
): Promise<SourceLocation> {
  const converted = raw.converted(entryFile);
  if (converted === undefined) return locateRaw(raw, entryFile, segments, depth);
  // Walk the converted document while it resolves inside itself; what lies
  // beyond (a reference to another file, a missing node) is the raw walk's job.
  let at: (string | number)[] = [];
  let node: unknown = converted.value;
  let rest = 0;
  for (; rest <= segments.length; rest++) {
    for (let hops = 0; hops < 32; hops++) {
      const ref = refOf(node);
      if (ref === undefined || !ref.startsWith('#')) break;
      const target = parsePointer(ref);
      const targetNode = walk(converted.value, target);
      if (targetNode === undefined) break;
      at = target;
      node = targetNode;
    }
    if (rest === segments.length || refOf(node) !== undefined) break;
    const child = walk(node, [segments[rest]!]);
    if (child === undefined) break;
    node = child;
    at = [...at, segments[rest]!];
  }
  return locateRaw(raw, entryFile, [...converted.original(at), ...segments.slice(rest)], depth);
}

async function locateRaw(
  raw: RawFiles,
  entryFile: string,
  segments: Segments,
  depth: number,
): Promise<SourceLocation> {
  let file = entryFile;
  let at: (string | number)[] = [];
  let node: unknown = (await raw.get(file)).value;
  for (let i = 0; i <= segments.length; i++) {
    const segment = segments[i];
    for (let hops = 0; hops < 32; hops++) {
      const ref = refOf(node);
      if (ref === undefined) break;
      const target = ref.split('#')[0] === '' ? file : raw.refFile(ref, file);
      if (target === undefined) return { file, pointer: pointer(at) };
      const targetPath = parsePointer(ref.includes('#') ? (ref.split('#')[1] ?? '') : '');
      // Into another AsyncAPI 2.x document: the path goes on through its 3.x conversion.
      if (target !== file && raw.converted(target) && depth < 32) {
        return locateIn(raw, target, [...targetPath, ...segments.slice(i)], depth + 1);
      }
      const targetRaw = await raw.get(target);
      const targetNode = walk(targetRaw.value, targetPath);
      if (targetNode === undefined) return { file, pointer: pointer(at) };
      file = target;
      at = targetPath;
      node = targetNode;
    }
    if (segment === undefined) break;
    const child = walk(node, [segment]);
    if (child === undefined) return { file, pointer: pointer(at) };
    node = child;
    at = [...at, segment];
  }
  return { file, pointer: pointer(at) };
}

function refOf(node: unknown): string | undefined {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string') return ref;
  }
  return undefined;
}

function walk(node: unknown, segments: Segments): unknown {
  let current = node;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (current && typeof current === 'object') current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}
