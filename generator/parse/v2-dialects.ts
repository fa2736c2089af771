/**
 * After conversion: what 2.x documents in the wild write that the 3.x parser
 * would refuse or misread, normalized, and what the conversion loses, said.
 */
import { pointer } from '../diagnostics.ts';
import { isObject, isRef, type Json } from './json-nodes.ts';
import { parametersOf } from './v2-inline.ts';

/**
 * Kafka bindings 0.1.0 and 0.2.0, common in 2.x documents, are not among the
 * versions the 3.x parser validates against (0.3.0 and later); 0.3.0 only added
 * optional fields, so they are relabelled rather than refused. A binding
 * version `latest` (2.x's spelling of the default) is dropped.
 */
export function upgradeKafkaBindings(node: unknown): void {
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
export function namedExamples(doc: Json): void {
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
export function shareRepeatedMessages(doc: Json): void {
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

/** Parameter schema keywords AsyncAPI 3 has no place for (`type` aside: 3.x parameters are strings). */
export function lostParameterKeywords(
  doc: Json,
): { at: (string | number)[]; name: string; lost: string[] }[] {
  const kept = new Set(['enum', 'const', 'default', 'examples', 'description', 'type', '$ref']);
  const out: { at: (string | number)[]; name: string; lost: string[] }[] = [];
  for (const { at, name, parameter } of parametersOf(doc)) {
    if (!isObject(parameter.schema)) continue;
    const lost = Object.keys(parameter.schema).filter((k) => !kept.has(k) && !k.startsWith('x-'));
    if (lost.length > 0) out.push({ at: [...at, 'schema', lost[0]!], name, lost });
  }
  return out;
}
