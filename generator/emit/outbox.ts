import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type OutgoingEventType, outgoingEventType, outgoingMethod } from './outgoing-event.ts';
import { publishInput } from './producers.ts';
import { type GeneratedFile, renderTs, topicModuleImports } from './render.ts';
import { array, interfaceDeclaration, parameter, readonlyArray, ref, stringType } from './ts.ts';
import { access, call, functionDeclaration, id, importDeclaration, type Statement } from './ts-code.ts';

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
  const statements: Statement[] = [
    importDeclaration(['ClientBase'], 'pg', { typeOnly: true }),
    ...(fromProducers.length > 0
      ? [importDeclaration(fromProducers, './producers.ts', { typeOnly: true })]
      : []),
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
  for (const topic of topics) statements.push(...mapper(topic, events.get(topic)!, names));
  return renderTs('outbox.ts', statements, 'Typed transactional-outbox mappers, one per topic.');
}

function mapper(topic: TopicModel, outgoing: OutgoingEventType, names: Names): Statement[] {
  const t = names.topic(topic.address);
  const event = outgoing.type;
  const db = parameter('db', ref('ClientBase'));
  return [
    interfaceDeclaration(
      t.outbox,
      [
        outgoingMethod(
          outgoing,
          'write',
          [db, parameter('event', event), parameter('options', ref('PublishOptions'), { optional: true })],
          ref('Promise', [ref('OutboxReceipt')]),
          'Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.\n\n@throws EventValidationError listing each failing schema path; nothing is written.',
        ),
        outgoingMethod(
          outgoing,
          'writeAll',
          [
            db,
            parameter('events', readonlyArray(event)),
            parameter('options', ref('Omit', [ref('PublishOptions'), stringType('id')]), { optional: true }),
          ],
          ref('Promise', [array(ref('OutboxReceipt'))]),
          'Writes several events in one statement; all are validated before any is written.',
        ),
      ],
      {
        doc: `Writes \`${topic.address}\` events (${topic.events.join(', ')}) into the outbox; the relay publishes them after the transaction commits.`,
      },
    ),
    functionDeclaration(
      t.outboxFactory,
      [parameter('outbox', ref('OutboxWriter'))],
      ref(t.outbox),
      call(access(id('outbox'), 'topic'), [id(t.definition)]),
      { doc: `The \`${topic.address}\` outbox mapper on top of the runtime's outbox writer.` },
    ),
  ];
}
