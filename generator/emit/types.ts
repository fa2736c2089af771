import type { Project } from 'ts-morph';
import type { Catalog, EventModel, JsonSchema } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, propertyKey, q, renderTs } from './render.ts';
import { docComment, docOf, membersOf, type TypeContext, typeOf } from './schema-to-type.ts';

/**
 * `types.ts`: a type per event payload and header set, and per topic the
 * discriminated union of the events it carries plus its type → payload map.
 */
export function emitTypes(project: Project, catalog: Catalog, names: Names): GeneratedFile {
  const statements: string[] = [];
  const taken = new Set<string>();
  for (const event of catalog.events) {
    const n = names.event(event.name);
    taken.add(n.payload).add(n.headers);
  }
  const named = new Map<object, string>();
  for (const event of catalog.events) {
    const n = names.event(event.name);
    const ctx: TypeContext = { named, pending: [], taken, owner: n.payload };
    statements.push(declare(n.payload, event.payload, ctx, eventDoc(event)));
    if (event.headers !== undefined) {
      statements.push(
        declare(
          n.headers,
          envelopeFor(event),
          ctx,
          `Kafka record headers of {@link ${n.payload}}: the CloudEvents envelope with \`ce_type\` fixed to '${event.name}'.`,
        ),
      );
    }
    while (ctx.pending.length > 0) {
      const next = ctx.pending.shift()!;
      statements.push(declare(next.name, next.schema, { ...ctx }, undefined, true));
    }
  }
  for (const topic of catalog.topics) {
    if (topic.kind !== 'event' || topic.events.length === 0) continue;
    const t = names.topic(topic.address);
    const members = topic.events.map(
      (e) => `  | { readonly type: ${q(e)}; readonly payload: ${names.event(e).payload} }`,
    );
    statements.push(
      `${docComment(`Every event carried by \`${topic.address}\`, discriminated by \`type\`.`)}\nexport type ${t.union} =\n${members.join('\n')};`,
    );
    const map = topic.events.map((e) => `  ${propertyKey(e)}: ${names.event(e).payload};`);
    statements.push(
      `${docComment(`Event type → payload of \`${topic.address}\`.`)}\nexport type ${t.map} = {\n${map.join('\n')}\n};`,
    );
  }
  const all = catalog.events.map((e) => q(e.name)).join(' | ') || 'never';
  statements.push(`/** Every event type in the contracts. */\nexport type EventType = ${all};`);
  const payloads = catalog.events.map((e) => `  ${propertyKey(e.name)}: ${names.event(e.name).payload};`);
  statements.push(
    `/** Event type → payload, for every event in the contracts. */\nexport type EventPayloadMap = {\n${payloads.join('\n')}\n};`,
  );
  return renderTs(
    project,
    'types.ts',
    statements,
    'Payload and header types of every event, and per topic the union of its events.',
  );
}

function declare(
  name: string,
  schema: JsonSchema,
  ctx: TypeContext,
  doc: string | undefined,
  stackSelf = false,
): string {
  const comment = doc ?? docOf(schema);
  const head = comment ? `${docComment(comment)}\n` : '';
  const isObject =
    typeof schema === 'object' &&
    (schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined)) &&
    schema.oneOf === undefined &&
    schema.anyOf === undefined &&
    schema.allOf === undefined &&
    schema.nullable !== true;
  const stack = stackSelf && typeof schema === 'object' ? [schema] : [];
  if (isObject && typeof schema === 'object') {
    if (!stackSelf) ctx.named.set(schema, name);
    const members = membersOf(schema, ctx, [schema]);
    return `${head}export interface ${name} {\n${members.join('\n')}\n}`;
  }
  return `${head}export type ${name} = ${typeOf(schema, ctx, stack)};`;
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
  return lines.join('\n').replaceAll('*/', '*\\/');
}

/** How the event's Kafka key is decided, for doc comments. */
export function keyDoc(event: EventModel): string {
  if (event.key.source === 'payload') return `\`${event.key.expression.expression}\``;
  return event.key.required
    ? `passed by the publisher (${event.key.type})`
    : 'optional, passed by the publisher';
}

/** The header schema with the event's own type and schema version pinned, when the envelope declares them. */
export function envelopeFor(event: EventModel): JsonSchema {
  const headers = event.headers;
  if (typeof headers !== 'object' || typeof headers.properties !== 'object' || headers.properties === null)
    return headers ?? true;
  const properties = { ...(headers.properties as Record<string, JsonSchema>) };
  const pin = (key: string, value: string) => {
    const base = properties[key];
    if (base === undefined) return;
    properties[key] = { ...(typeof base === 'object' ? base : {}), const: value };
  };
  pin('ce_type', event.name);
  pin('ce_schemaversion', String(event.schemaVersion));
  return { ...headers, properties };
}
