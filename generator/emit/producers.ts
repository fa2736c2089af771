import type { Project } from 'ts-morph';
import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
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
  const statements: string[] = [
    ...topicModuleImports(
      ['EventProducer', 'PublishOptions', 'PublishReceipt'],
      runtime,
      topics.map((t) => names.topic(t.address).definition),
      topics.map((t) => names.topic(t.address).union),
    ),
  ];
  for (const topic of topics) {
    const t = names.topic(topic.address);
    statements.push(
      [
        docComment(
          `Publishes to \`${topic.address}\` (${topic.events.join(', ')}); published by ${topic.producers.join(', ') || 'no context'} in the contracts.`,
        ),
        `export interface ${t.publisher} {`,
        docComment(
          'Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.\n\n@throws EventValidationError listing each failing schema path when the payload breaks the contract.',
        ),
        `  publish(event: ${t.union}, options?: PublishOptions): Promise<PublishReceipt>;`,
        docComment('Publishes several events in one batch; all are validated before any is sent.'),
        `  publishAll(events: readonly ${t.union}[], options?: Omit<PublishOptions, 'id'>): Promise<PublishReceipt[]>;`,
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
