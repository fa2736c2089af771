import type { Catalog, EventModel, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { applicationHeaderFacts } from './header-codecs.ts';
import { type GeneratedFile, importFrom, q, renderTs } from './render.ts';
import { docComment } from './schema-to-type.ts';
import { keyDoc } from './types.ts';

/** `events.ts`: one definition per event (type, topic, source, key rule, validators) for the runtime to act on. */
export function emitEvents(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const typeImports = catalog.events.flatMap((e) => {
    const n = names.event(e.name);
    return e.headers === undefined ? [n.payload] : [n.payload, n.headers];
  });
  const validatorImports = catalog.events.flatMap((e) => {
    const n = names.event(e.name);
    return e.headers === undefined ? [n.validatePayload] : [n.validatePayload, n.validateHeaders];
  });
  const statements: string[] = [
    importFrom(['EventDefinition'], runtime, true),
    ...(typeImports.length ? [importFrom(typeImports, './types.ts', true)] : []),
    ...(validatorImports.length ? [importFrom(validatorImports, './validators.js')] : []),
  ];
  for (const event of catalog.events) {
    statements.push(
      definition(
        event,
        names,
        catalog.topics.find((t) => t.address === event.topic),
      ),
    );
  }
  return renderTs(
    'events.ts',
    statements,
    'One definition per event: where it goes, how it is keyed and validated.',
  );
}

function definition(event: EventModel, names: Names, topic: TopicModel | undefined): string {
  const n = names.event(event.name);
  const headers = event.headers === undefined ? 'unknown' : n.headers;
  const parameters = topic?.parameters ?? [];
  const fromPayload = parameters.length > 0 && parameters.every((p) => p.location?.source === 'payload');
  const topicFor = !fromPayload
    ? []
    : [
        `  topicFor: (payload) => \`${event.topic.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const path = parameters.find((p) => p.name === name)?.location?.path ?? [name];
          return `\${String(payload${accessor(path)})}`;
        })}\`,`,
      ];
  const key =
    event.key.source === 'payload'
      ? [
          `  partitionKey: (payload) => String(payload${accessor(event.key.expression.path)}),`,
          ...topicFor,
          `  partitionKeyExpression: ${q(event.key.expression.expression)},`,
        ]
      : [`  keyArgument: { required: ${event.key.required}, type: ${q(event.key.type)} },`, ...topicFor];
  return [
    docComment(`\`${event.name}\` on \`${event.topic}\`, keyed by ${keyDoc(event)}.`),
    `export const ${n.definition}: EventDefinition<${q(event.name)}, ${n.payload}, ${headers}> = {`,
    `  type: ${q(event.name)},`,
    `  topic: ${q(event.topic)},`,
    `  source: ${q(event.source)},`,
    `  schemaVersion: ${event.schemaVersion},`,
    `  contentType: ${q(event.contentType)},`,
    ...key,
    `  validatePayload: ${n.validatePayload},`,
    `  validateHeaders: ${event.headers === undefined ? 'undefined' : n.validateHeaders},`,
    ...headerCodecLines(event),
    '};',
  ].join('\n');
}

/** `headerFields` and `requiredHeaders` of a definition: how typed application headers travel as text. */
function headerCodecLines(event: EventModel): string[] {
  const facts = applicationHeaderFacts(event.headers);
  const fields = Object.entries(facts.fields).map(([name, codec]) => `${property(name)}: ${q(codec)}`);
  return [
    ...(fields.length > 0 ? [`  headerFields: { ${fields.join(', ')} },`] : []),
    ...(facts.required.length > 0 ? [`  requiredHeaders: [${facts.required.map(q).join(', ')}],`] : []),
  ];
}

const property = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : q(name));

/** `.a.b` or `['a-b']` access for a payload path. */
function accessor(path: readonly string[]): string {
  return path.map((s) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `.${s}` : `[${q(s)}]`)).join('');
}
