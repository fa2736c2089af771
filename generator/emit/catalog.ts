import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, importFrom, literal, q, renderTs } from './render.ts';

/**
 * `catalog.ts`: who produces and who consumes what, for contract tests, docs
 * and tooling. Only the relations live here (owners, producers, consumer
 * groups per topic); every other fact is read from the definitions that hold
 * it (topic specs, event definitions, consumer groups), never copied.
 */
export function emitCatalog(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const contexts = catalog.contexts.map((c) => ({
    name: c.name,
    system: c.system,
    source: c.source,
    title: c.title,
    version: c.version,
  }));
  const topicEntries = catalog.topics.map((t) => {
    const definition = names.topic(t.address).definition;
    const spec = t.kind === 'event' && t.events.length > 0 ? `${definition}.spec` : definition;
    const relations = literal(
      { owner: t.owner, events: t.events, producers: t.producers, consumerGroups: t.consumerGroups },
      '  ',
    );
    return `  {\n    ...${spec},${relations.slice(1)},`;
  });
  const events = catalog.events.map(
    (e) => `    { definition: ${names.event(e.name).definition}, owner: ${q(e.owner)} },`,
  );
  const groups = catalog.consumerGroups.map((g) => names.group(g.groupId).definition);
  const topicImports = catalog.topics.map((t) => names.topic(t.address).definition);
  const statements = [
    importFrom(['ConsumerGroupDefinition', 'EventDefinition'], runtime, true),
    ...(topicImports.length ? [importFrom(topicImports, './topics.ts')] : []),
    ...(events.length
      ? [
          importFrom(
            catalog.events.map((e) => names.event(e.name).definition),
            './events.ts',
          ),
        ]
      : []),
    ...(groups.length ? [importFrom(groups, './consumers.ts')] : []),
    `/** The bounded contexts, one per document. */\nconst contexts = ${literal(contexts)} as const;`,
    `/** Every topic's specification with who owns, publishes and consumes it. */\nconst topics = [\n${topicEntries.join('\n')}\n] as const;`,
    `/** Every event with its owning context. */\nconst events = (\n  [\n${events.join('\n')}\n  ] as { definition: EventDefinition; owner: string }[]\n).map(({ definition, owner }) => ({\n  name: definition.type,\n  topic: definition.topic,\n  owner,\n  partitionKey: definition.partitionKeyExpression ?? null,\n  schemaVersion: definition.schemaVersion,\n}));`,
    `/** Every consumer group with the topics and events it handles. */\nconst consumerGroups = ([${groups.join(', ')}] as ConsumerGroupDefinition[]).map((group) => ({\n  groupId: group.groupId,\n  context: group.context,\n  subscriptions: group.subscriptions.map((s) => ({\n    topic: s.topic.name,\n    events: s.events,\n    maxAttempts: s.retry.maxAttempts,\n  })),\n}));`,
    '/** The whole catalog: contexts, topics, events and consumer groups. */\nexport const catalog = { contexts, topics, events, consumerGroups };',
  ];
  return renderTs('catalog.ts', statements, 'Who produces and who consumes what, as data.');
}

/** `index.ts`: the SDK's one entry point. */
export function emitIndex(modules: readonly string[]): GeneratedFile {
  return renderTs(
    'index.ts',
    modules.map((m) => `export * from './${m}';`),
    'The SDK entry point.',
  );
}
