import type { Diagnostic } from '../diagnostics.ts';
import type { Catalog, ConsumerGroupModel, EventModel, TopicModel } from '../model/catalog.ts';
import { versionKey } from '../model/versions.ts';
import { camel, FIXED_NAMES, lastSegment, typeIdentifier } from './identifiers.ts';
import { assignSchemaNames, type SchemaNames, type SchemaSubject } from './schema-names.ts';

/**
 * Every identifier the emitters print, decided in one place: emitters never
 * invent or sanitise names. Collisions between contract things are errors,
 * not silent overwrites; a name the SDK itself uses (`EventType`, `catalog`,
 * the runtime's `EventDefinition`, …) is never handed out.
 *
 * Event names may be any string (the wire name, `ce_type`, stays as it is):
 * the identifier is its PascalCase words (`order-created`, `Order Created` →
 * `OrderCreated`); a dotted name (a Java class, a reverse-DNS CloudEvents
 * type) is named by its last segment (`com.example.OrderCreated` →
 * `OrderCreated`) unless another event's name gives the same identifier, and
 * then in full (`ComExampleOrderCreated`). An identifier the SDK reserves gets
 * `Event` appended (`EventType` → `EventTypeEvent`), with a warning.
 *
 * An event carried in several major versions keeps its names for the current
 * version; each earlier version's types and validators take the version as a
 * suffix (`UserRegisteredV1`, `UserRegisteredV1Headers`,
 * `validateUserRegisteredV1Payload`), claimed like every other name.
 */
export interface Names {
  event(name: string): EventNames;
  topic(address: string): TopicNames;
  group(groupId: string): GroupNames;
  /** Named schema types, prepared payload and header schemas, shared header types. */
  readonly schemas: SchemaNames;
}

export interface EventNames {
  /** Payload type, e.g. `UserRegistered`. */
  readonly payload: string;
  /** Header type, e.g. `UserRegisteredHeaders`. */
  readonly headers: string;
  /** Event definition constant, e.g. `userRegisteredEvent`. */
  readonly definition: string;
  readonly validatePayload: string;
  readonly validateHeaders: string;
  /** The names of each earlier version, by schema version; empty for an event declared once. */
  readonly versions: ReadonlyMap<number, VersionNames>;
}

/** Types and validators of one earlier version of an event, e.g. `UserRegisteredV1`. */
export interface VersionNames {
  readonly payload: string;
  readonly headers: string;
  readonly validatePayload: string;
  readonly validateHeaders: string;
}

export interface TopicNames {
  /** Base name in PascalCase, e.g. `UserEvents`. */
  readonly base: string;
  /** Discriminated union of the topic's events, e.g. `UserEventsEvent`. */
  readonly union: string;
  /** Event type → payload map, e.g. `UserEventsEventMap`. */
  readonly map: string;
  /** Topic definition constant, e.g. `userEventsTopic`. */
  readonly definition: string;
  /** Publisher interface, e.g. `UserEventsPublisher`. */
  readonly publisher: string;
  /** Publisher factory, e.g. `userEventsPublisher`. */
  readonly publisherFactory: string;
  /** Outbox mapper interface, e.g. `UserEventsOutbox`. */
  readonly outbox: string;
  /** Outbox mapper factory, e.g. `userEventsOutbox`. */
  readonly outboxFactory: string;
  /** Key in a consumer group's handler map, e.g. `userEvents`. */
  readonly handlerKey: string;
  /** What `publish` takes when some event needs a key or parameters passed, e.g. `SensorReadingsPublishEvent`. */
  readonly publishInput: string;
  /** The address parameters a publisher passes, e.g. `SensorReadingsParameters`. */
  readonly parameters: string;
}

export interface GroupNames {
  /** Handler map interface, e.g. `NotificationConsumerGroupHandlers`. */
  readonly handlers: string;
  /** Definition constant, e.g. `notificationConsumerGroup`. */
  readonly definition: string;
  /** Consumer factory, e.g. `createNotificationConsumerGroup`. */
  readonly factory: string;
}

export function assignNames(catalog: Catalog): { names: Names; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const owners = new Map<string, string>(FIXED_NAMES.map((n) => [n, 'the SDK itself']));
  const claim = (identifier: string, what: string, where: { file: string; pointer: string }) => {
    const previous = owners.get(identifier);
    if (previous !== undefined && previous !== what) {
      diagnostics.push({
        code: 'duplicate-name',
        severity: 'error',
        file: where.file,
        pointer: where.pointer,
        message:
          previous === 'the SDK itself'
            ? `${what} would be emitted as \`${identifier}\`, a name the generated SDK uses itself; rename it`
            : `${what} would be emitted as \`${identifier}\`, which ${previous} already uses; rename one of them`,
      });
    }
    owners.set(identifier, what);
    return identifier;
  };

  const events = new Map<string, EventNames>();
  const bases = eventBases(catalog.events);
  for (const e of catalog.events) {
    let base = bases.get(e.name)!;
    if (derivedEventNames(base).some((n) => owners.get(n) === 'the SDK itself')) {
      const renamed = `${base}Event`;
      diagnostics.push({
        code: 'duplicate-name',
        severity: 'warning',
        file: e.location.file,
        pointer: e.location.pointer,
        message: `event "${e.name}" would be emitted as \`${base}\`, a name the generated SDK uses itself; its types are named \`${renamed}\` instead`,
      });
      base = renamed;
    }
    events.set(e.name, eventNames(e, base, claim));
  }
  /** Schema subject key → its payload type's name. */
  const payloadNames = new Map<string, string>();
  const subjects: SchemaSubject[] = [];
  for (const e of catalog.events) {
    const n = events.get(e.name)!;
    payloadNames.set(e.name, n.payload);
    subjects.push({ key: e.name, label: `"${e.name}"`, ...schemasOf(e) });
    // The current version first, so it gets a shared schema's plain name when versions differ.
    for (const v of [...(e.versions ?? [])].reverse()) {
      const key = versionKey(e, v);
      payloadNames.set(key, n.versions.get(v.schemaVersion)!.payload);
      subjects.push({ key, label: `"${e.name}" version ${v.schemaVersion}`, ...schemasOf(v) });
    }
  }
  const topics = new Map<string, TopicNames>();
  for (const t of catalog.topics) {
    // A topic named like an event (`InventoryAdjusted` carrying `InventoryAdjustedEvent`) takes `…Topic…` names.
    const base = topicBase(t);
    const free = (candidate: string) =>
      derivedTopicNames(candidate).every(
        (n) => owners.get(n) === undefined || owners.get(n) === `topic "${t.address}"`,
      );
    const chosen = [base, `${base}Topic`, `${base}Topic2`, `${base}Topic3`].find(free) ?? base;
    if (chosen !== base) {
      diagnostics.push({
        code: 'duplicate-name',
        severity: 'warning',
        file: t.location.file,
        pointer: t.location.pointer,
        message: `topic "${t.address}" would be emitted as \`${base}…\`, names another definition already uses; its names start with \`${chosen}\` instead`,
      });
    }
    topics.set(t.address, topicNames(t, claim, chosen));
  }
  const groups = new Map<string, GroupNames>();
  for (const g of catalog.consumerGroups) groups.set(g.groupId, groupNames(g, claim));

  const { schemas, diagnostics: schemaDiagnostics } = assignSchemaNames({
    events: subjects,
    payloadName: (key) => get(payloadNames, key, 'event version'),
    tryClaim: (identifier, what) => {
      if (owners.has(identifier)) return false;
      owners.set(identifier, what);
      return true;
    },
  });
  diagnostics.push(...schemaDiagnostics);

  function get<T>(map: Map<string, T>, key: string, kind: string): T {
    const found = map.get(key);
    if (!found) throw new Error(`internal: no names assigned to ${kind} "${key}"`);
    return found;
  }
  return {
    names: {
      event: (name) => get(events, name, 'event'),
      topic: (address) => get(topics, address, 'topic'),
      group: (groupId) => get(groups, groupId, 'consumer group'),
      schemas,
    },
    diagnostics,
  };
}

type Claim = (identifier: string, what: string, where: { file: string; pointer: string }) => string;

/**
 * The identifier base of each event: its PascalCase words, or for a dotted
 * name its last segment when no other event's name gives the same identifier.
 */
function eventBases(events: readonly EventModel[]): Map<string, string> {
  const full = new Map(events.map((e) => [e.name, typeIdentifier(e.name, 'Event')]));
  const short = new Map<string, string>();
  for (const e of events) {
    const last = lastSegment(e.name);
    if (last !== undefined) short.set(e.name, typeIdentifier(last, full.get(e.name)!));
  }
  const uses = new Map<string, number>();
  for (const e of events) {
    const candidates = new Set([full.get(e.name)!, ...(short.has(e.name) ? [short.get(e.name)!] : [])]);
    for (const c of candidates) uses.set(c, (uses.get(c) ?? 0) + 1);
  }
  return new Map(
    events.map((e) => {
      const s = short.get(e.name);
      return [e.name, s !== undefined && uses.get(s) === 1 ? s : full.get(e.name)!];
    }),
  );
}

/** The identifiers an event's base gives, by role. */
function eventIdentifiers(base: string): Omit<EventNames, 'versions'> {
  return {
    payload: base,
    headers: `${base}Headers`,
    definition: `${camel(base)}Event`,
    validatePayload: `validate${base}Payload`,
    validateHeaders: `validate${base}Headers`,
  };
}

function derivedEventNames(base: string): string[] {
  return Object.values(eventIdentifiers(base));
}

function eventNames(e: EventModel, base: string, claim: Claim): EventNames {
  const current = claimAll(eventIdentifiers(base), claim, `event "${e.name}"`, e.location);
  const versions = new Map<number, VersionNames>();
  for (const v of e.versions ?? []) {
    const { definition: _, ...identifiers } = eventIdentifiers(`${base}V${v.schemaVersion}`);
    versions.set(
      v.schemaVersion,
      claimAll(identifiers, claim, `version ${v.schemaVersion} of event "${e.name}"`, v.location),
    );
  }
  return { ...current, versions };
}

function schemasOf(e: Omit<EventModel, 'versions'>): Omit<SchemaSubject, 'key' | 'label'> {
  return {
    payload: e.payload,
    ...(e.headers === undefined ? {} : { headers: e.headers }),
    location: e.location,
  };
}

/** Claims every identifier of a record for `what`, in the record's order. */
function claimAll<T extends { readonly [role in keyof T]: string }>(
  identifiers: T,
  claim: Claim,
  what: string,
  where: { file: string; pointer: string },
): T {
  return Object.fromEntries(
    (Object.entries(identifiers) as [string, string][]).map(([role, id]) => [role, claim(id, what, where)]),
  ) as T;
}

function topicBase(t: TopicModel): string {
  return typeIdentifier(/^\p{L}/u.test(t.channelId) ? t.channelId : t.address, 'Topic');
}

/** The identifiers a topic's base gives, by role (the handler key is a property name, not claimed). */
function topicIdentifiers(base: string): Omit<TopicNames, 'base' | 'handlerKey'> {
  const c = camel(base);
  return {
    union: `${base}Event`,
    map: `${base}EventMap`,
    definition: `${c}Topic`,
    publisher: `${base}Publisher`,
    publisherFactory: `${c}Publisher`,
    outbox: `${base}Outbox`,
    outboxFactory: `${c}Outbox`,
    publishInput: `${base}PublishEvent`,
    parameters: `${base}Parameters`,
  };
}

/** Every identifier `topicNames` derives from a base, for checking a base is free before taking it. */
function derivedTopicNames(base: string): string[] {
  return Object.values(topicIdentifiers(base));
}

function topicNames(t: TopicModel, claim: Claim, base: string): TopicNames {
  const claimed = claimAll(topicIdentifiers(base), claim, `topic "${t.address}"`, t.location);
  return { base, ...claimed, handlerKey: camel(base) };
}

function groupNames(g: ConsumerGroupModel, claim: Claim): GroupNames {
  const what = `consumer group "${g.groupId}"`;
  const where = g.subscriptions[0]?.location ?? { file: g.context, pointer: '' };
  const pascalId = typeIdentifier(g.groupId, 'Consumer');
  const base = /group$/i.test(pascalId) ? pascalId : `${pascalId}Group`;
  return {
    handlers: claim(`${base}Handlers`, what, where),
    definition: claim(camel(base), what, where),
    factory: claim(`create${base}`, what, where),
  };
}
