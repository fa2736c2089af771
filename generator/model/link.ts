import type {
  Catalog,
  ConsumerGroupModel,
  ContextModel,
  EventKey,
  EventModel,
  Subscription,
  TopicModel,
} from './catalog.ts';
import type { ChannelResult, TopicDraft } from './channel.ts';
import type { Findings } from './findings.ts';
import type { Role } from './operation.ts';
import { schemaKey } from './schema-key.ts';
import { requiredScalarField } from './schema-path.ts';
import { opt } from './scope.ts';
import { allVersions, isVersioned } from './versions.ts';

/** What one document contributes, as its own transforms built it. */
export interface DocumentModel {
  readonly context: ContextModel;
  readonly channels: readonly { readonly result: ChannelResult; readonly events: readonly EventModel[] }[];
  readonly roles: readonly Role[];
}

interface TopicEntry {
  model: TopicDraft;
  fingerprint: string;
  events: Set<string>;
  producers: Set<string>;
  groups: Set<string>;
  /** Each context's own definition of the topic, for ownership. */
  drafts: Map<string, TopicDraft>;
}

/**
 * The one step across documents: topics merged by address (one definition,
 * one owner), events by name, roles into producers and consumer groups,
 * dead-letter topics linked (or defaulted in lenient mode), and the checks
 * that need more than one document.
 */
export function link(documents: readonly DocumentModel[], findings: Findings): Catalog {
  const lenient = findings.mode === 'lenient';
  const topics = new Map<string, TopicEntry>();
  /** Event name → its versions as declared (one per `x-schema-version`). */
  const declared = new Map<string, Map<number, { event: EventModel; fingerprint: string }>>();

  for (const { context, channels } of documents) {
    for (const { result, events: channelEvents } of channels) {
      const { draft, fingerprint } = result;
      let entry = topics.get(draft.address);
      if (!entry) {
        entry = {
          model: draft,
          fingerprint,
          events: new Set(),
          producers: new Set(),
          groups: new Set(),
          drafts: new Map(),
        };
        topics.set(draft.address, entry);
      } else {
        if (entry.fingerprint !== fingerprint) {
          const where = findings.place(entry.model.location);
          if (lenient)
            findings.warning(
              'duplicate-topic',
              draft.location,
              `topic "${draft.address}" is also defined differently at ${where}; the SDK uses its producer's definition`,
            );
          else
            findings.error(
              'duplicate-topic',
              draft.location,
              `topic "${draft.address}" is also defined differently at ${where}; reference that channel with $ref instead of repeating it`,
            );
        }
        // A channel written in its owner's own file wins over one seen through a $ref.
        const ownerWroteIt = documents.some(
          (d) =>
            d.context.name === entry?.model.owner && d.context.location.file === entry.model.location.file,
        );
        if (!ownerWroteIt && draft.location.file === context.location.file) entry.model = draft;
      }
      entry.drafts.set(context.name, draft);
      for (const event of channelEvents) {
        entry.events.add(event.name);
        // One message reused on several channels (as Springwolf writes them) is one event on each topic.
        const fingerprintOf = schemaKey({ payload: event.payload, headers: event.headers });
        const payloadOf = schemaKey(event.payload);
        let versions = declared.get(event.name);
        if (!versions) {
          versions = new Map();
          declared.set(event.name, versions);
        }
        const known = versions.get(event.schemaVersion);
        if (!known) {
          // Another major version of an event already seen: carried beside it if topic and key agree.
          const other = [...versions.values()][0]?.event;
          if (other === undefined || sameStream(other, event, findings))
            versions.set(event.schemaVersion, { event, fingerprint: fingerprintOf });
          continue;
        }
        const same =
          known.event.location.file === event.location.file &&
          known.event.location.pointer === event.location.pointer;
        if (same || (lenient && known.fingerprint === fingerprintOf)) continue;
        if (lenient && schemaKey(known.event.payload) === payloadOf) {
          findings.warning(
            'duplicate-event',
            event.location,
            `event "${event.name}" is also defined at ${findings.place(known.event.location)} with the same payload but other headers; the SDK uses the headers defined there`,
          );
          continue;
        }
        findings.error(
          'duplicate-event',
          event.location,
          `event "${event.name}" is already defined at ${findings.place(known.event.location)}${lenient ? ' with a different schema' : ''}; event names must be unique across all contracts (to carry another major version of the event beside it, give it another x-schema-version)`,
        );
      }
    }
  }

  const events = mergeVersions(declared);

  const groups = new Map<
    string,
    { context: string; subscriptions: (Omit<Subscription, 'deadLetterTopic'> & { own?: string })[] }
  >();
  const consumerDeadLetters = new Map<string, string>();
  for (const { roles } of documents) {
    for (const role of roles) {
      const entry = topics.get(role.topic);
      if (!entry) continue; // a channel of the document always made an entry, unless it was left out (reported)
      if (role.action === 'send') {
        entry.producers.add(role.context);
        continue;
      }
      const group = groups.get(role.groupId) ?? { context: role.context, subscriptions: [] };
      if (group.context !== role.context) {
        findings.error(
          'duplicate-name',
          role.location,
          `consumer group "${role.groupId}" is already used by context "${group.context}"; a consumer group belongs to one context`,
        );
        continue;
      }
      if (group.subscriptions.some((s) => s.topic === role.topic)) {
        findings.error(
          'duplicate-name',
          role.location,
          `consumer group "${role.groupId}" already has a receive operation on "${role.topic}"; list every event it handles in one operation`,
        );
        continue;
      }
      groups.set(role.groupId, group);
      const unknown = role.events.filter((name) => !entry.events.has(name));
      if (unknown.length > 0) {
        findings.error(
          'unresolved-ref',
          role.location,
          `the operation handles ${unknown.map((n) => `"${n}"`).join(', ')}, which "${role.topic}" does not carry`,
        );
      }
      group.subscriptions.push({
        topic: role.topic,
        events: role.events.filter((name) => entry.events.has(name)),
        retry: role.retry,
        operationId: role.operationId,
        location: role.location,
        ...opt('own', role.deadLetterTopic),
      });
      if (role.deadLetterTopic !== undefined) consumerDeadLetters.set(role.deadLetterTopic, role.topic);
      entry.groups.add(role.groupId);
    }
  }

  // Ownership: in lenient mode a topic whose definer does not publish to it belongs to its producer.
  if (lenient) {
    for (const entry of topics.values()) {
      const producers = [...entry.producers].sort();
      const producer = producers[0];
      if (producer === undefined || producers.includes(entry.model.owner)) continue;
      entry.model = { ...(entry.drafts.get(producer) ?? entry.model), owner: producer };
    }
  }

  // Dead-letter topics: declared by the owner, by a consumer, or defaulted to `<topic>.dlq` (lenient).
  const deadLetterFor = new Map<string, string>();
  for (const entry of topics.values()) {
    if (entry.model.deadLetterTopic !== undefined)
      deadLetterFor.set(entry.model.deadLetterTopic, entry.model.address);
  }
  for (const [dlq, source] of consumerDeadLetters)
    if (!deadLetterFor.has(dlq)) deadLetterFor.set(dlq, source);
  const origin = new Map<string, 'declared' | 'default'>();
  for (const entry of topics.values()) {
    const consumed = [...groups.values()].some((g) =>
      g.subscriptions.some((s) => s.topic === entry.model.address && s.own === undefined),
    );
    if (entry.model.deadLetterTopic !== undefined) {
      origin.set(entry.model.address, 'declared');
      continue;
    }
    if (!consumed || deadLetterFor.has(entry.model.address)) continue;
    const address = entry.model.address;
    const fallback = `${address}.dlq`;
    const rule = `topic "${address}" is consumed by ${[...entry.groups].sort().join(', ')} but declares no dead-letter topic; add x-dead-letter-channel: { $ref: '#/channels/<its .dlq channel>' }`;
    if (
      !findings.convention(
        'missing-dead-letter',
        entry.model.location,
        rule,
        `dead letters go to "${fallback}" (retry policy as the operation says, else the default)`,
      )
    )
      continue;
    entry.model = { ...entry.model, deadLetterTopic: fallback };
    origin.set(address, 'default');
    deadLetterFor.set(fallback, address);
    if (!topics.has(fallback)) {
      const { model } = entry;
      const draft: TopicDraft = {
        channelId: `${model.channelId}DeadLetters`,
        address: fallback,
        parameters: model.parameters,
        description: `Dead-letter topic of \`${address}\`, defaulted (lenient mode: the contract declares none).`,
        partitions: model.partitions,
        replicas: model.replicas,
        config: {},
        owner: model.owner,
        location: model.location,
      };
      topics.set(fallback, {
        model: draft,
        fingerprint: '',
        events: new Set(),
        producers: new Set(),
        groups: new Set(),
        drafts: new Map(),
      });
    }
  }

  const topicModels: TopicModel[] = [...topics.values()]
    .map(({ model, events: evs, producers, groups: gs }) => {
      const forTopic = deadLetterFor.get(model.address);
      return {
        ...model,
        kind: forTopic !== undefined ? ('dead-letter' as const) : ('event' as const),
        ...opt('deadLetterFor', forTopic),
        ...opt('deadLetterOrigin', origin.get(model.address)),
        events: [...evs].sort(),
        producers: [...producers].sort(),
        consumerGroups: [...gs].sort(),
      };
    })
    .sort((a, b) => a.address.localeCompare(b.address));
  const byAddress = new Map(topicModels.map((t) => [t.address, t]));

  for (const topic of topicModels) checkTopic(topic, byAddress, events, findings);
  requireKeysOnCompactedTopics(topicModels, events, findings);

  const consumerGroups: ConsumerGroupModel[] = [...groups.entries()]
    .map(([groupId, g]) => ({
      groupId,
      context: g.context,
      subscriptions: g.subscriptions
        .map(({ own, ...s }) => ({
          ...s,
          deadLetterTopic: own ?? byAddress.get(s.topic)?.deadLetterTopic ?? '',
        }))
        .sort((a, b) => a.topic.localeCompare(b.topic)),
    }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId));
  for (const group of consumerGroups) {
    for (const s of group.subscriptions) {
      if (s.deadLetterTopic !== '' && !byAddress.has(s.deadLetterTopic))
        findings.error(
          'unresolved-ref',
          s.location,
          `dead-letter topic "${s.deadLetterTopic}" is not a channel of any document`,
        );
    }
  }

  const contexts = documents.map((d) => d.context).sort((a, b) => a.name.localeCompare(b.name));
  return {
    contexts,
    topics: topicModels,
    // An event belongs to the context that owns its topic, whichever document mentioned it first.
    events: [...events.values()]
      .map(({ event }) => {
        const owner = byAddress.get(event.topic)?.owner ?? event.owner;
        const source = contexts.find((c) => c.name === owner)?.source ?? event.source;
        const versions = event.versions?.map((v) => ({ ...v, owner, source }));
        return { ...event, owner, source, ...opt('versions', versions) };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    consumerGroups,
  };
}

function checkTopic(
  topic: TopicModel,
  byAddress: ReadonlyMap<string, TopicModel>,
  events: ReadonlyMap<string, { event: EventModel }>,
  findings: Findings,
): void {
  if (topic.deadLetterTopic !== undefined && !byAddress.has(topic.deadLetterTopic)) {
    findings.error(
      'unresolved-ref',
      topic.location,
      `dead-letter topic "${topic.deadLetterTopic}" is not a channel of any document`,
    );
  }
  if (topic.kind === 'dead-letter' && topic.events.length > 0) {
    findings.warning(
      'invalid-value',
      topic.location,
      'a dead-letter channel carries the original records as they were; it must not declare messages of its own',
    );
  }
  if (topic.kind === 'dead-letter') return;
  for (const parameter of topic.parameters) {
    const where = {
      file: topic.location.file,
      pointer: `${topic.location.pointer}/parameters/${parameter.name}`,
    };
    if (parameter.location === undefined) {
      findings.convention(
        'unsupported',
        where,
        `parameter "${parameter.name}" of "${topic.address}" needs a location of the form $message.payload#/<field>, so the publisher can derive the topic from the event`,
        `publishers pass it (\`parameters: { ${parameter.name}: … }\`) and consumers subscribe by pattern, receiving it parsed from the topic name`,
      );
      continue;
    }
    if (parameter.location.source !== 'payload') {
      findings.error(
        'unsupported',
        where,
        `parameter "${parameter.name}" of "${topic.address}" must come from the payload ($message.payload#/<field>), not from a header`,
      );
      continue;
    }
    for (const eventName of topic.events) {
      const event = events.get(eventName)?.event;
      for (const version of event ? allVersions(event) : []) {
        const field = requiredScalarField(version.payload, parameter.location.path);
        if (field.ok) continue;
        const which = isVersioned(event!) ? ` version ${version.schemaVersion}` : '';
        findings.error(
          'invalid-value',
          version.location,
          `parameter "${parameter.name}" of "${topic.address}" comes from ${parameter.location.expression}, but in "${eventName}"${which} ${field.reason}`,
        );
      }
    }
  }
}

/**
 * Kafka refuses a record without a key on a compacted topic (`cleanup.policy` holding `compact`):
 * an event on one whose publisher passes the key gets a required key argument, said in a warning.
 */
function requireKeysOnCompactedTopics(
  topics: readonly TopicModel[],
  events: Map<string, { event: EventModel }>,
  findings: Findings,
): void {
  for (const topic of topics) {
    if (!(topic.config['cleanup.policy'] ?? '').split(',').includes('compact')) continue;
    for (const name of topic.events) {
      const entry = events.get(name);
      if (entry?.event.key.source !== 'argument' || entry.event.key.required) continue;
      const key = { ...entry.event.key, required: true };
      const versions = entry.event.versions?.map((v) => ({ ...v, key }));
      entry.event = { ...entry.event, key, ...opt('versions', versions) };
      findings.warning(
        'partition-key',
        entry.event.location,
        `"${name}" is published to "${topic.address}", a compacted topic (cleanup.policy ${topic.config['cleanup.policy']}), where Kafka refuses records without a key: publishers must pass one`,
      );
    }
  }
}

/**
 * May `event` be carried as another major version beside `other` (same name, another
 * `x-schema-version`)? Only on the same topic and with the same key rule: a consumer group reads
 * every version from one subscription, and one entity's records keep one partition across
 * versions. Otherwise an error naming both places.
 */
function sameStream(other: EventModel, event: EventModel, findings: Findings): boolean {
  const versions = `versions ${other.schemaVersion} (${findings.place(other.location)}) and ${event.schemaVersion}`;
  if (other.topic !== event.topic) {
    findings.error(
      'event-version',
      event.location,
      `event "${event.name}" is declared in ${versions} on different topics, "${other.topic}" and "${event.topic}"; every major version of an event travels on one topic (a new topic is a new event name)`,
    );
    return false;
  }
  if (keyRule(other.key) !== keyRule(event.key)) {
    findings.error(
      'event-version',
      event.location,
      `event "${event.name}" is declared in ${versions} with different partition keys, ${keyRule(other.key)} and ${keyRule(event.key)}; every major version of an event must key its records the same way, or one entity's records would land on other partitions`,
    );
    return false;
  }
  return true;
}

function keyRule(key: EventKey): string {
  if (key.source === 'payload') return key.expression.expression;
  return `a ${key.required ? 'required' : 'optional'} ${key.type} key argument`;
}

/** Each event as its current (highest) version, with the earlier versions attached, oldest first. */
function mergeVersions(
  declared: ReadonlyMap<string, ReadonlyMap<number, { event: EventModel }>>,
): Map<string, { event: EventModel }> {
  const merged = new Map<string, { event: EventModel }>();
  for (const [name, versions] of declared) {
    const sorted = [...versions.values()]
      .map((v) => v.event)
      .sort((a, b) => a.schemaVersion - b.schemaVersion);
    const current = sorted.at(-1)!;
    const earlier = sorted.slice(0, -1);
    merged.set(name, { event: earlier.length > 0 ? { ...current, versions: earlier } : current });
  }
  return merged;
}
