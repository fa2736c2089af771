/**
 * Names of schemas: which schemas become named types, and what they are
 * called. Decided here, once per run, so the type and validator emitters only
 * look names up.
 *
 * - Every event payload is declared under its event's name.
 * - A component schema (the parser's `x-parser-schema-id` when it is not
 *   `<anonymous-schema-N>`, or an identifier-like `title`) is declared once
 *   under its component name and referred to wherever it is used, in every
 *   event: schemas that say the same are one type, whichever document they
 *   came through. A Java or Avro full name (`com.example.Address`) is named
 *   by its last segment, or in full (`ComExampleAddress`) when another schema
 *   wants the same last segment.
 * - A schema a cycle returns to is declared too (it cannot be written out
 *   inline), named after its component name, else the event and the property
 *   it sits under (`CategoryChangedCategory`).
 * - Header schemas are grouped by what they say: a group shared by several
 *   events (the CloudEvents envelope) or with a component name is one generic
 *   type, `EnvelopeHeaders<TType, TVersion>` (its own name, else
 *   `EventHeaders`), with one validator; each event's `…Headers` type pins
 *   `ce_type` and `ce_schemaversion` through the type parameters.
 *
 * Two different schemas that want the same name get distinct, stable names
 * (the later one, in event order, a numeric suffix) and a warning saying so.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { JsonSchema } from '../model/catalog.ts';
import type { SourceLocation } from '../parse/locate.ts';
import { lastSegment, typeIdentifier } from './identifiers.ts';
import { allChildren, createSchemaPreparation, cycleTargets, schemaKey } from './schema-graph.ts';

type Obj = { readonly [k: string]: unknown };

export interface NamedSchema {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly kind: 'component' | 'recursive';
  /** The key of the first subject (in catalog order) whose schemas use it: types.ts declares it after that one. */
  readonly firstUsedBy: string;
}

export interface HeaderType {
  /** The shared type, e.g. `EnvelopeHeaders`. */
  readonly name: string;
  /** Its one validator, e.g. `validateEnvelopeHeaders`. */
  readonly validator: string;
  readonly schema: JsonSchema;
  /** Header properties typed by a type parameter: `ce_type` → `TType`, `ce_schemaversion` → `TVersion`. */
  readonly parameters: readonly { readonly property: string; readonly parameter: string }[];
  /** Keys of the subjects (event versions) whose headers it types, in catalog order. */
  readonly events: readonly string[];
}

/**
 * Schemas are named per subject: one version of one event, looked up by its key (the event name
 * for the current version, model/versions.ts `versionKey` for an earlier one).
 */
export interface SchemaNames {
  /** An event version's payload as emitters read it: same-value cycles broken (see schema-graph.ts). */
  payload(event: string): JsonSchema;
  headers(event: string): JsonSchema | undefined;
  /** The declared name of a schema (a component, a recursive schema, an event payload), if it has one. */
  nameOf(schema: object): string | undefined;
  /** Component and recursive schemas to declare, in the order first used. */
  readonly declarations: readonly NamedSchema[];
  /** Shared header types, in the order first used. */
  readonly headerTypes: readonly HeaderType[];
  /** The shared header type of an event, when its headers have one. */
  headerTypeOf(event: string): HeaderType | undefined;
}

/** The payload and headers of one version of one event. */
export interface SchemaSubject {
  /** What `SchemaNames` looks it up by: the event name, or `versionKey` for an earlier version. */
  readonly key: string;
  /** How diagnostics name it: `"UserRegistered"`, `"UserRegistered" version 1`. */
  readonly label: string;
  readonly payload: JsonSchema;
  readonly headers?: JsonSchema;
  readonly location: SourceLocation;
}

/** Names payload types `payloadName(key)` gave, and claims every new identifier through `claim`. */
export interface SchemaNamingInput {
  readonly events: readonly SchemaSubject[];
  readonly payloadName: (key: string) => string;
  /** Claims `identifier` for `what`; false when someone else holds it already. */
  readonly tryClaim: (identifier: string, what: string) => boolean;
}

export const HEADER_PARAMETERS: readonly { readonly property: string; readonly parameter: string }[] = [
  { property: 'ce_type', parameter: 'TType' },
  { property: 'ce_schemaversion', parameter: 'TVersion' },
];

export function assignSchemaNames(input: SchemaNamingInput): {
  schemas: SchemaNames;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const preparation = createSchemaPreparation();
  const payloads = new Map<string, JsonSchema>();
  const headers = new Map<string, JsonSchema>();
  for (const event of input.events) {
    payloads.set(event.key, preparation.prepare(event.payload));
    if (event.headers !== undefined) headers.set(event.key, preparation.prepare(event.headers));
  }

  const keys = new WeakMap<object, string>();
  const keyOf = (node: object) => {
    let key = keys.get(node);
    if (key === undefined) {
      key = schemaKey(node as JsonSchema);
      keys.set(node, key);
    }
    return key;
  };
  const byKey = new Map<string, string>();
  const candidates = new WeakSet<object>();
  const declarations: NamedSchema[] = [];

  // Payload roots first: a component that is some event's whole payload is referred to by the event's name.
  for (const event of input.events) {
    const root = payloads.get(event.key);
    if (typeof root === 'object' && !byKey.has(keyOf(root)))
      byKey.set(keyOf(root), input.payloadName(event.key));
  }

  const nameFor = (desired: string[], what: string, event: SchemaSubject): string => {
    for (const name of desired) if (input.tryClaim(name, what)) return name;
    const base = desired[0]!;
    for (let i = 2; ; i++) {
      if (input.tryClaim(`${base}${i}`, what)) {
        diagnostics.push({
          code: 'duplicate-name',
          severity: 'warning',
          file: event.location.file,
          pointer: event.location.pointer,
          message: `${what} is named \`${base}${i}\`: \`${base}\` is already taken by another type or export`,
        });
        return `${base}${i}`;
      }
    }
  };

  const visit = (root: JsonSchema, event: SchemaSubject, owner: string) => {
    if (typeof root !== 'object') return;
    const targets = cycleTargets(root);
    const seen = new Set<object>();
    const walk = (node: object, hint: string | undefined) => {
      if (seen.has(node)) return;
      seen.add(node);
      const component = componentNameOf(node as Obj);
      if (node !== root && (component !== undefined || targets.has(node))) {
        candidates.add(node);
        const key = keyOf(node);
        if (!byKey.has(key)) {
          const desired =
            component !== undefined
              ? componentIdentifiers(component)
              : [`${owner}${hint ? typeIdentifier(hint, '') : 'Node'}`];
          const what =
            component !== undefined ? `schema "${component}"` : `a recursive schema of ${event.label}`;
          const name = nameFor(desired, what, event);
          byKey.set(key, name);
          declarations.push({
            name,
            schema: node as JsonSchema,
            kind: component !== undefined ? 'component' : 'recursive',
            firstUsedBy: event.key,
          });
        }
      } else if (node === root && targets.has(node)) {
        candidates.add(node);
      }
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties' && value && typeof value === 'object') {
          for (const [prop, child] of Object.entries(value)) if (isObject(child)) walk(child, prop);
        } else {
          for (const child of allChildren({ [key]: value })) walk(child, hint);
        }
      }
    };
    walk(root, undefined);
  };

  // Header groups: one per distinct header schema.
  const groups = new Map<string, { schema: JsonSchema; events: SchemaSubject[] }>();
  for (const event of input.events) {
    const schema = headers.get(event.key);
    if (schema === undefined) continue;
    const key = typeof schema === 'object' ? keyOf(schema) : String(schema);
    const group = groups.get(key) ?? { schema, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  const headerTypes: HeaderType[] = [];
  const headerTypeByEvent = new Map<string, HeaderType>();
  for (const group of groups.values()) {
    const component = typeof group.schema === 'object' ? componentNameOf(group.schema as Obj) : undefined;
    if (group.events.length < 2 && component === undefined) continue;
    const first = group.events[0]!;
    const what = `the header schema of ${group.events.map((e) => e.label).join(', ')}`;
    const name = nameFor(
      component !== undefined ? componentIdentifiers(component) : ['EventHeaders'],
      what,
      first,
    );
    const validator = nameFor([`validate${name}`], what, first);
    const properties =
      typeof group.schema === 'object' && isObject(group.schema.properties)
        ? (group.schema.properties as Obj)
        : {};
    const type: HeaderType = {
      name,
      validator,
      schema: group.schema,
      parameters: HEADER_PARAMETERS.filter((p) => isStringSchema(properties[p.property])),
      events: group.events.map((e) => e.key),
    };
    headerTypes.push(type);
    for (const e of group.events) headerTypeByEvent.set(e.key, type);
  }

  for (const event of input.events) {
    const payloadName = input.payloadName(event.key);
    visit(payloads.get(event.key)!, event, payloadName);
    const h = headers.get(event.key);
    if (h !== undefined) visit(h, event, headerTypeByEvent.get(event.key)?.name ?? `${payloadName}Headers`);
  }

  const get = <T>(map: Map<string, T>, event: string): T | undefined => map.get(event);
  return {
    schemas: {
      payload: (event) => {
        const schema = get(payloads, event);
        if (schema === undefined) throw new Error(`internal: no payload prepared for event "${event}"`);
        return schema;
      },
      headers: (event) => get(headers, event),
      nameOf: (schema) => (candidates.has(schema) ? byKey.get(keyOf(schema)) : undefined),
      declarations,
      headerTypes,
      headerTypeOf: (event) => headerTypeByEvent.get(event),
    },
    diagnostics,
  };
}

/** The name a document gives a schema: a component key the parser kept, or an identifier-like title. */
export function componentNameOf(schema: Obj): string | undefined {
  // The key the document wrote the schema under, when it was reached through a `$ref` (model/message.ts).
  const written = schema['x-contract-name'];
  if (typeof written === 'string' && written !== '') return written;
  const id = schema['x-parser-schema-id'];
  if (typeof id === 'string' && id !== '' && !/^<anonymous-schema-\d+>$/.test(id)) return id;
  const title = schema.title;
  if (typeof title === 'string' && /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(title))
    return title;
  return undefined;
}

/** Identifiers to try for a component name, best first: its last dotted segment, then the whole name. */
function componentIdentifiers(component: string): string[] {
  const whole = typeIdentifier(component, 'Schema');
  const last = lastSegment(component);
  return last === undefined ? [whole] : [...new Set([typeIdentifier(last, whole), whole])];
}

function isStringSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  const s = schema as Obj;
  return (s.type === undefined || s.type === 'string') && s.enum === undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
