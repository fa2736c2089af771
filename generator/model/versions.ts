/**
 * An event declared in several major versions (messages with one `name` and
 * distinct `x-schema-version`s): the catalog keeps the current version as the
 * event and the earlier ones on it. Helpers for everyone who walks them.
 */
import type { EventModel, EventVersion } from './catalog.ts';

/** Every version of an event, oldest first, the current one last. */
export function allVersions(event: EventModel): readonly EventVersion[] {
  return [...(event.versions ?? []), event];
}

/** True when the event is carried in more than one major version. */
export function isVersioned(event: EventModel): boolean {
  return (event.versions?.length ?? 0) > 0;
}

/**
 * The key naming/ and emit/ look a version's schemas up by: the event name for the current
 * version (as for every single-version event), the name and the version for an earlier one.
 */
export function versionKey(event: EventModel, version: EventVersion): string {
  return version.schemaVersion === event.schemaVersion
    ? event.name
    : `${event.name}\u0000v${version.schemaVersion}`;
}
