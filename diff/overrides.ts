/**
 * Reviewed exceptions: a breaking finding passes when the head contract adds
 * an `x-breaking-changes` entry naming its rule, on the event's message or on
 * the topic's channel (for topic findings, on the channel). An entry already
 * present at the base revision applied to an earlier change: it is reported as
 * stale and lets nothing pass, so an override never outlives its change.
 */
import type { BreakingChangeOverride } from '../generator/model/catalog.ts';
import { type Finding, finding, type Place } from './findings.ts';
import { isRuleId } from './rules.ts';
import type { Snapshot } from './snapshot.ts';

interface Declared {
  /** `event:<name>` or `topic:<address>`. */
  readonly scope: string;
  readonly override: BreakingChangeOverride;
  readonly place: Place;
}

export function applyOverrides(findings: readonly Finding[], base: Snapshot, head: Snapshot): Finding[] {
  const before = new Set(declared(base).map((d) => keyOf(d)));
  const fresh: Declared[] = [];
  const out: Finding[] = [];
  for (const d of declared(head)) {
    const subject = { kind: 'override' as const, name: `${d.scope} ${d.override.rule}` };
    if (!isRuleId(d.override.rule)) {
      out.push(
        finding('override.unknown-rule', {
          subject,
          message: `x-breaking-changes names "${d.override.rule}", which is no contracts:diff rule`,
          head: d.place,
          producers: [],
          consumerGroups: [],
        }),
      );
    } else if (before.has(keyOf(d))) {
      out.push(
        finding('override.stale', {
          subject,
          message: `the override of ${d.override.rule} on ${d.scope} ("${d.override.reason}") was already at the base revision`,
          head: d.place,
          producers: [],
          consumerGroups: [],
        }),
      );
    } else {
      fresh.push(d);
    }
  }
  const used = new Set<Declared>();
  for (const f of findings) {
    if (f.severity !== 'breaking') {
      out.push(f);
      continue;
    }
    const scopes = scopesOf(f, head);
    const match = fresh.find((d) => d.override.rule === f.rule && scopes.includes(d.scope));
    if (match === undefined) {
      out.push(f);
      continue;
    }
    used.add(match);
    out.push({ ...f, overriddenBy: { reason: match.override.reason, at: match.place } });
  }
  for (const d of fresh) {
    if (used.has(d)) continue;
    out.push(
      finding('override.unused', {
        subject: { kind: 'override', name: `${d.scope} ${d.override.rule}` },
        message: `the override of ${d.override.rule} on ${d.scope} matches no breaking change`,
        head: d.place,
        producers: [],
        consumerGroups: [],
      }),
    );
  }
  return out;
}

/** Where an override for this finding may be written: the event, and the topic it is on. */
function scopesOf(f: Finding, head: Snapshot): string[] {
  if (f.subject.kind === 'event') {
    const topic = head.events.get(f.subject.name)?.topic;
    return [`event:${f.subject.name}`, ...(topic ? [`topic:${topic}`] : [])];
  }
  if (f.subject.kind === 'topic') return [`topic:${f.subject.name}`];
  if (f.subject.kind === 'consumer-group') {
    const group = head.catalog.consumerGroups.find((g) => g.groupId === f.subject.name);
    return group ? group.subscriptions.map((s) => `topic:${s.topic}`) : [];
  }
  return [];
}

function declared(snapshot: Snapshot): Declared[] {
  const out: Declared[] = [];
  for (const e of snapshot.catalog.events) {
    for (const o of e.breakingChanges ?? [])
      out.push({ scope: `event:${e.name}`, override: o, place: snapshot.place(o.location) });
  }
  for (const t of snapshot.catalog.topics) {
    for (const o of t.breakingChanges ?? [])
      out.push({ scope: `topic:${t.address}`, override: o, place: snapshot.place(o.location) });
  }
  return out;
}

function keyOf(d: Declared): string {
  return `${d.scope}\0${d.override.rule}\0${d.override.reason}`;
}
