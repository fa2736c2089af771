/**
 * The earlier versions a _TRANSITIVE mode checks against: every commit before
 * the base that changed the contracts, read once each (only when some event
 * of the working tree declares such a mode). An event's versions are its
 * distinct payloads in that history, oldest first.
 */
import type { JsonSchema } from '../generator/model/catalog.ts';
import { canonicalJson } from './payload/json-value.ts';
import { modeOf } from './payload-rules.ts';
import { commitsTouching } from './revision.ts';
import { readRevision, type Snapshot } from './snapshot.ts';

export type History = (
  event: string,
) => readonly { payload: JsonSchema; headers?: JsonSchema; label: string }[];

export async function transitiveHistory(
  root: string,
  base: string,
  head: Snapshot,
  input: string,
  scratch: string,
): Promise<History | undefined> {
  const wanted = head.catalog.events
    .filter((e) => modeOf(e, head).endsWith('_TRANSITIVE'))
    .map((e) => e.name);
  if (wanted.length === 0) return undefined;
  const commits = (await commitsTouching(root, base, [input])).reverse();
  const versions = new Map<string, { payload: JsonSchema; headers?: JsonSchema; label: string }[]>(
    wanted.map((name) => [name, []]),
  );
  const seen = new Map<string, Set<string>>(wanted.map((name) => [name, new Set()]));
  for (const commit of commits) {
    const snapshot = await readRevision(root, commit, input, scratch, { mode: head.mode });
    for (const name of wanted) {
      const event = snapshot.events.get(name);
      if (event === undefined) continue;
      const key = canonicalJson([event.payload, event.headers ?? null]);
      if (seen.get(name)?.has(key)) continue;
      seen.get(name)?.add(key);
      versions.get(name)?.push({
        payload: event.payload,
        ...(event.headers !== undefined ? { headers: event.headers } : {}),
        label: `${commit.slice(0, 12)}`,
      });
    }
  }
  return (event) => versions.get(event) ?? [];
}
