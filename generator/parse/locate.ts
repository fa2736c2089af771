import { parsePointer, pointer } from '../diagnostics.ts';
import { type RawFiles, refFile } from './raw-files.ts';

export interface SourceLocation {
  /** Absolute path of the file the node is written in. */
  readonly file: string;
  /** JSON pointer of the node inside that file. */
  readonly pointer: string;
}

/**
 * Follows a path through the document as the parser sees it (every `$ref`
 * resolved) back to where the node is written: walking the raw files and
 * jumping through each `$ref` met on the way. Stops at the deepest node that
 * exists, so a path to something missing still points at its parent.
 */
export async function locate(
  raw: RawFiles,
  entryFile: string,
  segments: readonly (string | number)[],
): Promise<SourceLocation> {
  let file = entryFile;
  let at: (string | number)[] = [];
  let node: unknown = (await raw.get(file)).value;
  for (const segment of [...segments, undefined]) {
    for (let hops = 0; hops < 32; hops++) {
      const ref = refOf(node);
      if (ref === undefined) break;
      const target = refFile(ref, file) ?? file;
      const targetRaw = await raw.get(target);
      const targetPath = parsePointer(ref.includes('#') ? (ref.split('#')[1] ?? '') : '');
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

function walk(node: unknown, segments: readonly (string | number)[]): unknown {
  let current = node;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (current && typeof current === 'object') current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}
