/**
 * AsyncAPI 2.0–2.6 documents are converted to 3.0 with `@asyncapi/converter`
 * before the parser sees them, keeping a map from every place in the
 * converted document back to the place it was written, so diagnostics name
 * the 2.x file and pointer the author edits.
 *
 * 2.x perspective: `subscribe` is what the application sends, `publish` what
 * it receives. The converter's `application` point of view turns them into
 * `send` and `receive` operations.
 *
 * Multi-file documents: the converter sees one object and leaves every
 * `$ref` as written, so a 2.x channel, parameter or message written in
 * another file would reach the 3.x parser unconverted. Those (and only
 * those) are copied into the document first, their own `$ref`s rebased to
 * stay correct; schemas and every other fragment stay where they are.
 */
import path from 'node:path';
import type { AsyncAPIDocument, ConvertOptions } from '@asyncapi/converter';
import type { Diagnostic } from '../diagnostics.ts';
import { parsePointer, pointer } from '../diagnostics.ts';
import { locate } from './locate.ts';
import type { RawFiles } from './raw-files.ts';

type Json = Record<string, unknown>;
type Segments = readonly (string | number)[];

/** The versions `@asyncapi/converter` upgrades to 3.0. */
export const CONVERTIBLE = /^2\.[0-6]\.0$/;

export interface ConvertedDocument {
  /** The AsyncAPI version the document was written in, e.g. `2.6.0`. */
  readonly version: string;
  /** The document as AsyncAPI 3.0.0, what the parser is given. */
  readonly value: Json;
  /**
   * A path in the converted document → the same node's path in the document
   * as written (the nearest ancestor the conversion kept when the node is new),
   * e.g. `operations/publishItems` → `channels/items.events/subscribe`.
   */
  original(segments: Segments): (string | number)[];
}

type IdData = Parameters<NonNullable<NonNullable<ConvertOptions['v2tov3']>['idGenerator']>>[0];

/** Converts the 2.x document at `file` (already read into `raw`); problems are diagnostics, never thrown. */
export async function convertV2(
  file: string,
  raw: RawFiles,
  display: (absPath: string) => string,
): Promise<{ converted?: ConvertedDocument; diagnostics: Diagnostic[] }> {
  const source = (await raw.get(file)).value as Json;
  const version = String(source.asyncapi);
  const input = structuredClone(source);
  await inlineDocument(input, file, raw);
  await inlineParameterSchemas(input, file, raw);
  const rules = new PathRules();
  const idGenerator = recordingIdGenerator(rules);
  const { convert } = await import('@asyncapi/converter');
  const warn = console.warn;
  let value: Json;
  try {
    // The converter reports lossy parameter conversions on the console, for every
    // `type: string` too; `lostParameterKeywords` says what is really lost, and where.
    console.warn = () => {};
    value = convert(input as AsyncAPIDocument, '3.0.0', { v2tov3: { idGenerator } }) as Json;
  } catch (error) {
    return {
      diagnostics: [
        {
          code: 'asyncapi-invalid',
          severity: 'error',
          file: display(file),
          pointer: '#/asyncapi',
          message: `AsyncAPI ${version} document cannot be converted to 3.0: ${(error as Error).message}`,
        },
      ],
    };
  } finally {
    console.warn = warn;
  }
  staticRules(input, rules);
  upgradeKafkaBindings(value);
  namedExamples(value);
  shareRepeatedMessages(value);
  const diagnostics: Diagnostic[] = [];
  for (const { at, name, lost } of lostParameterKeywords(input)) {
    const where = await locate(raw, file, at);
    diagnostics.push({
      code: 'unsupported',
      severity: 'warning',
      file: display(where.file),
      pointer: where.pointer,
      message: `parameter "${name}": AsyncAPI 3 parameters keep only enum, default, examples and description, so converting from ${version} drops ${lost.join(', ')}`,
    });
  }
  return {
    converted: { version, value, original: (segments) => rules.original(segments) },
    diagnostics,
  };
}

/** Every 2.x parameter (of a channel or in components) with its path. */
function* parametersOf(doc: Json): Generator<{ at: (string | number)[]; name: string; parameter: Json }> {
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
async function inlineParameterSchemas(doc: Json, file: string, raw: RawFiles): Promise<void> {
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

/** Parameter schema keywords AsyncAPI 3 has no place for (`type` aside: 3.x parameters are strings). */
function lostParameterKeywords(doc: Json): { at: (string | number)[]; name: string; lost: string[] }[] {
  const kept = new Set(['enum', 'const', 'default', 'examples', 'description', 'type', '$ref']);
  const out: { at: (string | number)[]; name: string; lost: string[] }[] = [];
  for (const { at, name, parameter } of parametersOf(doc)) {
    if (!isObject(parameter.schema)) continue;
    const lost = Object.keys(parameter.schema).filter((k) => !kept.has(k) && !k.startsWith('x-'));
    if (lost.length > 0) out.push({ at: [...at, 'schema', lost[0]!], name, lost });
  }
  return out;
}

/**
 * Kafka bindings 0.1.0 and 0.2.0, common in 2.x documents, are not among the
 * versions the 3.x parser validates against (0.3.0 and later); 0.3.0 only added
 * optional fields, so they are relabelled rather than refused. A binding
 * version `latest` (2.x's spelling of the default) is dropped.
 */
function upgradeKafkaBindings(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) upgradeKafkaBindings(item);
    return;
  }
  if (!isObject(node)) return;
  if (isObject(node.bindings)) {
    for (const [protocol, binding] of Object.entries(node.bindings)) {
      if (!isObject(binding)) continue;
      // 2.x bindings said `latest` for "the newest version", which is what omitting it means in 3.x.
      if (binding.bindingVersion === 'latest') delete binding.bindingVersion;
      if (
        protocol === 'kafka' &&
        (binding.bindingVersion === '0.1.0' || binding.bindingVersion === '0.2.0')
      ) {
        binding.bindingVersion = '0.3.0';
      }
    }
  }
  for (const child of Object.values(node)) upgradeKafkaBindings(child);
}

/**
 * Examples keyed by name, as Microcks writes them in 2.0 documents
 * (`examples: [{ laurent: { summary, headers, payload } }]`, and on message
 * traits `examples: { laurent: { <header>: <value> } }`), become 3.x examples
 * (`[{ name: laurent, summary, headers, payload }]`); each keeps its index.
 * Headers or payload written as JSON text (an object or array) are parsed.
 */
function namedExamples(doc: Json): void {
  const components = isObject(doc.components) ? doc.components : {};
  const messages: unknown[] = [];
  for (const channel of Object.values(isObject(doc.channels) ? doc.channels : {})) {
    if (isObject(channel) && isObject(channel.messages)) messages.push(...Object.values(channel.messages));
  }
  if (isObject(components.messages)) messages.push(...Object.values(components.messages));
  for (const message of messages) {
    if (!isObject(message) || !Array.isArray(message.examples)) continue;
    message.examples = message.examples.map((example) => {
      if (!isObject(example)) return example;
      const keys = Object.keys(example);
      const only = keys.length === 1 ? example[keys[0]!] : undefined;
      if (!isObject(only) || !('payload' in only || 'headers' in only)) return example;
      // Microcks also writes headers and payload as JSON text.
      const parsed: Json = { name: keys[0], ...only };
      for (const part of ['headers', 'payload'] as const) parsed[part] = jsonText(parsed[part]);
      return parsed;
    });
  }
  for (const trait of Object.values(isObject(components.messageTraits) ? components.messageTraits : {})) {
    if (isObject(trait) && isObject(trait.examples)) {
      trait.examples = Object.entries(trait.examples).map(([name, headers]) => ({ name, headers }));
    }
  }
}

/**
 * A 2.x operation can only share a message through components, so tools
 * (Springwolf among them) repeat the same message inline in every operation
 * that carries it. In 3.x that is one message referenced from each channel:
 * every repeat of an identical named message becomes a `$ref` to its first
 * occurrence, so it is one event written in one place.
 */
function shareRepeatedMessages(doc: Json): void {
  const first = new Map<string, string>();
  for (const [channelId, channel] of Object.entries(isObject(doc.channels) ? doc.channels : {})) {
    if (!isObject(channel) || !isObject(channel.messages)) continue;
    for (const [messageId, message] of Object.entries(channel.messages)) {
      if (!isObject(message) || isRef(message) || typeof message.name !== 'string') continue;
      const key = JSON.stringify(message);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, pointer(['channels', channelId, 'messages', messageId]));
      else channel.messages[messageId] = { $ref: seen };
    }
  }
}

function jsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Prefix rewrites from converted paths to written ones; the longest matching prefix wins. */
class PathRules {
  readonly #rules = new Map<string, { from: string[]; to: (string | number)[] }>();

  add(from: Segments, to: Segments): void {
    const key = from.map(String);
    this.#rules.set(key.join('\0'), { from: key, to: [...to] });
  }

  original(segments: Segments): (string | number)[] {
    const asText = segments.map(String);
    for (let length = asText.length; length > 0; length--) {
      const rule = this.#rules.get(asText.slice(0, length).join('\0'));
      if (rule) return [...rule.to, ...segments.slice(length)];
    }
    return [...segments];
  }
}

/**
 * The converter's own id scheme (channel: `x-channelId` or its address;
 * operation: `operationId` or `<channel>.<publish|subscribe>`; message:
 * `messageId` or `<operation kind>.message[.<i>]`), recording for each object
 * where it was and where it goes.
 */
function recordingIdGenerator(rules: PathRules): (data: IdData) => string {
  const operations = new Map<string, { path: (string | number)[]; channel: string[]; messages: number }>();
  return (data) => {
    const { kind, key, path: at, object, parentId } = data;
    const inComponents = at[0] === 'components';
    const base = inComponents ? ['components'] : [];
    if (kind === 'channel') {
      const id = isRef(object) ? String(key) : String((object as Json)['x-channelId'] ?? key);
      const to = [...base, 'channels', id];
      rules.add(to, at);
      rules.add([...to, 'address'], at);
      if (!isRef(object)) parameterRules(object as Json, to, at, rules);
      return id;
    }
    if (kind === 'operation') {
      const id = String((object as Json).operationId ?? (parentId ? `${parentId}.${String(key)}` : kind));
      const written = [...at, String(key)];
      const to = [...base, 'operations', id];
      rules.add(to, written);
      rules.add([...to, 'action'], written);
      rules.add([...to, 'channel'], at);
      rules.add([...to, 'messages'], [...written, 'message']);
      operations.set(id, { path: to, channel: [...base, 'channels', String(parentId)], messages: 0 });
      return id;
    }
    // kind === 'message'
    let id: string | undefined;
    if (isRef(object)) {
      const target = localTarget(data.asyncapi, (object as { $ref: string }).$ref);
      if (target && typeof target.messageId === 'string') id = target.messageId;
    }
    id ??= typeof (object as Json).messageId === 'string' ? String((object as Json).messageId) : undefined;
    if (id === undefined) {
      const parts = String(parentId).split('.');
      const operationKind = parts.length === 1 ? String(parentId) : parts[parts.length - 1];
      id = typeof key === 'number' ? `${operationKind}.message.${key}` : `${operationKind}.message`;
    }
    const operation = operations.get(String(parentId));
    if (operation) {
      const to = [...operation.channel, 'messages', id];
      rules.add(to, at);
      if (!isRef(object) && (object as Json).schemaFormat !== undefined) payloadRules(to, at, rules);
      rules.add([...operation.path, 'messages', operation.messages++], at);
    }
    return id;
  };
}

/** A message's `payload` + `schemaFormat` become `payload: { schemaFormat, schema }`. */
function payloadRules(to: Segments, from: Segments, rules: PathRules): void {
  rules.add([...to, 'payload'], [...from, 'payload']);
  rules.add([...to, 'payload', 'schema'], [...from, 'payload']);
  rules.add([...to, 'payload', 'schemaFormat'], [...from, 'schemaFormat']);
}

/** 2.x parameters carry a `schema`; 3.x ones have `enum`, `default`, `examples` of their own. */
function parameterRules(channel: Json, to: Segments, from: Segments, rules: PathRules): void {
  const parameters = channel.parameters;
  if (!isObject(parameters)) return;
  for (const [name, parameter] of Object.entries(parameters)) {
    if (!isObject(parameter) || isRef(parameter) || !isObject(parameter.schema)) continue;
    const schema = parameter.schema;
    for (const keyword of ['enum', 'default', 'examples']) {
      if (keyword in schema)
        rules.add([...to, 'parameters', name, keyword], [...from, 'parameters', name, 'schema', keyword]);
    }
    if ('const' in schema)
      rules.add([...to, 'parameters', name, 'enum'], [...from, 'parameters', name, 'schema', 'const']);
    if (parameter.description === undefined && 'description' in schema)
      rules.add(
        [...to, 'parameters', name, 'description'],
        [...from, 'parameters', name, 'schema', 'description'],
      );
  }
}

/** Moves the converter makes outside channels: component messages, servers, root tags and docs. */
function staticRules(written: Json, rules: PathRules): void {
  const components = isObject(written.components) ? written.components : {};
  if (isObject(components.messages)) {
    for (const [name, message] of Object.entries(components.messages)) {
      if (isObject(message) && !isRef(message) && message.schemaFormat !== undefined) {
        payloadRules(['components', 'messages', name], ['components', 'messages', name], rules);
      }
    }
  }
  for (const at of [['servers'], ['components', 'servers']]) {
    const servers = at.length === 1 ? written.servers : components.servers;
    if (!isObject(servers)) continue;
    for (const name of Object.keys(servers)) {
      for (const part of ['host', 'pathname']) rules.add([...at, name, part], [...at, name, 'url']);
    }
  }
  if (written.tags !== undefined) rules.add(['info', 'tags'], ['tags']);
  if (written.externalDocs !== undefined) rules.add(['info', 'externalDocs'], ['externalDocs']);
}

/**
 * Copies into the document every 2.x-shaped object (server, channel,
 * parameter, operation, message) it references in another file, so the
 * converter converts it too. `$ref`s inside a copy are rebased to the
 * document's folder; a reference back into the document becomes local.
 */
async function inlineDocument(doc: Json, file: string, raw: RawFiles): Promise<void> {
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

function localTarget(root: unknown, ref: string): Json | undefined {
  if (!ref.startsWith('#')) return undefined;
  const found = walk(root, parsePointer(ref));
  return isObject(found) ? found : undefined;
}

function walk(node: unknown, segments: readonly string[]): unknown {
  let current = node;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRef(value: unknown): boolean {
  return isObject(value) && typeof value.$ref === 'string';
}
