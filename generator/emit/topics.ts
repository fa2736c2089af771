import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import { keyword, readonlyArray, ref } from './ts.ts';
import {
  access,
  arrayLiteral,
  asConst,
  constDeclaration,
  type Expression,
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
 * `topics.ts`: every topic and dead-letter topic as the contracts define it
 * (partitions, replication, configuration) and, for event topics, the events
 * they carry, plus the list `applyTopics` takes.
 */
export function emitTopics(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const eventTopics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const maps = eventTopics.map((t) => names.topic(t.address).map);
  const definitions = catalog.events.map((e) => names.event(e.name).definition);
  const statements: Statement[] = [
    importDeclaration(['TopicDefinition', 'TopicSpec'], runtime, { typeOnly: true }),
    ...(definitions.length ? [importDeclaration(definitions, './events.ts')] : []),
    ...(maps.length ? [importDeclaration(maps, './types.ts', { typeOnly: true })] : []),
  ];
  /** Each spec's topic name and the expression that gives it, sorted by name before printing. */
  const specs: [string, Expression][] = [];
  for (const topic of catalog.topics) {
    const t = names.topic(topic.address);
    const carriesEvents = topic.kind === 'event' && topic.events.length > 0;
    if (carriesEvents) {
      const passed = topic.parameters.some((p) => p.location === undefined)
        ? [
            prop(
              'parameters',
              json(topic.parameters.map((p) => ({ name: p.name, enum: p.enum, pattern: p.pattern }))),
            ),
          ]
        : [];
      const events = object(topic.events.map((e) => prop(e, id(names.event(e).definition))));
      statements.push(
        constDeclaration(
          t.definition,
          object([
            prop('name', str(topic.address)),
            ...passed,
            prop('spec', json(spec(topic))),
            prop('events', events),
          ]),
          { type: ref('TopicDefinition', [ref(t.map)]), doc: topicDoc(topic) },
        ),
      );
    } else {
      statements.push(
        constDeclaration(t.definition, json(spec(topic)), { type: ref('TopicSpec'), doc: topicDoc(topic) }),
      );
    }
    const base = carriesEvents ? access(id(t.definition), 'spec') : id(t.definition);
    if (topic.parameters.length === 0) specs.push([topic.address, base]);
    else
      specs.push(
        ...expand(topic).map((name): [string, Expression] => [
          name,
          object([spread(base), prop('name', str(name))], { singleLine: true }),
        ]),
      );
  }
  const sortedSpecs = specs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, code]) => code);
  statements.push(
    constDeclaration('topicSpecs', arrayLiteral(sortedSpecs, { maxInlineWidth: 72 }), {
      type: readonlyArray(ref('TopicSpec')),
      doc: 'Every topic and dead-letter topic the contracts define, sorted by name: what `applyTopics` creates.',
    }),
    constDeclaration(
      'eventTopics',
      object(
        eventTopics.map((t) => prop(t.address, id(names.topic(t.address).definition), { quoted: true })),
      ),
      {
        type: ref('Readonly', [ref('Record', [keyword('string'), ref('TopicDefinition')])]),
        doc: 'Every topic that carries events, by name: for tools that work on all of them (replays, round trips).',
      },
    ),
  );
  const templates = catalog.topics.filter((t) => t.parameters.length > 0 && expand(t).length === 0);
  if (templates.length > 0) {
    statements.push(
      constDeclaration(
        'topicTemplates',
        asConst(
          json(
            templates.map((t) => ({
              address: t.address,
              parameters: t.parameters.map((p) => p.name),
              ...spec(t),
            })),
          ),
        ),
        {
          doc: 'Parameterized topics: one Kafka topic per parameter value, created when the value is known.',
        },
      ),
    );
  }
  return renderTs(
    'topics.ts',
    statements,
    'Topics and dead-letter topics with partitions, replication and configuration.',
  );
}

function spec(topic: TopicModel): Record<string, unknown> {
  return {
    name: topic.address,
    kind: topic.kind,
    partitions: topic.partitions,
    replicas: topic.replicas,
    config: topic.config,
    deadLetterTopic: topic.deadLetterTopic,
    deadLetterFor: topic.deadLetterFor,
    description: topic.title ?? topic.description?.split('\n')[0],
  };
}

function topicDoc(topic: TopicModel): string {
  const lines = [`\`${topic.address}\`${topic.title ? `: ${topic.title}` : ''}`];
  if (topic.description) lines.push('', topic.description.trim());
  if (topic.kind === 'dead-letter') {
    if (!topic.description?.startsWith('Dead-letter topic of'))
      lines.push('', `Dead-letter topic of \`${topic.deadLetterFor}\`.`);
  } else {
    lines.push(
      '',
      `Producers: ${topic.producers.join(', ') || 'none'}. Consumer groups: ${topic.consumerGroups.join(', ') || 'none'}.`,
    );
    if (topic.deadLetterTopic) lines.push(`Dead letters go to \`${topic.deadLetterTopic}\`.`);
  }
  return lines.join('\n');
}

/** Concrete topic names of a parameterized topic whose every parameter is an enum; none otherwise. */
function expand(topic: TopicModel): string[] {
  if (topic.parameters.some((p) => !p.enum || p.enum.length === 0)) return [];
  let names = [topic.address];
  for (const p of topic.parameters) {
    names = names.flatMap((n) => (p.enum ?? []).map((v) => n.replaceAll(`{${p.name}}`, v)));
  }
  return names.sort();
}
