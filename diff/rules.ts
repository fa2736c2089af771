/**
 * Every rule `contracts:diff` applies, with its severity and the fix it
 * recommends. `breaking` fails the gate unless the head contract carries a new
 * `x-breaking-changes` override naming the rule; `warning` and `info` are
 * reported and pass.
 */
export type Severity = 'breaking' | 'warning' | 'info';

export interface Rule {
  readonly severity: Severity;
  /** One line: what the rule guards. */
  readonly title: string;
  /** What to do instead. */
  readonly fix: string;
}

const NEW_VERSION =
  'publish the change as a new major version (x-schema-version + 1) carried beside the old one during a migration window, or on a new topic';

export const RULES = {
  'payload.incompatible': {
    severity: 'breaking',
    title:
      "the payload schema change breaks the event's compatibility mode (Confluent Schema Registry's JSON Schema rules)",
    fix: `make the change compatible (optional properties on a closed model, widening only), or ${NEW_VERSION}`,
  },
  'payload.version-not-bumped': {
    severity: 'breaking',
    title:
      'a breaking payload change keeps the same x-schema-version, so consumers cannot tell old events from new ones',
    fix: 'raise x-schema-version with the change',
  },
  'headers.incompatible': {
    severity: 'breaking',
    title: "the header schema change breaks the event's compatibility mode",
    fix: `make the header change compatible, or ${NEW_VERSION}`,
  },
  'key.expression-changed': {
    severity: 'breaking',
    title:
      'the partition key expression changed: records of one entity land on other partitions, so per-key order breaks across the change',
    fix: 'keep the key; if it must change, move the event to a new topic and migrate consumers',
  },
  'key.source-changed': {
    severity: 'breaking',
    title:
      'the key moved between the payload and a publisher-passed argument: keys (and partitions) of the same entity change',
    fix: 'keep where the key comes from; if it must change, use a new topic',
  },
  'key.schema-changed': {
    severity: 'breaking',
    title: 'the Kafka key schema (bindings.kafka.key) changed: keys hash differently or fail to decode',
    fix: 'keep the key schema; if it must change, use a new topic',
  },
  'topic.partitions-decreased': {
    severity: 'breaking',
    title: 'fewer partitions: Kafka refuses to remove partitions from a topic',
    fix: 'keep the partition count, or create a new topic and migrate',
  },
  'topic.partitions-increased': {
    severity: 'breaking',
    title:
      'more partitions on a keyed topic: the key → partition mapping moves, so per-key order breaks while old and new records interleave',
    fix: 'drain the topic before adding partitions, or create a new topic with the new count and migrate',
  },
  'topic.removed': {
    severity: 'breaking',
    title: 'a topic with producers or consumer groups was removed',
    fix: 'deprecate the topic first (keep it until every consumer group has moved), then remove it',
  },
  'topic.renamed': {
    severity: 'breaking',
    title:
      'a topic was renamed: consumers subscribed to the old name stop receiving, and its data stays behind',
    fix: 'publish to both names during a migration window, or keep the name',
  },
  'topic.dead-letter-changed': {
    severity: 'breaking',
    title:
      "a topic's dead-letter topic was renamed or removed while consumer groups use it: dead letters and the tools reading them split",
    fix: 'keep the dead-letter topic until it is drained, or add the new one beside it',
  },
  'topic.retention-decreased': {
    severity: 'breaking',
    title: 'retention was cut: records consumers (or a replay) still need are deleted sooner',
    fix: 'check every consumer group keeps up within the new retention, then override with a reason',
  },
  'topic.cleanup-policy-changed': {
    severity: 'breaking',
    title: 'cleanup.policy changed: compaction deletes all but the latest record per key (or stops doing so)',
    fix: 'create a new topic with the new policy and migrate',
  },
  'group.renamed': {
    severity: 'breaking',
    title:
      'a consumer group was renamed: the new group has no committed offsets, so it starts from the reset position (re-reading or skipping events)',
    fix: 'keep the group id, or copy the offsets to the new group (kafka-consumer-groups --reset-offsets) before switching',
  },
  'event.removed': {
    severity: 'breaking',
    title: 'an event type consumer groups handle was removed from its topic',
    fix: 'deprecate the event (deprecated: true) until no group handles it, then remove it',
  },
  'event.moved': {
    severity: 'breaking',
    title: 'an event moved to another topic: groups on the old topic stop receiving it',
    fix: 'publish to both topics during a migration window',
  },
  'event.version-added': {
    severity: 'info',
    title:
      'a new major version of an event is carried beside the old one (same name, same topic, another x-schema-version): consumers must be deployed before producers switch',
    fix: 'deploy every consumer group that handles the event (regenerated, its handler receives both versions) before any producer sends the new version; until then keep producers on the old one (EVENT_SCHEMA_VERSIONS=<Event>:<old version>)',
  },
  'event.version-removed': {
    severity: 'breaking',
    title:
      'a major version of an event was removed while consumer groups handle the event: its records still in the topic, or from producers still pinned to it, are dead-lettered',
    fix: 'mark the version deprecated: true first and move every producer off it (no EVENT_SCHEMA_VERSIONS pin left); remove it once the topic retention has passed since its last record',
  },
  'event.added-unhandled': {
    severity: 'warning',
    title:
      'an event type was added to a topic: each consumer group on it either gains a required handler (its service will not compile until it adds one) or skips the new type at run time',
    fix: 'add the handlers, or declare which messages each receive operation takes',
  },
  'override.unknown-rule': {
    severity: 'breaking',
    title: 'an x-breaking-changes override names no known rule',
    fix: 'use one of the rule ids contracts:diff reports',
  },
  'override.unused': {
    severity: 'info',
    title: 'an x-breaking-changes override added by this change matches no breaking finding',
    fix: 'remove the override',
  },
  'override.stale': {
    severity: 'info',
    title:
      'an x-breaking-changes override was already present at the base revision: it applied to an earlier change and lets nothing pass now',
    fix: 'remove it once its change has shipped',
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}
