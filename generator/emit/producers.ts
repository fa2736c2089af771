import type { Project } from 'ts-morph';
import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { methodSignature, outgoingEventType } from './outgoing-event.ts';
import { type GeneratedFile, renderTs, topicModuleImports } from './render.ts';
import { docComment } from './schema-to-type.ts';

/** `producers.ts`: a typed publisher per event topic; the runtime does the keying, headers, validation and sending. */
export function emitProducers(
  project: Project,
  catalog: Catalog,
  names: Names,
  runtime: string,
): GeneratedFile {
  const topics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const events = new Map(topics.map((t) => [t, outgoingEventType(t, catalog, names)]));
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
      [...events.values()].flatMap((e) => e.typeImports),
    ),
  ];
  for (const topic of topics) {
    const t = names.topic(topic.address);
    const outgoing = events.get(topic)!;
    const event = outgoing.type;
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
  return renderTs(project, 'producers.ts', statements, 'Typed publishers, one per topic.');
}
