/**
 * Turning any string from a contract into a TypeScript identifier, and the
 * identifiers the SDK already uses for itself.
 */

/** JavaScript and TypeScript keywords and type keywords: never an identifier of ours as they are. */
export const KEYWORDS = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await any unknown never object string number boolean symbol bigint undefined type of as is keyof infer readonly asserts satisfies declare module namespace global require abstract accessor async constructor get set override out'.split(
    ' ',
  ),
);

/**
 * Names the generated SDK defines or imports in every module, and the globals
 * generated code calls: an event, topic, group or schema named like one of
 * these would shadow it or clash in `index.ts`'s `export *`.
 */
export const FIXED_NAMES: readonly string[] = [
  // types.ts, examples.ts, topics.ts, catalog.ts
  'EventType',
  'EventPayloadMap',
  'EventExample',
  'eventExamples',
  'catalog',
  'topicSpecs',
  'eventTopics',
  'topicTemplates',
  // type parameters of shared header types (a type of that name would be shadowed inside them)
  'TType',
  'TVersion',
  // runtime types the generated modules import
  'EventDefinition',
  'TopicDefinition',
  'TopicSpec',
  'EventProducer',
  'PublishOptions',
  'PublishReceipt',
  'OutboxReceipt',
  'OutboxWriter',
  'ConsumerGroupDefinition',
  'ConsumerOptions',
  'EventConsumerFactory',
  'EventHandler',
  'VersionedEventHandler',
  'ReceivedEvent',
  'RunningConsumer',
  'ValidateFunction',
  'ClientBase',
  'createRequire',
  // globals generated code uses by name
  'String',
  'Number',
  'Boolean',
  'Object',
  'Array',
  'Promise',
  'Record',
  'Omit',
  'Readonly',
  'Partial',
  'Error',
  'Date',
  'JSON',
  'Map',
  'Set',
  'Symbol',
  'BigInt',
  'Function',
  'NaN',
  'Infinity',
];

/**
 * PascalCase words of any string: split at everything that is not a letter
 * or a digit (`.`, `-`, `_`, spaces, `$`), each word's first letter upper-cased.
 * `com.example.OrderCreated` → `ComExampleOrderCreated`, `order-created` and
 * `Order Created` → `OrderCreated`. Letters of any script are kept.
 */
export function pascal(text: string): string {
  return text
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** A PascalCase identifier for any string: a leading digit gets `_`, an empty result is `fallback`. */
export function typeIdentifier(text: string, fallback: string): string {
  const name = pascal(text);
  if (name === '') return fallback;
  const safe = /^\p{N}/u.test(name) ? `_${name}` : name;
  return KEYWORDS.has(safe) ? `${safe}_` : safe;
}

/** camelCase of a PascalCase identifier, keywords escaped with a trailing `_`. */
export function camel(pascalName: string): string {
  const name = pascalName[0]!.toLowerCase() + pascalName.slice(1);
  return KEYWORDS.has(name) ? `${name}_` : name;
}

/** The last dotted segment of a reverse-DNS or Java class name (`com.example.OrderCreated` → `OrderCreated`), if it has segments. */
export function lastSegment(text: string): string | undefined {
  if (!text.includes('.')) return undefined;
  const last = text.split('.').filter(Boolean).pop();
  return last && /\p{L}/u.test(last) ? last : undefined;
}
