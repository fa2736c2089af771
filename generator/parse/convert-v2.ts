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
import type { AsyncAPIDocument, ConvertOptions } from '@asyncapi/converter';
import type { Diagnostic } from '../diagnostics.ts';
import { isObject, isRef, type Json, localTarget } from './json-nodes.ts';
import { locate } from './locate.ts';
import type { RawFiles } from './raw-files.ts';
import {
  lostParameterKeywords,
  namedExamples,
  shareRepeatedMessages,
  upgradeKafkaBindings,
} from './v2-dialects.ts';
import { inlineDocument, inlineParameterSchemas } from './v2-inline.ts';

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
