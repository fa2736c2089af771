/**
 * Payload and header compatibility of every event in both revisions, under
 * the event's mode (`x-compatibility` of the message, else of its channel,
 * else BACKWARD), with Confluent Schema Registry's JSON Schema rules. The
 * transitive modes check every earlier version `history` gives, not only the
 * base.
 */
import type { CompatibilityMode, EventModel, JsonSchema } from '../generator/model/catalog.ts';
import { decycle } from './decycle.ts';
import { type Finding, finding } from './findings.ts';
import { type CompatibilityVerdict, checkCompatibility } from './payload/compatibility.ts';
import { handlersOf, type Snapshot } from './snapshot.ts';

export interface PayloadOptions {
  /** Confluent's lenient set of compatible changes instead of the strict default. */
  readonly lenient?: boolean;
  /**
   * Earlier payload versions of an event, oldest first, older than the base (for the _TRANSITIVE
   * modes); none when absent.
   */
  readonly history?: (
    event: string,
  ) => readonly { payload: JsonSchema; headers?: JsonSchema; label: string }[];
}

/** The mode an event's payload is held to in `snapshot`. */
export function modeOf(event: EventModel, snapshot: Snapshot): CompatibilityMode {
  return event.compatibility ?? snapshot.topics.get(event.topic)?.compatibility ?? 'BACKWARD';
}

export function payloadFindings(base: Snapshot, head: Snapshot, options: PayloadOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const after of head.catalog.events) {
    const before = base.events.get(after.name);
    if (before === undefined) continue;
    const mode = modeOf(after, head);
    const earlier = options.history?.(after.name) ?? [];
    const common = {
      subject: { kind: 'event' as const, name: after.name },
      base: base.place(before.location),
      head: head.place(after.location),
      producers: head.topics.get(after.topic)?.producers ?? [],
      consumerGroups: handlersOf(head, after.topic, after.name).map(([g]) => g.groupId),
    };
    const labels = [...earlier.map((e) => e.label), base.label];
    const payload = check(mode, [...earlier.map((e) => e.payload), before.payload], after.payload, options);
    let broken = false;
    if (!payload.compatible) {
      broken = true;
      out.push(
        finding('payload.incompatible', {
          ...common,
          message: `the payload of "${after.name}" is not ${mode} compatible: ${describe(payload, labels)}`,
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
            message: `the headers of "${after.name}" are not ${mode} compatible: ${describe(headers, labels.slice(-1 - headerHistory.length))}`,
          }),
        );
      }
    }
    if (broken && after.schemaVersion <= before.schemaVersion) {
      out.push(
        finding('payload.version-not-bumped', {
          ...common,
          message: `"${after.name}" changes incompatibly but keeps x-schema-version ${after.schemaVersion}`,
        }),
      );
    }
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
