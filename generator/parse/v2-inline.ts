/**
 * Before conversion: the 2.x-shaped objects a document references in other
 * files are copied in, so the converter (which sees one object and leaves
 * every `$ref` as written) converts them too; parameter schemas written as
 * `$ref`s are copied in so their enum and default survive.
 */
import path from 'node:path';
import { parsePointer } from '../diagnostics.ts';
import { isObject, isRef, type Json, walk } from './json-nodes.ts';
import type { RawFiles } from './raw-files.ts';

/**
 * Copies into the document every 2.x-shaped object (server, channel,
 * parameter, operation, message) it references in another file, so the
 * converter converts it too. `$ref`s inside a copy are rebased to the
 * document's folder; a reference back into the document becomes local.
 */
export async function inlineDocument(doc: Json, file: string, raw: RawFiles): Promise<void> {
  const inline = async (holder: Json | unknown[], key: string | number, kind: Kind): Promise<void> => {
    const node = (holder as Record<string | number, unknown>)[key];
    const resolved = await resolveExternal(node, file, raw);
    if (resolved !== undefined) (holder as Record<string | number, unknown>)[key] = resolved;
    const value = (holder as Record<string | number, unknown>)[key];
    if (!isObject(value) || isRef(value)) return;
    for (const [childKey, childKind] of CHILDREN[kind]) {
      if (childKey === '*') {
        for (const name of Object.keys(value)) await inline(value, name, childKind);
      } else if (childKey === 'oneOf') {
        if (Array.isArray(value.oneOf))
          for (let i = 0; i < value.oneOf.length; i++) await inline(value.oneOf, i, childKind);
      } else if (isObject(value[childKey]) || Array.isArray(value[childKey])) {
        await inline(value, childKey, childKind);
      }
    }
  };
  for (const [key, kind] of CHILDREN.document) await inline(doc, key, kind);
}

type Kind =
  | 'document'
  | 'components'
  | 'servers'
  | 'channels'
  | 'channel'
  | 'parameters'
  | 'operation'
  | 'messages'
  | 'message'
  | 'leaf';

/** Where 2.x-shaped objects sit: [key, kind] pairs, `*` for every key of a map. */
const CHILDREN: Record<Kind, readonly (readonly [string, Kind])[]> = {
  document: [
    ['servers', 'servers'],
    ['channels', 'channels'],
    ['components', 'components'],
  ],
  components: [
    ['servers', 'servers'],
    ['channels', 'channels'],
    ['parameters', 'parameters'],
    ['messages', 'messages'],
  ],
  servers: [['*', 'leaf']],
  channels: [['*', 'channel']],
  channel: [
    ['parameters', 'parameters'],
    ['publish', 'operation'],
    ['subscribe', 'operation'],
  ],
  parameters: [['*', 'leaf']],
  operation: [['message', 'message']],
  messages: [['*', 'message']],
  message: [['oneOf', 'leaf']],
  leaf: [],
};

/**
 * The copy of what an external `$ref` (one naming another file) points at,
 * its own references rebased for `entry`; undefined when `node` is no such
 * reference or its target cannot be read (the `$ref` check reports that).
 */
async function resolveExternal(node: unknown, entry: string, raw: RawFiles): Promise<unknown> {
  let file = entry;
  let current = node;
  for (let hops = 0; hops < 32 && isRef(current); hops++) {
    const ref = (current as { $ref: string }).$ref;
    const local = ref.startsWith('#');
    if (local && file === entry) break;
    const target = local ? file : raw.refFile(ref, file);
    if (target === undefined) return undefined;
    const { value, error } = await raw.get(target);
    if (error !== undefined) return undefined;
    const found = walk(value, parsePointer(ref.split('#')[1] ?? ''));
    if (found === undefined) return undefined;
    file = target;
    current = found;
  }
  if (file === entry) return undefined;
  const copy = structuredClone(current);
  rebase(copy, file, entry, raw);
  return copy;
}

/** Rewrites every `$ref` in `node` (written in `from`) as seen from `entry`. */
function rebase(node: unknown, from: string, entry: string, raw: RawFiles): void {
  if (Array.isArray(node)) {
    for (const item of node) rebase(item, from, entry, raw);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if (key === '$ref' && typeof child === 'string') {
      const [filePart = '', fragment] = child.split('#');
      if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) continue; // remote: the same from anywhere
      const target = filePart === '' ? from : (raw.refFile(child, from) ?? from);
      const suffix = fragment === undefined ? '' : `#${fragment}`;
      if (target === entry) node.$ref = suffix || '#';
      else {
        const relative = path.relative(path.dirname(entry), target).split(path.sep).join('/');
        node.$ref = `${relative.startsWith('.') ? '' : './'}${relative}${suffix}`;
      }
    } else rebase(child, from, entry, raw);
  }
}

/** Every 2.x parameter (of a channel or in components) with its path. */
export function* parametersOf(
  doc: Json,
): Generator<{ at: (string | number)[]; name: string; parameter: Json }> {
  const components = isObject(doc.components) ? doc.components : {};
  for (const [base, channels] of [
    [['channels'], doc.channels],
    [['components', 'channels'], components.channels],
  ] as const) {
    if (!isObject(channels)) continue;
    for (const [key, channel] of Object.entries(channels)) {
      if (!isObject(channel) || !isObject(channel.parameters)) continue;
      for (const [name, parameter] of Object.entries(channel.parameters)) {
        if (isObject(parameter)) yield { at: [...base, key, 'parameters', name], name, parameter };
      }
    }
  }
  if (isObject(components.parameters)) {
    for (const [name, parameter] of Object.entries(components.parameters)) {
      if (isObject(parameter)) yield { at: ['components', 'parameters', name], name, parameter };
    }
  }
}

/**
 * The converter empties a parameter whose `schema` is a `$ref`; the schema
 * is copied in first (from this document or another file) so its enum and
 * default survive.
 */
export async function inlineParameterSchemas(doc: Json, file: string, raw: RawFiles): Promise<void> {
  for (const { parameter } of parametersOf(doc)) {
    const schema = parameter.schema;
    if (!isRef(schema)) continue;
    const ref = (schema as { $ref: string }).$ref;
    const resolved = ref.startsWith('#')
      ? structuredClone(walk(doc, parsePointer(ref)))
      : await resolveExternal(schema, file, raw);
    if (isObject(resolved) && !isRef(resolved)) parameter.schema = resolved;
  }
}
