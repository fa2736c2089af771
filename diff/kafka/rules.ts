/**
 * The Kafka rules no payload differ has: what a contract change does to
 * topics, keys, consumer groups and the events each topic carries. Pure: two
 * snapshots in, findings out.
 */
import type { EventModel, TopicModel } from '../../generator/model/catalog.ts';
import { allVersions } from '../../generator/model/versions.ts';
import { type Finding, finding } from '../findings.ts';
import { canonicalJson } from '../payload/json-value.ts';
import { comparedVersions } from '../payload-rules.ts';
import { handlersOf, type Snapshot } from '../snapshot.ts';

/** Kafka's default `retention.ms` (7 days), for a topic that sets none. */
const DEFAULT_RETENTION_MS = 604_800_000;

export function kafkaFindings(base: Snapshot, head: Snapshot): Finding[] {
  return [...topicFindings(base, head), ...eventFindings(base, head), ...groupFindings(base, head)];
}

function topicFindings(base: Snapshot, head: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const before of base.catalog.topics) {
    if (before.kind !== 'event') continue;
    const affected = { producers: before.producers, consumerGroups: before.consumerGroups };
    const after = head.topics.get(before.address);
    if (after === undefined) {
      if (before.producers.length === 0 && before.consumerGroups.length === 0) continue;
      const renamed = head.catalog.topics.find(
        (t) => t.kind === 'event' && t.owner === before.owner && t.channelId === before.channelId,
      );
      out.push(
        renamed
          ? finding('topic.renamed', {
              subject: { kind: 'topic', name: before.address },
              message: `topic "${before.address}" is now "${renamed.address}" (channel ${before.channelId} of ${before.owner})`,
              base: base.place(before.location),
              head: head.place(renamed.location),
              ...affected,
            })
          : finding('topic.removed', {
              subject: { kind: 'topic', name: before.address },
              message: `topic "${before.address}" was removed; it had ${describeUsers(before)}`,
              base: base.place(before.location),
              ...affected,
            }),
      );
      continue;
    }
    const places = { base: base.place(before.location), head: head.place(after.location) };
    const subject = { kind: 'topic' as const, name: before.address };
    if (after.partitions < before.partitions) {
      out.push(
        finding('topic.partitions-decreased', {
          subject,
          message: `partitions of "${before.address}" cut from ${before.partitions} to ${after.partitions}`,
          ...places,
          ...affected,
        }),
      );
    } else if (after.partitions > before.partitions) {
      const keyed = isKeyed(after, head);
      out.push(
        finding('topic.partitions-increased', {
          subject,
          severity: keyed ? 'breaking' : 'warning',
          message: `partitions of "${before.address}" raised from ${before.partitions} to ${after.partitions}${keyed ? '; its events are keyed, so keys move to other partitions' : '; its events carry no key rule, so only keys publishers pass would move'}`,
          ...places,
          ...affected,
        }),
      );
    }
    const retention = [retentionMs(before), retentionMs(after)] as const;
    if (retention[1] < retention[0]) {
      out.push(
        finding('topic.retention-decreased', {
          subject,
          message: `retention.ms of "${before.address}" cut from ${showRetention(retention[0])} to ${showRetention(retention[1])}`,
          ...places,
          ...affected,
        }),
      );
    }
    const policy = [cleanupPolicy(before), cleanupPolicy(after)] as const;
    if (policy[0] !== policy[1]) {
      out.push(
        finding('topic.cleanup-policy-changed', {
          subject,
          message: `cleanup.policy of "${before.address}" changed from ${policy[0]} to ${policy[1]}`,
          ...places,
          ...affected,
        }),
      );
    }
    if (before.deadLetterTopic !== after.deadLetterTopic && before.consumerGroups.length > 0) {
      out.push(
        finding('topic.dead-letter-changed', {
          subject,
          message: `the dead-letter topic of "${before.address}" changed from ${before.deadLetterTopic ?? 'none'} to ${after.deadLetterTopic ?? 'none'} while ${before.consumerGroups.join(', ')} consume it`,
          ...places,
          ...affected,
        }),
      );
    }
  }
  return out;
}

function eventFindings(base: Snapshot, head: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const before of base.catalog.events) {
    const handlers = handlersOf(base, before.topic, before.name).map(([g]) => g.groupId);
    const producers = base.topics.get(before.topic)?.producers ?? [];
    const subject = { kind: 'event' as const, name: before.name };
    const after = head.events.get(before.name);
    if (after === undefined) {
      if (handlers.length > 0) {
        out.push(
          finding('event.removed', {
            subject,
            message: `event "${before.name}" was removed from "${before.topic}" while ${handlers.join(', ')} handle it`,
            base: base.place(before.location),
            producers,
            consumerGroups: handlers,
          }),
        );
      }
      continue;
    }
    const places = { base: base.place(before.location), head: head.place(after.location) };
    const renamedTopic = topicRenamed(base, head, before.topic, after.topic);
    if (after.topic !== before.topic && !renamedTopic) {
      out.push(
        finding('event.moved', {
          subject,
          message: `event "${before.name}" moved from "${before.topic}" to "${after.topic}"${handlers.length > 0 ? `; ${handlers.join(', ')} read it on the old topic` : ''}`,
          ...places,
          producers,
          consumerGroups: handlers,
        }),
      );
    }
    out.push(...keyFindings(before, after, places, producers, handlers));
    out.push(...versionFindings(base, head, before, after));
  }
  for (const after of head.catalog.events) {
    if (base.events.has(after.name)) continue;
    const topic = base.topics.get(after.topic);
    if (topic === undefined) continue;
    const groups = head.catalog.consumerGroups.flatMap((g) =>
      g.subscriptions
        .filter((s) => s.topic === after.topic)
        .map((s) => ({ group: g, handles: s.events.includes(after.name) })),
    );
    if (groups.length === 0) continue;
    const mustHandle = groups
      .filter((g) => g.handles)
      .map((g) => `${g.group.groupId} (service of context ${g.group.context})`);
    const skip = groups.filter((g) => !g.handles).map((g) => g.group.groupId);
    out.push(
      finding('event.added-unhandled', {
        subject: { kind: 'event', name: after.name },
        message: [
          `event "${after.name}" was added to "${after.topic}"`,
          mustHandle.length > 0
            ? `; ${mustHandle.join(', ')} take every message of the topic and must add a handler (their services no longer compile without one)`
            : '',
          skip.length > 0
            ? `; ${skip.join(', ')} do not list it and acknowledge and skip it at run time`
            : '',
        ].join(''),
        head: head.place(after.location),
        producers: head.topics.get(after.topic)?.producers ?? [],
        consumerGroups: groups.map((g) => g.group.groupId),
      }),
    );
  }
  return out;
}

/**
 * Major versions carried beside one another: a version added beside those the base carries
 * (`event.version-added`: consumers first), and a version removed while another stays and groups
 * handle the event (`event.version-removed`; a warning when the base had deprecated it). When the
 * two revisions share no version the event changed its version in place: payload-rules.ts
 * compares the two, and nothing is said here about the one replaced.
 */
function versionFindings(base: Snapshot, head: Snapshot, before: EventModel, after: EventModel): Finding[] {
  const { inPlace } = comparedVersions(before, after);
  const baseVersions = new Map(allVersions(before).map((v) => [v.schemaVersion, v]));
  const headVersions = new Map(allVersions(after).map((v) => [v.schemaVersion, v]));
  const handlers = handlersOf(head, after.topic, after.name).map(([g]) => g.groupId);
  const producers = head.topics.get(after.topic)?.producers ?? [];
  const subject = { kind: 'event' as const, name: after.name };
  const out: Finding[] = [];
  for (const [version, added] of headVersions) {
    if (inPlace || baseVersions.has(version)) continue;
    const kept = [...baseVersions.keys()].filter((v) => headVersions.has(v));
    const old = kept.at(-1)!;
    const groups = handlers.length > 0 ? handlers.join(', ') : 'every consumer group that handles it';
    const current =
      version === after.schemaVersion
        ? `; producers running the regenerated SDK send version ${version} by default, so pin them to version ${old} (EVENT_SCHEMA_VERSIONS=${after.name}:${old}) until then`
        : '';
    out.push(
      finding('event.version-added', {
        subject,
        message: `version ${version} of "${after.name}" is carried beside version ${kept.join(', ')} on "${after.topic}": deploy ${groups} first (handlers receive every version)${current}`,
        base: base.place(before.location),
        head: head.place(added.location),
        producers,
        consumerGroups: handlers,
      }),
    );
  }
  for (const [version, removed] of baseVersions) {
    if (headVersions.has(version) || (inPlace && version === before.schemaVersion)) continue;
    if (handlers.length === 0) continue;
    out.push(
      finding('event.version-removed', {
        subject,
        ...(removed.deprecated ? { severity: 'warning' as const } : {}),
        message: `version ${version} of "${after.name}" was removed from "${after.topic}" while ${handlers.join(', ')} ${handlers.length === 1 ? 'handles' : 'handle'} the event; records of version ${version} still in the topic, or from producers pinned to it, are dead-lettered${
          removed.deprecated
            ? ' (the base marked it deprecated: make sure no producer is pinned to it and the topic retention has passed since its last record)'
            : '; it was not deprecated at the base'
        }`,
        base: base.place(removed.location),
        head: head.place(after.location),
        producers,
        consumerGroups: handlers,
      }),
    );
  }
  return out;
}

function keyFindings(
  before: EventModel,
  after: EventModel,
  places: { base: Finding['base']; head: Finding['head'] },
  producers: readonly string[],
  consumerGroups: readonly string[],
): Finding[] {
  const common = {
    subject: { kind: 'event' as const, name: before.name },
    ...places,
    producers,
    consumerGroups,
  };
  if (before.key.source !== after.key.source) {
    return [
      finding('key.source-changed', {
        ...common,
        message: `the key of "${before.name}" was ${describeKey(before)} and is now ${describeKey(after)}`,
      }),
    ];
  }
  const out: Finding[] = [];
  if (
    before.key.source === 'payload' &&
    after.key.source === 'payload' &&
    before.key.expression.expression !== after.key.expression.expression
  ) {
    out.push(
      finding('key.expression-changed', {
        ...common,
        message: `the partition key of "${before.name}" changed from ${before.key.expression.expression} to ${after.key.expression.expression}`,
      }),
    );
  }
  if (canonicalJson(before.keySchema ?? null) !== canonicalJson(after.keySchema ?? null)) {
    out.push(
      finding('key.schema-changed', {
        ...common,
        message: `the Kafka key schema of "${before.name}" (bindings.kafka.key) changed`,
      }),
    );
  }
  return out;
}

function groupFindings(base: Snapshot, head: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const before of base.catalog.consumerGroups) {
    if (head.groups.has(before.groupId)) continue;
    const operations = new Set(before.subscriptions.map((s) => s.operationId));
    const renamed = head.catalog.consumerGroups.find(
      (g) =>
        g.context === before.context &&
        !base.groups.has(g.groupId) &&
        g.subscriptions.some((s) => operations.has(s.operationId)),
    );
    if (renamed === undefined) continue;
    const first = before.subscriptions[0];
    const renamedFirst = renamed.subscriptions[0];
    out.push(
      finding('group.renamed', {
        subject: { kind: 'consumer-group', name: before.groupId },
        message: `consumer group "${before.groupId}" of ${before.context} is now "${renamed.groupId}"; it starts without committed offsets on ${before.subscriptions.map((s) => s.topic).join(', ')}`,
        ...(first ? { base: base.place(first.location) } : {}),
        ...(renamedFirst ? { head: head.place(renamedFirst.location) } : {}),
        producers: [
          ...new Set(before.subscriptions.flatMap((s) => base.topics.get(s.topic)?.producers ?? [])),
        ],
        consumerGroups: [before.groupId],
      }),
    );
  }
  return out;
}

/** True when the topic `from` of the base is the topic `to` of the head under a new name (same channel, same owner). */
function topicRenamed(base: Snapshot, head: Snapshot, from: string, to: string): boolean {
  const before = base.topics.get(from);
  const after = head.topics.get(to);
  return (
    before !== undefined &&
    after !== undefined &&
    !head.topics.has(from) &&
    before.owner === after.owner &&
    before.channelId === after.channelId
  );
}

/** A topic is keyed when one of its events takes its key from the payload or requires one. */
function isKeyed(topic: TopicModel, snapshot: Snapshot): boolean {
  return topic.events.some((name) => {
    const key = snapshot.events.get(name)?.key;
    return key !== undefined && (key.source === 'payload' || key.required);
  });
}

function retentionMs(topic: TopicModel): number {
  const value = topic.config['retention.ms'];
  if (value === undefined) return DEFAULT_RETENTION_MS;
  const ms = Number(value);
  return ms < 0 ? Number.POSITIVE_INFINITY : ms;
}

function showRetention(ms: number): string {
  if (ms === Number.POSITIVE_INFINITY) return 'forever (-1)';
  return `${ms} ms (${(ms / 86_400_000).toFixed(ms % 86_400_000 === 0 ? 0 : 2)} days)`;
}

function cleanupPolicy(topic: TopicModel): string {
  return (topic.config['cleanup.policy'] ?? 'delete')
    .split(',')
    .map((p) => p.trim())
    .sort()
    .join(',');
}

function describeKey(event: EventModel): string {
  return event.key.source === 'payload'
    ? `derived from the payload (${event.key.expression.expression})`
    : `passed by the publisher (${event.key.required ? 'required' : 'optional'})`;
}

function describeUsers(topic: TopicModel): string {
  const parts = [
    topic.producers.length > 0 ? `producers ${topic.producers.join(', ')}` : '',
    topic.consumerGroups.length > 0 ? `consumer groups ${topic.consumerGroups.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join(' and ');
}
