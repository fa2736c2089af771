import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, importFrom, literal, propertyKey, renderTs } from './render.ts';
import { docComment } from './schema-to-type.ts';

/**
 * `topics.ts`: every topic and dead-letter topic as the contracts define it
 * (partitions, replication, configuration) and, for event topics, the events
 * they carry, plus the list `applyTopics` takes.
 */
export function emitTopics(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const eventTopics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const maps = eventTopics.map((t) => names.topic(t.address).map);
  const definitions = catalog.events.map((e) => names.event(e.name).definition);
  const statements: string[] = [
    importFrom(['TopicDefinition', 'TopicSpec'], runtime, true),
    ...(definitions.length ? [importFrom(definitions, './events.ts')] : []),
    ...(maps.length ? [importFrom(maps, './types.ts', true)] : []),
  ];
  /** Each spec's topic name and the expression that gives it, sorted by name before printing. */
  const specs: [string, string][] = [];
  for (const topic of catalog.topics) {
    const t = names.topic(topic.address);
    const doc = docComment(topicDoc(topic));
    if (topic.kind === 'event' && topic.events.length > 0) {
      const events = topic.events
        .map((e) => `    ${propertyKey(e)}: ${names.event(e).definition},`)
        .join('\n');
      const passed = topic.parameters.some((p) => p.location === undefined)
        ? `  parameters: ${literal(
            topic.parameters.map((p) => ({ name: p.name, enum: p.enum, pattern: p.pattern })),
            '  ',
          )},\n`
        : '';
      statements.push(
        `${doc}\nexport const ${t.definition}: TopicDefinition<${t.map}> = {\n  name: ${literal(topic.address)},\n${passed}  spec: ${literal(spec(topic), '  ')},\n  events: {\n${events}\n  },\n};`,
      );
      if (topic.parameters.length === 0) specs.push([topic.address, `${t.definition}.spec`]);
      else
        specs.push(
          ...expand(topic).map((name): [string, string] => [
            name,
            `{ ...${t.definition}.spec, name: ${literal(name)} }`,
          ]),
        );
    } else {
      statements.push(`${doc}\nexport const ${t.definition}: TopicSpec = ${literal(spec(topic))};`);
      if (topic.parameters.length === 0) specs.push([topic.address, t.definition]);
      else
        specs.push(
          ...expand(topic).map((name): [string, string] => [
            name,
            `{ ...${t.definition}, name: ${literal(name)} }`,
          ]),
        );
    }
  }
  const specNames = specs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, code]) => code);
  statements.push(
    `/** Every topic and dead-letter topic the contracts define, sorted by name: what \`applyTopics\` creates. */\nexport const topicSpecs: readonly TopicSpec[] = ${
      specNames.join(', ').length <= 70
        ? `[${specNames.join(', ')}]`
        : `[\n${specNames.map((n) => `  ${n},`).join('\n')}\n]`
    };`,
  );
  const topicConsts = eventTopics.map((t) => names.topic(t.address).definition);
  statements.push(
    `/** Every topic that carries events, by name: for tools that work on all of them (replays, round trips). */\nexport const eventTopics: Readonly<Record<string, TopicDefinition>> = {\n${topicConsts.map((d, i) => `  ${literal(eventTopics[i]?.address ?? '')}: ${d},`).join('\n')}\n};`,
  );
  const templates = catalog.topics.filter((t) => t.parameters.length > 0 && expand(t).length === 0);
  if (templates.length > 0) {
    statements.push(
      `/** Parameterized topics: one Kafka topic per parameter value, created when the value is known. */\nexport const topicTemplates = ${literal(templates.map((t) => ({ address: t.address, parameters: t.parameters.map((p) => p.name), ...spec(t) })))} as const;`,
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
  return lines.join('\n').replaceAll('*/', '*\\/');
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
