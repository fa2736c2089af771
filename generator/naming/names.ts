import type { Diagnostic } from '../diagnostics.ts';
import { pascal } from '../emit/schema-to-type.ts';
import type { Catalog, ConsumerGroupModel, EventModel, TopicModel } from '../model/catalog.ts';

/**
 * Every identifier the emitters print, decided in one place: emitters never
 * invent or sanitise names. Collisions are contract errors, not silent
 * overwrites.
 */
export interface Names {
  event(name: string): EventNames;
  topic(address: string): TopicNames;
  group(groupId: string): GroupNames;
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

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await any unknown never object string number boolean symbol bigint undefined'.split(
    ' ',
  ),
);

export function assignNames(catalog: Catalog): { names: Names; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const owners = new Map<string, string>();
  const claim = (identifier: string, what: string, where: { file: string; pointer: string }) => {
    const previous = owners.get(identifier);
    if (previous !== undefined && previous !== what) {
      diagnostics.push({
        code: 'duplicate-name',
        severity: 'error',
        file: where.file,
        pointer: where.pointer,
        message: `${what} would be emitted as \`${identifier}\`, which ${previous} already uses; rename one of them`,
      });
    }
    owners.set(identifier, what);
    return identifier;
  };

  const events = new Map<string, EventNames>();
  for (const e of catalog.events) events.set(e.name, eventNames(e, claim));
  const topics = new Map<string, TopicNames>();
  for (const t of catalog.topics) topics.set(t.address, topicNames(t, claim));
  const groups = new Map<string, GroupNames>();
  for (const g of catalog.consumerGroups) groups.set(g.groupId, groupNames(g, claim));

  const get = <T>(map: Map<string, T>, key: string, kind: string): T => {
    const found = map.get(key);
    if (!found) throw new Error(`internal: no names assigned to ${kind} "${key}"`);
    return found;
  };
  return {
    names: {
      event: (name) => get(events, name, 'event'),
      topic: (address) => get(topics, address, 'topic'),
      group: (groupId) => get(groups, groupId, 'consumer group'),
    },
    diagnostics,
  };
}

type Claim = (identifier: string, what: string, where: { file: string; pointer: string }) => string;

function eventNames(e: EventModel, claim: Claim): EventNames {
  const what = `event "${e.name}"`;
  const base = safe(pascal(e.name));
  return {
    payload: claim(base, what, e.location),
    headers: claim(`${base}Headers`, what, e.location),
    definition: claim(`${camel(base)}Event`, what, e.location),
    validatePayload: claim(`validate${base}Payload`, what, e.location),
    validateHeaders: claim(`validate${base}Headers`, what, e.location),
  };
}

function topicNames(t: TopicModel, claim: Claim): TopicNames {
  const what = `topic "${t.address}"`;
  const base = safe(pascal(/^[A-Za-z]/.test(t.channelId) ? t.channelId : t.address));
  return {
    base,
    union: claim(`${base}Event`, what, t.location),
    map: claim(`${base}EventMap`, what, t.location),
    definition: claim(`${camel(base)}Topic`, what, t.location),
    publisher: claim(`${base}Publisher`, what, t.location),
    publisherFactory: claim(`${camel(base)}Publisher`, what, t.location),
    outbox: claim(`${base}Outbox`, what, t.location),
    outboxFactory: claim(`${camel(base)}Outbox`, what, t.location),
    handlerKey: camel(base),
    publishInput: claim(`${base}PublishEvent`, what, t.location),
    parameters: claim(`${base}Parameters`, what, t.location),
  };
}

function groupNames(g: ConsumerGroupModel, claim: Claim): GroupNames {
  const what = `consumer group "${g.groupId}"`;
  const where = g.subscriptions[0]?.location ?? { file: g.context, pointer: '' };
  const pascalId = safe(pascal(g.groupId));
  const base = /group$/i.test(pascalId) ? pascalId : `${pascalId}Group`;
  return {
    handlers: claim(`${base}Handlers`, what, where),
    definition: claim(camel(base), what, where),
    factory: claim(`create${base}`, what, where),
  };
}

function camel(pascalName: string): string {
  const name = pascalName[0]!.toLowerCase() + pascalName.slice(1);
  return RESERVED.has(name) ? `${name}_` : name;
}

function safe(name: string): string {
  const n = /^[0-9]/.test(name) ? `_${name}` : name || '_';
  return RESERVED.has(n) ? `${n}_` : n;
}
