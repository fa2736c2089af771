import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { methodSignature, outgoingEventType } from './outgoing-event.ts';
import { type GeneratedFile, propertyKey, q, renderTs, topicModuleImports } from './render.ts';
import { docComment } from './schema-to-type.ts';

/** `producers.ts`: a typed publisher per event topic; the runtime does the keying, headers, validation and sending. */
export function emitProducers(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const topics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const inputs = new Map(topics.map((t) => [t, publishInput(t, catalog, names)]));
  const events = new Map(topics.map((t) => [t, outgoingEventType(t, catalog, names, inputs.get(t)!.type)]));
  const statements: string[] = [
    ...topicModuleImports(
      [
        'EventProducer',
        'PublishOptions',
        'PublishReceipt',
        ...[...events.values()].flatMap((e) => e.runtimeTypes),
      ],
      runtime,
      topics.map((t) => names.topic(t.address).definition),
      [
        ...[...events.values()].flatMap((e) => e.typeImports),
        ...[...inputs.values()].flatMap((i) => i.payloadTypes),
      ],
    ),
  ];
  for (const topic of topics) {
    const t = names.topic(topic.address);
    const outgoing = events.get(topic)!;
    const event = outgoing.type;
    statements.push(...inputs.get(topic)!.statements);
    statements.push(
      [
        docComment(
          `Publishes to \`${topic.address}\` (${topic.events.join(', ')}); published by ${topic.producers.join(', ') || 'no context'} in the contracts.`,
        ),
        `export interface ${t.publisher} {`,
        docComment(
          outgoing.runtimeTypes.length === 0
            ? 'Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.\n\n@throws EventValidationError listing each failing schema path when the payload breaks the contract.'
            : 'Validates the payload and the typed application `headers`, derives the key and the envelope headers from the contract, encodes the application headers as text, and publishes one event.\n\n@throws EventValidationError listing each failing schema path when the payload or a header breaks the contract.',
        ),
        methodSignature(
          outgoing,
          'publish',
          [`event: ${event}`, 'options?: PublishOptions'],
          'Promise<PublishReceipt>',
        ),
        docComment('Publishes several events in one batch; all are validated before any is sent.'),
        methodSignature(
          outgoing,
          'publishAll',
          [`events: readonly ${event}[]`, "options?: Omit<PublishOptions, 'id'>"],
          'Promise<PublishReceipt[]>',
        ),
        '}',
        '',
        docComment(`The \`${topic.address}\` publisher on top of a producer.`),
        `export function ${t.publisherFactory}(producer: EventProducer): ${t.publisher} {`,
        `  return producer.topic(${t.definition});`,
        '}',
      ].join('\n'),
    );
  }
  return renderTs('producers.ts', statements, 'Typed publishers, one per topic.');
}

/**
 * What a topic's `publish` takes: the topic's event union when every key and address comes from
 * the payload; otherwise a union that also carries, per event, the `key` the publisher passes
 * and the topic's `parameters`.
 */
export function publishInput(
  topic: TopicModel,
  catalog: Catalog,
  names: Names,
): { type: string; statements: string[]; payloadTypes: string[] } {
  const t = names.topic(topic.address);
  const passed = topic.parameters.filter((p) => p.location === undefined);
  const events = topic.events.map((name) => catalog.events.find((e) => e.name === name)!);
  if (passed.length === 0 && events.every((e) => e.key.source === 'payload'))
    return { type: t.union, statements: [], payloadTypes: [] };
  const statements: string[] = [];
  if (passed.length > 0) {
    const members = passed.map((p) => {
      const doc = p.description ? `${docComment(p.description)}\n  ` : '';
      const type = p.enum ? p.enum.map((v) => q(v)).join(' | ') : 'string';
      return `  ${doc}readonly ${propertyKey(p.name)}: ${type};`;
    });
    statements.push(
      `${docComment(`The parameters of \`${topic.address}\` a publisher passes: they make the topic name.`)}\nexport type ${t.parameters} = {\n${members.join('\n')}\n};`,
    );
  }
  const union = events.map((e) => {
    const parts = [`readonly type: ${q(e.name)}`, `readonly payload: ${names.event(e.name).payload}`];
    if (e.key.source === 'argument') {
      const type = e.key.type === 'string' ? 'string' : 'number';
      parts.push(e.key.required ? `readonly key: ${type}` : 'readonly key?: string | null');
    }
    if (passed.length > 0) parts.push(`readonly parameters: ${t.parameters}`);
    return `  | { ${parts.join('; ')} }`;
  });
  statements.push(
    `${docComment(`An event as \`publish\` takes it on \`${topic.address}\`: ${listed(['its type', 'payload', ...(events.some((e) => e.key.source === 'argument') ? ['key'] : []), ...(passed.length > 0 ? ['the address parameters'] : [])])}.`)}\nexport type ${t.publishInput} =\n${union.join('\n')};`,
  );
  return { type: t.publishInput, statements, payloadTypes: events.map((e) => names.event(e.name).payload) };
}

/** `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
