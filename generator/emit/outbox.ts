import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { methodSignature, outgoingEventType } from './outgoing-event.ts';
import { publishInput } from './producers.ts';
import { type GeneratedFile, importFrom, renderTs, topicModuleImports } from './render.ts';
import { docComment } from './schema-to-type.ts';

/**
 * `outbox.ts`: per event topic, a typed mapper that writes events into the
 * transactional outbox inside the caller's own PostgreSQL transaction, so the
 * business change and its events commit together or not at all.
 */
export function emitOutbox(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const topics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const inputs = new Map(topics.map((t) => [t, publishInput(t, catalog, names).type]));
  const events = new Map(topics.map((t) => [t, outgoingEventType(t, catalog, names, inputs.get(t)!)]));
  // Publish inputs that carry keys or parameters are declared once, in producers.ts.
  const fromProducers = topics
    .map((t) => inputs.get(t)!)
    .filter((type, i) => type !== names.topic(topics[i]!.address).union);
  const statements: string[] = [
    "import type { ClientBase } from 'pg';",
    ...(fromProducers.length > 0 ? [importFrom(fromProducers, './producers.ts', true)] : []),
    ...topicModuleImports(
      [
        'OutboxReceipt',
        'OutboxWriter',
        'PublishOptions',
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
          `Writes \`${topic.address}\` events (${topic.events.join(', ')}) into the outbox; the relay publishes them after the transaction commits.`,
        ),
        `export interface ${t.outbox} {`,
        docComment(
          'Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.\n\n@throws EventValidationError listing each failing schema path; nothing is written.',
        ),
        methodSignature(
          outgoing,
          'write',
          ['db: ClientBase', `event: ${event}`, 'options?: PublishOptions'],
          'Promise<OutboxReceipt>',
        ),
        docComment('Writes several events in one statement; all are validated before any is written.'),
        methodSignature(
          outgoing,
          'writeAll',
          ['db: ClientBase', `events: readonly ${event}[]`, "options?: Omit<PublishOptions, 'id'>"],
          'Promise<OutboxReceipt[]>',
        ),
        '}',
        '',
        docComment(`The \`${topic.address}\` outbox mapper on top of the runtime's outbox writer.`),
        `export function ${t.outboxFactory}(outbox: OutboxWriter): ${t.outbox} {`,
        `  return outbox.topic(${t.definition});`,
        '}',
      ].join('\n'),
    );
  }
  return renderTs('outbox.ts', statements, 'Typed transactional-outbox mappers, one per topic.');
}
