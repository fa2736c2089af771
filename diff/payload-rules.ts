/**
 * Payload and header compatibility of every event in both revisions, under
 * the event's mode (`x-compatibility` of the message, else of its channel,
 * else BACKWARD), with Confluent Schema Registry's JSON Schema rules. The
 * transitive modes check every earlier version `history` gives, not only the
 * base. An event carried in several major versions is compared version by
 * version, each with the same version at the base (`comparedVersions`).
 */
import type { CompatibilityMode, EventModel, EventVersion, JsonSchema } from '../generator/model/catalog.ts';
import { allVersions, isVersioned } from '../generator/model/versions.ts';
import { decycle } from './decycle.ts';
import { type Finding, finding } from './findings.ts';
import { type CompatibilityVerdict, checkCompatibility } from './payload/compatibility.ts';
import { handlersOf, type Snapshot } from './snapshot.ts';
import type { History } from './transitive.ts';

export interface PayloadOptions {
  /** Confluent's lenient set of compatible changes instead of the strict default. */
  readonly lenient?: boolean;
  /**
   * Earlier payloads of an event, oldest first, older than the base (for the _TRANSITIVE modes);
   * none when absent. With `schemaVersion`, those of that major version of the event (current or
   * carried beside another); without, those of the event's current version, whichever it was.
   */
  readonly history?: History;
}

/** The mode an event's payload is held to in `snapshot`. */
export function modeOf(event: EventVersion, snapshot: Snapshot): CompatibilityMode {
  return event.compatibility ?? snapshot.topics.get(event.topic)?.compatibility ?? 'BACKWARD';
}

/**
 * Which versions of an event are compared: each major version with the same version at the base
 * (never version 2 against version 1: a new version carried beside the old one is
 * `event.version-added`); when the two revisions share no version, the event changed its version
 * in place, and the current versions are compared as one.
 */
export function comparedVersions(
  before: EventModel,
  after: EventModel,
): { pairs: [EventVersion, EventVersion][]; inPlace: boolean } {
  const baseVersions = new Map(allVersions(before).map((v) => [v.schemaVersion, v]));
  const pairs = allVersions(after).flatMap((v): [EventVersion, EventVersion][] => {
    const same = baseVersions.get(v.schemaVersion);
    return same === undefined ? [] : [[same, v]];
  });
  return pairs.length > 0 ? { pairs, inPlace: false } : { pairs: [[before, after]], inPlace: true };
}

export function payloadFindings(base: Snapshot, head: Snapshot, options: PayloadOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const event of head.catalog.events) {
    const previous = base.events.get(event.name);
    if (previous === undefined) continue;
    const { pairs, inPlace } = comparedVersions(previous, event);
    const several = isVersioned(event) || isVersioned(previous);
    for (const [before, after] of pairs) {
      const version = inPlace ? undefined : after.schemaVersion;
      const what = several && !inPlace ? `"${event.name}" version ${version}` : `"${event.name}"`;
      out.push(...versionFindings(base, head, event, [before, after], { what, version }, options));
    }
  }
  return out;
}

/**
 * One version of an event against the same version at the base, or, changed in place (`version`
 * undefined), the current version against the base's. `what` names it in messages.
 */
function versionFindings(
  base: Snapshot,
  head: Snapshot,
  event: EventModel,
  [before, after]: [EventVersion, EventVersion],
  { what, version }: { what: string; version: number | undefined },
  options: PayloadOptions,
): Finding[] {
  const out: Finding[] = [];
  const mode = modeOf(after, head);
  const earlier = options.history?.(event.name, version) ?? [];
  const common = {
    subject: { kind: 'event' as const, name: event.name },
    base: base.place(before.location),
    head: head.place(after.location),
    producers: head.topics.get(event.topic)?.producers ?? [],
    consumerGroups: handlersOf(head, event.topic, event.name).map(([g]) => g.groupId),
  };
  const labels = [...earlier.map((e) => e.label), base.label];
  const payload = check(mode, [...earlier.map((e) => e.payload), before.payload], after.payload, options);
  let broken = false;
  if (!payload.compatible) {
    broken = true;
    out.push(
      finding('payload.incompatible', {
        ...common,
        message: `the payload of ${what} is not ${mode} compatible: ${describe(payload, labels)}`,
      }),
    );
  }
  if (before.headers !== undefined && after.headers !== undefined) {
    const headerHistory = earlier.flatMap((e) => (e.headers === undefined ? [] : [e.headers]));
    const headers = check(mode, [...headerHistory, before.headers], after.headers, options);
    if (!headers.compatible) {
      broken = true;
      out.push(
        finding('headers.incompatible', {
          ...common,
          message: `the headers of ${what} are not ${mode} compatible: ${describe(headers, labels.slice(-1 - headerHistory.length))}`,
        }),
      );
    }
  }
  if (broken && after.schemaVersion <= before.schemaVersion) {
    out.push(
      finding('payload.version-not-bumped', {
        ...common,
        message: `${what} changes incompatibly but keeps x-schema-version ${after.schemaVersion}`,
      }),
    );
  }
  return out;
}

function check(
  mode: CompatibilityMode,
  history: readonly JsonSchema[],
  candidate: JsonSchema,
  options: PayloadOptions,
): CompatibilityVerdict {
  return checkCompatibility(
    mode,
    history.map((s) => decycle(s)),
    decycle(candidate),
    // The generated consumers validate every record with ajv and ajv-formats and fill in no defaults.
    { lenient: options.lenient ?? false, readers: 'validating' },
  );
}

/**
 * `new readers of old data (against base abc1234): TYPE_NARROWED at #/properties/a, …`, each
 * check once, at most six differences each.
 */
function describe(verdict: CompatibilityVerdict, labels: readonly string[]): string {
  return verdict.checks
    .filter((c) => c.incompatible.length > 0)
    .map((c) => {
      const who = c.direction === 'backward' ? 'new readers of old data' : 'old readers of new data';
      const shown = c.incompatible.slice(0, 6).map((d) => `${d.type} at ${d.path || '#'}`);
      const more = c.incompatible.length > 6 ? `, and ${c.incompatible.length - 6} more` : '';
      return `${who} (against ${labels[c.version] ?? `version ${c.version + 1}`}): ${shown.join(', ')}${more}`;
    })
    .join('; ');
}
