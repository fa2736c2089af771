import type { Catalog, EventModel, EventVersion, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { applicationHeaderFacts } from './header-codecs.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import { keyword, ref, stringType } from './ts.ts';
import {
  access,
  arrayLiteral,
  arrow,
  bool,
  call,
  constDeclaration,
  type Expression,
  id,
  importDeclaration,
  num,
  type ObjectMember,
  object,
  prop,
  type Statement,
  str,
  template,
} from './ts-code.ts';
import { keyDoc } from './types.ts';

/** `events.ts`: one definition per event (type, topic, source, key rule, validators) for the runtime to act on. */
export function emitEvents(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const typeImports = catalog.events.flatMap((e) => {
    const n = names.event(e.name);
    return e.headers === undefined ? [n.payload] : [n.payload, n.headers];
  });
  const validatorImports = catalog.events.flatMap((e) => {
    const n = names.event(e.name);
    return [e, ...(e.versions ?? [])].flatMap((v) => {
      const vn = v === e ? n : n.versions.get(v.schemaVersion)!;
      return v.headers === undefined ? [vn.validatePayload] : [vn.validatePayload, vn.validateHeaders];
    });
  });
  const statements: Statement[] = [
    importDeclaration(['EventDefinition'], runtime, { typeOnly: true }),
    ...(typeImports.length ? [importDeclaration(typeImports, './types.ts', { typeOnly: true })] : []),
    ...(validatorImports.length ? [importDeclaration(validatorImports, './validators.js')] : []),
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

function definition(event: EventModel, names: Names, topic: TopicModel | undefined): Statement {
  const n = names.event(event.name);
  const type = ref('EventDefinition', [
    stringType(event.name),
    ref(n.payload),
    event.headers === undefined ? keyword('unknown') : ref(n.headers),
  ]);
  return constDeclaration(
    n.definition,
    object([
      prop('type', str(event.name)),
      prop('topic', str(event.topic)),
      prop('source', str(event.source)),
      prop('schemaVersion', num(event.schemaVersion)),
      prop('contentType', str(event.contentType)),
      ...keyMembers(event, topic),
      prop('validatePayload', id(n.validatePayload)),
      prop('validateHeaders', id(event.headers === undefined ? 'undefined' : n.validateHeaders)),
      ...headerCodecMembers(event),
      ...versionsMember(event, names),
    ]),
    {
      type,
      doc: `\`${event.name}\` on \`${event.topic}\`, keyed by ${keyDoc(event)}${
        event.versions?.length
          ? `; schema version ${event.schemaVersion}, and ${event.versions.map((v) => v.schemaVersion).join(', ')} carried beside it`
          : ''
      }.`,
    },
  );
}

/**
 * `versions`: how records of each earlier major version are checked (validators, header codecs);
 * the runtime picks one by `ce_schemaversion` on consume and by the producer's pin on publish.
 */
function versionsMember(event: EventModel, names: Names): ObjectMember[] {
  if (!event.versions?.length) return [];
  const n = names.event(event.name);
  return [
    prop(
      'versions',
      arrayLiteral(
        event.versions.map((v) => {
          const vn = n.versions.get(v.schemaVersion)!;
          return object([
            prop('schemaVersion', num(v.schemaVersion)),
            prop('validatePayload', id(vn.validatePayload)),
            prop('validateHeaders', id(v.headers === undefined ? 'undefined' : vn.validateHeaders)),
            ...headerCodecMembers(v),
            ...(v.deprecated ? [prop('deprecated', bool(true))] : []),
          ]);
        }),
      ),
    ),
  ];
}

/** How the key (and, for a payload-derived address, the topic) is found: from the payload, or passed. */
function keyMembers(event: EventModel, topic: TopicModel | undefined): ObjectMember[] {
  const topicFor = topicForMember(event, topic);
  if (event.key.source === 'payload') {
    return [
      prop('partitionKey', arrow(['payload'], stringOf(payloadAt(event.key.expression.path)))),
      ...topicFor,
      prop('partitionKeyExpression', str(event.key.expression.expression)),
    ];
  }
  return [
    prop(
      'keyArgument',
      object([prop('required', bool(event.key.required)), prop('type', str(event.key.type))], {
        singleLine: true,
      }),
    ),
    ...topicFor,
  ];
}

/** `topicFor` when every parameter of the address is read from the payload (`tenant.{tenantId}.orders`). */
function topicForMember(event: EventModel, topic: TopicModel | undefined): ObjectMember[] {
  const parameters = topic?.parameters ?? [];
  if (parameters.length === 0 || !parameters.every((p) => p.location?.source === 'payload')) return [];
  const parts = event.topic.split(/\{([^}]+)\}/).map((part, i): string | Expression => {
    if (i % 2 === 0) return part;
    return stringOf(payloadAt(parameters.find((p) => p.name === part)?.location?.path ?? [part]));
  });
  return [prop('topicFor', arrow(['payload'], template(parts.filter((p) => p !== ''))))];
}

/** `headerFields` and `requiredHeaders` of a definition: how typed application headers travel as text. */
function headerCodecMembers(event: EventVersion): ObjectMember[] {
  const facts = applicationHeaderFacts(event.headers);
  const fields = Object.entries(facts.fields).map(([name, codec]) => prop(name, str(codec)));
  return [
    ...(fields.length > 0 ? [prop('headerFields', object(fields, { singleLine: true }))] : []),
    ...(facts.required.length > 0
      ? [prop('requiredHeaders', arrayLiteral(facts.required.map(str), { maxInlineWidth: Infinity }))]
      : []),
  ];
}

const payloadAt = (path: readonly string[]): Expression => access(id('payload'), ...path);
const stringOf = (value: Expression): Expression => call(id('String'), [value]);
