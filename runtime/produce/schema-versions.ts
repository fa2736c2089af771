/**
 * Pinning producers to an earlier major version of an event during a
 * migration window. An event the contracts carry in several versions is sent
 * in its current (highest) version unless the producer is pinned: the
 * `schemaVersions` option of `createEventProducer` and `createOutboxWriter`,
 * which services read from `EVENT_SCHEMA_VERSIONS` (`UserRegistered:1`, a
 * comma-separated list). An event that names its `schemaVersion` itself is
 * sent in that version whatever the pin says.
 */
import type { TopicDefinition } from '../contract/definitions.ts';
import { describeVersions, eventVersion } from '../contract/versions.ts';

/** Event type → the major version a producer sends it in. */
export type SchemaVersionPins = Readonly<Record<string, number>>;

/** The environment variable services read their pins from. */
export const SCHEMA_VERSIONS_ENV = 'EVENT_SCHEMA_VERSIONS';

/**
 * `UserRegistered:1, OrderPlaced:2` → `{ UserRegistered: 1, OrderPlaced: 2 }`; empty or absent → `{}`.
 * Throws naming the variable on anything else, so a typo stops a service at start.
 */
export function parseSchemaVersions(text: string | undefined, name = SCHEMA_VERSIONS_ENV): SchemaVersionPins {
  const pins: Record<string, number> = {};
  for (const entry of (text ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const match = /^\s*([^\s:]+)\s*:\s*([1-9][0-9]*)\s*$/.exec(entry);
    if (!match || !Number.isSafeInteger(Number(match[2])))
      throw new Error(
        `${name} must list EventType:version pairs separated by commas (e.g. UserRegistered:1), not ${JSON.stringify(entry.trim())}`,
      );
    if (Object.hasOwn(pins, match[1]!)) throw new Error(`${name} pins ${match[1]} twice`);
    pins[match[1]!] = Number(match[2]);
  }
  return pins;
}

/**
 * Throws when a pin names an event of `topic` in a version the contract does not carry, so a
 * producer fails when it is built rather than on its first event. Pins of other topics' events are
 * not this topic's business.
 */
export function checkPins(topic: TopicDefinition, pins: SchemaVersionPins | undefined): void {
  for (const [type, version] of Object.entries(pins ?? {})) {
    if (!Object.hasOwn(topic.events, type)) continue;
    const definition = topic.events[type]!;
    if (eventVersion(definition, version) === undefined)
      throw new Error(
        `${type} is pinned to schema version ${version}, but the contract carries it on ${topic.name} in ${describeVersions(definition)}`,
      );
  }
}
