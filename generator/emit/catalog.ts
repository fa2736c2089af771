import type { Catalog } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import {
  access,
  arrayLiteral,
  asConst,
  call,
  constDeclaration,
  exportAll,
  id,
  importDeclaration,
  json,
  object,
  prop,
  type Statement,
  spread,
  str,
} from './ts-code.ts';

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
  const topics = catalog.topics.map((t) => {
    const definition = id(names.topic(t.address).definition);
    const spec = t.kind === 'event' && t.events.length > 0 ? access(definition, 'spec') : definition;
    const relations = {
      owner: t.owner,
      events: t.events,
      producers: t.producers,
      consumerGroups: t.consumerGroups,
    };
    return object([
      spread(spec),
      ...Object.entries(relations)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => prop(k, json(v))),
    ]);
  });
  const events = catalog.events.map((e) =>
    object([prop('definition', id(names.event(e.name).definition)), prop('owner', str(e.owner))], {
      singleLine: true,
    }),
  );
  const groups = catalog.consumerGroups.map((g) => names.group(g.groupId).definition);
  const topicImports = catalog.topics.map((t) => names.topic(t.address).definition);
  const statements: Statement[] = [
    importDeclaration(['describeConsumerGroups', 'describeEvents'], runtime),
    ...(topicImports.length ? [importDeclaration(topicImports, './topics.ts')] : []),
    ...(events.length
      ? [
          importDeclaration(
            catalog.events.map((e) => names.event(e.name).definition),
            './events.ts',
          ),
        ]
      : []),
    ...(groups.length ? [importDeclaration(groups, './consumers.ts')] : []),
    constDeclaration('contexts', asConst(json(contexts)), {
      exported: false,
      doc: 'The bounded contexts, one per document.',
    }),
    constDeclaration('topics', asConst(arrayLiteral(topics)), {
      exported: false,
      doc: "Every topic's specification with who owns, publishes and consumes it.",
    }),
    constDeclaration('events', call(id('describeEvents'), [arrayLiteral(events)]), {
      exported: false,
      doc: 'Every event with its owning context.',
    }),
    constDeclaration(
      'consumerGroups',
      call(id('describeConsumerGroups'), [arrayLiteral(groups.map(id), { maxInlineWidth: 80 })]),
      { exported: false, doc: 'Every consumer group with the topics and events it handles.' },
    ),
    constDeclaration(
      'catalog',
      object(
        ['contexts', 'topics', 'events', 'consumerGroups'].map((k) => prop(k, id(k))),
        { singleLine: true },
      ),
      { doc: 'The whole catalog: contexts, topics, events and consumer groups.' },
    ),
  ];
  return renderTs('catalog.ts', statements, 'Who produces and who consumes what, as data.');
}

/** `index.ts`: the SDK's one entry point. */
export function emitIndex(modules: readonly string[]): GeneratedFile {
  return renderTs(
    'index.ts',
    modules.map((m) => exportAll(`./${m}`)),
    'The SDK entry point.',
  );
}
