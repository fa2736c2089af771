import type { Project } from 'ts-morph';
import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { publishInput } from './producers.ts';
import { type GeneratedFile, importFrom, renderTs, topicModuleImports } from './render.ts';
import { docComment } from './schema-to-type.ts';

/**
 * `outbox.ts`: per event topic, a typed mapper that writes events into the
 * transactional outbox inside the caller's own PostgreSQL transaction, so the
 * business change and its events commit together or not at all.
 */
export function emitOutbox(project: Project, catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const topics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const statements: string[] = [
    "import type { ClientBase } from 'pg';",
    ...topicModuleImports(
      ['OutboxReceipt', 'OutboxWriter', 'PublishOptions'],
      runtime,
      topics.map((t) => names.topic(t.address).definition),
      topics.map((t) => names.topic(t.address).union),
    ),
  ];
  const inputs = topics.map((topic) => publishInput(topic, catalog, names).type);
  const fromProducers = inputs.filter((type) => topics.every((t) => names.topic(t.address).union !== type));
  if (fromProducers.length > 0) statements.push(importFrom(fromProducers, './producers.ts', true));
  for (const [i, topic] of topics.entries()) {
    const t = names.topic(topic.address);
    const input = inputs[i]!;
    statements.push(
      [
        docComment(
          `Writes \`${topic.address}\` events (${topic.events.join(', ')}) into the outbox; the relay publishes them after the transaction commits.`,
        ),
        `export interface ${t.outbox} {`,
        docComment(
          'Validates the event and inserts it into `domain_event_outbox` through `db`, which must be inside the transaction that makes the business change.\n\n@throws EventValidationError listing each failing schema path; nothing is written.',
        ),
        `  write(db: ClientBase, event: ${input}, options?: PublishOptions): Promise<OutboxReceipt>;`,
        docComment('Writes several events in one statement; all are validated before any is written.'),
        `  writeAll(db: ClientBase, events: readonly ${input}[], options?: Omit<PublishOptions, 'id'>): Promise<OutboxReceipt[]>;`,
        '}',
        '',
        docComment(`The \`${topic.address}\` outbox mapper on top of the runtime's outbox writer.`),
        `export function ${t.outboxFactory}(outbox: OutboxWriter): ${t.outbox} {`,
        `  return outbox.topic(${t.definition});`,
        '}',
      ].join('\n'),
    );
  }
  return renderTs(project, 'outbox.ts', statements, 'Typed transactional-outbox mappers, one per topic.');
}
