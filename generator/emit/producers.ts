import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type OutgoingEventType, outgoingEventType, outgoingMethod } from './outgoing-event.ts';
import { type GeneratedFile, renderTs, topicModuleImports } from './render.ts';
import {
  array,
  interfaceDeclaration,
  keyword,
  type Member,
  nullType,
  parameter,
  property,
  readonlyArray,
  ref,
  stringType,
  type TypeNode,
  typeAlias,
  typeLiteral,
  union,
  unionAlias,
} from './ts.ts';
import { access, call, functionDeclaration, id, type Statement } from './ts-code.ts';
import { outgoingMembers } from './types.ts';

/** `producers.ts`: a typed publisher per event topic; the runtime does the keying, headers, validation and sending. */
export function emitProducers(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const topics = catalog.topics.filter((t) => t.kind === 'event' && t.events.length > 0);
  const inputs = new Map(topics.map((t) => [t, publishInput(t, catalog, names)]));
  const events = new Map(topics.map((t) => [t, outgoingEventType(t, catalog, names, inputs.get(t)!.type)]));
  const statements: Statement[] = [
    ...topicModuleImports(
      [
        'EventProducer',
        'PublishOptions',
        'PublishReceipt',
        ...[...events.values()].flatMap((e) => e.runtimeTypes),
      ],
      runtime,
      topics.map((t) => names.topic(t.address).definition),
      [
        ...[...events.values()].flatMap((e) => e.typeImports),
        ...[...inputs.values()].flatMap((i) => i.payloadTypes),
      ],
    ),
  ];
  for (const topic of topics) {
    statements.push(...inputs.get(topic)!.statements, ...publisher(topic, events.get(topic)!, names));
  }
  return renderTs('producers.ts', statements, 'Typed publishers, one per topic.');
}

function publisher(topic: TopicModel, outgoing: OutgoingEventType, names: Names): Statement[] {
  const t = names.topic(topic.address);
  const event = outgoing.type;
  const publishDoc =
    outgoing.runtimeTypes.length === 0
      ? 'Validates the payload, derives the key and the envelope headers from the contract, and publishes one event.\n\n@throws EventValidationError listing each failing schema path when the payload breaks the contract.'
      : 'Validates the payload and the typed application `headers`, derives the key and the envelope headers from the contract, encodes the application headers as text, and publishes one event.\n\n@throws EventValidationError listing each failing schema path when the payload or a header breaks the contract.';
  return [
    interfaceDeclaration(
      t.publisher,
      [
        outgoingMethod(
          outgoing,
          'publish',
          [parameter('event', event), parameter('options', ref('PublishOptions'), { optional: true })],
          ref('Promise', [ref('PublishReceipt')]),
          publishDoc,
        ),
        outgoingMethod(
          outgoing,
          'publishAll',
          [
            parameter('events', readonlyArray(event)),
            parameter('options', ref('Omit', [ref('PublishOptions'), stringType('id')]), { optional: true }),
          ],
          ref('Promise', [array(ref('PublishReceipt'))]),
          'Publishes several events in one batch; all are validated before any is sent.',
        ),
      ],
      {
        doc: `Publishes to \`${topic.address}\` (${topic.events.join(', ')}); published by ${topic.producers.join(', ') || 'no context'} in the contracts.`,
      },
    ),
    functionDeclaration(
      t.publisherFactory,
      [parameter('producer', ref('EventProducer'))],
      ref(t.publisher),
      call(access(id('producer'), 'topic'), [id(t.definition)]),
      { doc: `The \`${topic.address}\` publisher on top of a producer.` },
    ),
  ];
}

/**
 * What a topic's `publish` takes: the topic's event union when every key and address comes from
 * the payload; otherwise a union that also carries, per event, the `key` the publisher passes
 * and the topic's `parameters`.
 */
export function publishInput(
  topic: TopicModel,
  catalog: Catalog,
  names: Names,
): { type: string; statements: Statement[]; payloadTypes: string[] } {
  const t = names.topic(topic.address);
  const passed = topic.parameters.filter((p) => p.location === undefined);
  const events = topic.events.map((name) => catalog.events.find((e) => e.name === name)!);
  if (passed.length === 0 && events.every((e) => e.key.source === 'payload'))
    return { type: t.union, statements: [], payloadTypes: [] };
  const statements: Statement[] = [];
  if (passed.length > 0) {
    const members = passed.map((p) =>
      property(p.name, p.enum ? union(p.enum.map(stringType)) : keyword('string'), {
        readonly: true,
        doc: p.description,
      }),
    );
    statements.push(
      typeAlias(t.parameters, typeLiteral(members), {
        doc: `The parameters of \`${topic.address}\` a publisher passes: they make the topic name.`,
      }),
    );
  }
  const members = events.flatMap((e) => {
    const parts: Member[] = [];
    if (e.key.source === 'argument') {
      const key: TypeNode = e.key.type === 'string' ? keyword('string') : keyword('number');
      parts.push(
        e.key.required
          ? property('key', key, { readonly: true })
          : property('key', union([keyword('string'), nullType()]), { readonly: true, optional: true }),
      );
    }
    if (passed.length > 0) parts.push(property('parameters', ref(t.parameters), { readonly: true }));
    return outgoingMembers(e, names, parts).map((m) => typeLiteral(m, { singleLine: true }));
  });
  const carries = [
    'its type',
    'payload',
    ...(events.some((e) => e.key.source === 'argument') ? ['key'] : []),
    ...(passed.length > 0 ? ['the address parameters'] : []),
  ];
  statements.push(
    unionAlias(
      t.publishInput,
      members,
      `An event as \`publish\` takes it on \`${topic.address}\`: ${listed(carries)}.`,
    ),
  );
  return {
    type: t.publishInput,
    statements,
    payloadTypes: events.flatMap((e) => {
      const n = names.event(e.name);
      return [n.payload, ...[...n.versions.values()].map((v) => v.payload)];
    }),
  };
}

/** `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
