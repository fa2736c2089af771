import type { Project } from 'ts-morph';
import type { Catalog } from '../model/catalog.ts';
import { type GeneratedFile, literal, renderTs } from './render.ts';

/** `catalog.ts`: who produces and who consumes what, as data, for contract tests, docs and tooling. */
export function emitCatalog(project: Project, catalog: Catalog): GeneratedFile {
  const data = {
    contexts: catalog.contexts.map((c) => ({
      name: c.name,
      system: c.system,
      source: c.source,
      title: c.title,
      version: c.version,
    })),
    topics: catalog.topics.map((t) => ({
      name: t.address,
      kind: t.kind,
      partitions: t.partitions,
      replicas: t.replicas,
      owner: t.owner,
      events: t.events,
      producers: t.producers,
      consumerGroups: t.consumerGroups,
      deadLetterTopic: t.deadLetterTopic,
      deadLetterFor: t.deadLetterFor,
    })),
    events: catalog.events.map((e) => ({
      name: e.name,
      topic: e.topic,
      owner: e.owner,
      partitionKey: e.key.source === 'payload' ? e.key.expression.expression : null,
      schemaVersion: e.schemaVersion,
    })),
    consumerGroups: catalog.consumerGroups.map((g) => ({
      groupId: g.groupId,
      context: g.context,
      subscriptions: g.subscriptions.map((s) => ({
        topic: s.topic,
        events: s.events,
        maxAttempts: s.retry.maxAttempts,
      })),
    })),
  };
  return renderTs(
    project,
    'catalog.ts',
    [
      `/** The whole catalog: contexts, topics, events and consumer groups. */\nexport const catalog = ${literal(data)} as const;`,
    ],
    'Who produces and who consumes what, as data.',
  );
}

/** `index.ts`: the SDK's one entry point. */
export function emitIndex(project: Project, modules: readonly string[]): GeneratedFile {
  return renderTs(
    project,
    'index.ts',
    modules.map((m) => `export * from './${m}';`),
    'The SDK entry point.',
  );
}
