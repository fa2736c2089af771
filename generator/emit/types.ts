import type { Catalog, EventModel, EventVersion } from '../model/catalog.ts';
import { allVersions, isVersioned, versionKey } from '../model/versions.ts';
import type { Names, VersionNames } from '../naming/names.ts';
import type { HeaderType } from '../naming/schema-names.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import { declarationOf, docOf, type TypeContext } from './schema-to-type.ts';
import {
  keyword,
  type Member,
  numberType,
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
    // The current version under the event's own names, then each earlier version (`…V1`), oldest first.
    const versions = [
      { version: event as EventVersion, key: event.name, names: n as VersionNames },
      ...(event.versions ?? []).map((v) => ({
        version: v,
        key: versionKey(event, v),
        names: n.versions.get(v.schemaVersion)!,
      })),
    ];
    for (const { version, key, names: vn } of versions) {
      statements.push(
        declarationOf(vn.payload, schemas.payload(key), ctx, { doc: eventDoc(version, event) }),
      );
      const headers = schemas.headers(key);
      if (headers !== undefined) {
        const shared = schemas.headerTypeOf(key);
        const pins = pinsOf(version);
        if (shared !== undefined) {
          const args = shared.parameters.map((p) => pins.get(p.property) ?? keyword('string'));
          statements.push(
            typeAlias(vn.headers, ref(shared.name, args), {
              doc: `Kafka record headers of {@link ${vn.payload}}: {@link ${shared.name}}${pinText(version, shared.parameters)}.`,
            }),
          );
        } else {
          const overrides = new Map(
            [...pins].filter(([p]) => typeof headers === 'object' && hasProperty(headers, p)),
          );
          statements.push(
            declarationOf(vn.headers, headers, ctx, {
              doc: `Kafka record headers of {@link ${vn.payload}}${pinText(
                version,
                [...overrides.keys()].map((property) => ({ property })),
              )}.`,
              overrides,
            }),
          );
        }
      }
      for (const d of usedBy.get(key) ?? []) statements.push(declarationOf(d.name, d.schema, ctx));
    }
  }

  for (const topic of catalog.topics) {
    if (topic.kind !== 'event' || topic.events.length === 0) continue;
    const t = names.topic(topic.address);
    const versioned = topic.events.some((e) => isVersioned(eventNamed(catalog, e)));
    statements.push(
      unionAlias(
        t.union,
        topic.events.flatMap((e) =>
          outgoingMembers(eventNamed(catalog, e), names, []).map((members) =>
            typeLiteral(members, { singleLine: true }),
          ),
        ),
        `Every event carried by \`${topic.address}\`, discriminated by \`type\`${
          versioned
            ? '; an event carried in several major versions also by `schemaVersion` (absent: the version the producer is pinned to, else the current one, so the payload may be either)'
            : ''
        }.`,
      ),
      typeAlias(
        t.map,
        typeLiteral(
          topic.events.map((e) => {
            const n = names.event(e);
            const payloads = [n.payload, ...[...n.versions.values()].reverse().map((v) => v.payload)];
            return property(e, union(payloads.map((p) => ref(p))));
          }),
        ),
        {
          doc: `Event type → payload of \`${topic.address}\`${versioned ? ' (any version carried)' : ''}.`,
        },
      ),
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

function eventNamed(catalog: Catalog, name: string): EventModel {
  const event = catalog.events.find((e) => e.name === name);
  if (event === undefined) throw new Error(`internal: no event "${name}" in the catalog`);
  return event;
}

/**
 * The members of an outgoing event's type literal(s), `extra` (key, parameters) added to each:
 * `{ type, payload }` for an event declared once; for one carried in several major versions, one
 * literal without `schemaVersion` whose payload is any version's (the producer's pinned version
 * decides at run time), then one per version with `schemaVersion` fixing the payload type.
 */
export function outgoingMembers(event: EventModel, names: Names, extra: readonly Member[]): Member[][] {
  const n = names.event(event.name);
  const type = property('type', stringType(event.name), { readonly: true });
  if (!isVersioned(event)) return [[type, property('payload', ref(n.payload), { readonly: true }), ...extra]];
  const payloadOf = (v: EventVersion) =>
    v.schemaVersion === event.schemaVersion ? n.payload : n.versions.get(v.schemaVersion)!.payload;
  const versions = allVersions(event);
  return [
    [
      type,
      property('payload', union([...versions].reverse().map((v) => ref(payloadOf(v)))), { readonly: true }),
      property('schemaVersion', keyword('undefined'), { readonly: true, optional: true }),
      ...extra,
    ],
    ...versions.map((v) => [
      type,
      property('payload', ref(payloadOf(v)), { readonly: true }),
      property('schemaVersion', numberType(v.schemaVersion), { readonly: true }),
      ...extra,
    ]),
  ];
}

/** The header values an event version fixes: its own type and schema version. */
function pinsOf(event: EventVersion): Map<string, TypeNode> {
  return new Map([
    ['ce_type', stringType(event.name)],
    ['ce_schemaversion', stringType(String(event.schemaVersion))],
  ]);
}

function pinText(event: EventVersion, pinned: readonly { readonly property: string }[]): string {
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
export function keyDoc(event: EventVersion): string {
  if (event.key.source === 'payload') return `\`${event.key.expression.expression}\``;
  return event.key.required
    ? `passed by the publisher (${event.key.type})`
    : 'optional, passed by the publisher';
}

function eventDoc(version: EventVersion, event: EventModel): string {
  const lines = [version.title ?? version.name];
  if (version.summary && version.summary !== version.title) lines.push('', version.summary);
  if (version.description) lines.push('', version.description.trim());
  lines.push(
    '',
    `Topic \`${version.topic}\`, key ${keyDoc(version)}, schema version ${version.schemaVersion}, published by \`${version.owner}\`.`,
  );
  if (isVersioned(event)) {
    const others = allVersions(event)
      .filter((v) => v !== version)
      .map((v) => v.schemaVersion);
    lines.push(
      version === event
        ? `The current version; also carried in version(s) ${others.join(', ')} during a migration window.`
        : `An earlier version, carried beside the current version ${event.schemaVersion} during a migration window.`,
    );
  }
  if (version.deprecated) lines.push('@deprecated');
  return lines.join('\n');
}
