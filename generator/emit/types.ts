import type { Catalog, EventModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import type { HeaderType } from '../naming/schema-names.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import { declarationOf, docOf, type TypeContext } from './schema-to-type.ts';
import {
  keyword,
  property,
  ref,
  stringType,
  type TypeNode,
  typeAlias,
  typeLiteral,
  union,
  unionAlias,
} from './ts.ts';
import type { Statement } from './ts-code.ts';

/**
 * `types.ts`: the shared header types (the CloudEvents envelope, once), a
 * type per event payload and header set, the component and recursive schemas
 * they use (each once, under the name naming/ gave it), and per topic the
 * discriminated union of the events it carries plus its type → payload map.
 */
export function emitTypes(catalog: Catalog, names: Names): GeneratedFile {
  const schemas = names.schemas;
  const ctx: TypeContext = { nameOf: (schema) => schemas.nameOf(schema) };
  const statements: Statement[] = schemas.headerTypes.map((h) => headerTypeDeclaration(h, ctx));

  const usedBy = new Map<string, typeof schemas.declarations>();
  for (const d of schemas.declarations) usedBy.set(d.firstUsedBy, [...(usedBy.get(d.firstUsedBy) ?? []), d]);

  for (const event of catalog.events) {
    const n = names.event(event.name);
    statements.push(declarationOf(n.payload, schemas.payload(event.name), ctx, { doc: eventDoc(event) }));
    const headers = schemas.headers(event.name);
    if (headers !== undefined) {
      const shared = schemas.headerTypeOf(event.name);
      const pins = pinsOf(event);
      if (shared !== undefined) {
        const args = shared.parameters.map((p) => pins.get(p.property) ?? keyword('string'));
        statements.push(
          typeAlias(n.headers, ref(shared.name, args), {
            doc: `Kafka record headers of {@link ${n.payload}}: {@link ${shared.name}}${pinText(event, shared.parameters)}.`,
          }),
        );
      } else {
        const overrides = new Map(
          [...pins].filter(([p]) => typeof headers === 'object' && hasProperty(headers, p)),
        );
        statements.push(
          declarationOf(n.headers, headers, ctx, {
            doc: `Kafka record headers of {@link ${n.payload}}${pinText(
              event,
              [...overrides.keys()].map((property) => ({ property })),
            )}.`,
            overrides,
          }),
        );
      }
    }
    for (const d of usedBy.get(event.name) ?? []) statements.push(declarationOf(d.name, d.schema, ctx));
  }

  for (const topic of catalog.topics) {
    if (topic.kind !== 'event' || topic.events.length === 0) continue;
    const t = names.topic(topic.address);
    statements.push(
      unionAlias(
        t.union,
        topic.events.map((e) =>
          typeLiteral(
            [
              property('type', stringType(e), { readonly: true }),
              property('payload', ref(names.event(e).payload), { readonly: true }),
            ],
            { singleLine: true },
          ),
        ),
        `Every event carried by \`${topic.address}\`, discriminated by \`type\`.`,
      ),
      typeAlias(t.map, typeLiteral(topic.events.map((e) => property(e, ref(names.event(e).payload)))), {
        doc: `Event type → payload of \`${topic.address}\`.`,
      }),
    );
  }
  statements.push(
    typeAlias('EventType', union(catalog.events.map((e) => stringType(e.name))), {
      doc: 'Every event type in the contracts.',
    }),
    typeAlias(
      'EventPayloadMap',
      typeLiteral(catalog.events.map((e) => property(e.name, ref(names.event(e.name).payload)))),
      { doc: 'Event type → payload, for every event in the contracts.' },
    ),
  );
  return renderTs(
    'types.ts',
    statements,
    'Payload and header types of every event, and per topic the union of its events.',
  );
}

/** A header schema several events share, once, with `ce_type`/`ce_schemaversion` as type parameters. */
function headerTypeDeclaration(header: HeaderType, ctx: TypeContext) {
  const doc = [
    docOf(header.schema) ?? 'Kafka record headers.',
    ...(header.parameters.length > 0
      ? [
          '',
          `Shared by ${header.events.length} event type(s); each event's \`…Headers\` type fixes ${header.parameters.map((p) => `\`${p.property}\` (\`${p.parameter}\`)`).join(' and ')}.`,
        ]
      : []),
  ].join('\n');
  return declarationOf(header.name, header.schema, ctx, {
    doc,
    typeParameters: header.parameters.map((p) => ({
      name: p.parameter,
      constraint: keyword('string'),
      default: keyword('string'),
    })),
    overrides: new Map(header.parameters.map((p) => [p.property, ref(p.parameter)])),
  });
}

/** The header values an event fixes: its own type and schema version. */
function pinsOf(event: EventModel): Map<string, TypeNode> {
  return new Map([
    ['ce_type', stringType(event.name)],
    ['ce_schemaversion', stringType(String(event.schemaVersion))],
  ]);
}

function pinText(event: EventModel, pinned: readonly { readonly property: string }[]): string {
  const values: Record<string, string> = {
    ce_type: event.name,
    ce_schemaversion: String(event.schemaVersion),
  };
  const parts = pinned.map((p) => `\`${p.property}\` ${JSON.stringify(values[p.property])}`);
  return parts.length === 0 ? '' : ` with ${parts.join(' and ')}`;
}

function hasProperty(schema: { readonly [k: string]: unknown }, name: string): boolean {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null && name in properties;
}

/** How the event's Kafka key is decided, for doc comments. */
export function keyDoc(event: EventModel): string {
  if (event.key.source === 'payload') return `\`${event.key.expression.expression}\``;
  return event.key.required
    ? `passed by the publisher (${event.key.type})`
    : 'optional, passed by the publisher';
}

function eventDoc(event: EventModel): string {
  const lines = [event.title ?? event.name];
  if (event.summary && event.summary !== event.title) lines.push('', event.summary);
  if (event.description) lines.push('', event.description.trim());
  lines.push(
    '',
    `Topic \`${event.topic}\`, key ${keyDoc(event)}, schema version ${event.schemaVersion}, published by \`${event.owner}\`.`,
  );
  if (event.deprecated) lines.push('@deprecated');
  return lines.join('\n');
}
