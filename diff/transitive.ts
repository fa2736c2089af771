/**
 * The earlier versions a _TRANSITIVE mode checks against: every commit before
 * the base that changed the contracts, read once each (only when some event
 * of the working tree declares such a mode). An event's versions are its
 * distinct payloads in that history, oldest first.
 */
import type { EventVersion, JsonSchema } from '../generator/model/catalog.ts';
import { allVersions } from '../generator/model/versions.ts';
import { canonicalJson } from './payload/json-value.ts';
import { modeOf } from './payload-rules.ts';
import { commitsTouching } from './revision.ts';
import { readRevision, type Snapshot } from './snapshot.ts';

/**
 * An event's earlier payloads, oldest first: of its current version whichever it was (no
 * `schemaVersion`), or of one major version (current or carried beside another) at each commit.
 */
export type History = (
  event: string,
  schemaVersion?: number,
) => readonly { payload: JsonSchema; headers?: JsonSchema; label: string }[];

export async function transitiveHistory(
  root: string,
  base: string,
  head: Snapshot,
  input: string,
  scratch: string,
): Promise<History | undefined> {
  const wanted = head.catalog.events
    .filter((e) => allVersions(e).some((v) => modeOf(v, head).endsWith('_TRANSITIVE')))
    .map((e) => e.name);
  if (wanted.length === 0) return undefined;
  const commits = (await commitsTouching(root, base, [input])).reverse();
  // `<name>` → the current version's payloads; `<name>\0<version>` → that version's payloads; each
  // distinct payload and header pair once, oldest first.
  const versions = new Map<
    string,
    Map<string, { payload: JsonSchema; headers?: JsonSchema; label: string }>
  >();
  const add = (slot: string, event: EventVersion, commit: string) => {
    const known = versions.get(slot) ?? new Map();
    versions.set(slot, known);
    const key = canonicalJson([event.payload, event.headers ?? null]);
    if (known.has(key)) return;
    known.set(key, {
      payload: event.payload,
      ...(event.headers !== undefined ? { headers: event.headers } : {}),
      label: commit.slice(0, 12),
    });
  };
  for (const commit of commits) {
    const snapshot = await readRevision(root, commit, input, scratch, { mode: head.mode });
    for (const name of wanted) {
      const event = snapshot.events.get(name);
      if (event === undefined) continue;
      add(name, event, commit);
      for (const v of allVersions(event)) add(`${name}\0${v.schemaVersion}`, v, commit);
    }
  }
  return (event, schemaVersion) => [
    ...(versions.get(schemaVersion === undefined ? event : `${event}\0${schemaVersion}`)?.values() ?? []),
  ];
}
