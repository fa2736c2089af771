/**
 * An event carried in several major versions during a migration window
 * (`EventDefinition.versions`): which version's checks apply to a record or an
 * outgoing event, for the consumer's decoder and the producer alike.
 */
import type { EventDefinition, EventVersionDefinition } from './definitions.ts';

/** The checks of one version: the event's own for its current version, else the earlier version's entry. */
export function eventVersion(
  definition: EventDefinition<string, unknown, unknown>,
  schemaVersion: number,
): EventVersionDefinition | undefined {
  if (schemaVersion === definition.schemaVersion) return definition as EventVersionDefinition;
  return definition.versions?.find((v) => v.schemaVersion === schemaVersion);
}

/** Every version the event is carried in, oldest first. */
export function schemaVersionsOf(definition: Pick<EventDefinition, 'schemaVersion' | 'versions'>): number[] {
  return [...(definition.versions ?? []).map((v) => v.schemaVersion), definition.schemaVersion];
}

/** `version 2` or `versions 1, 2`, for messages. */
export function describeVersions(definition: Pick<EventDefinition, 'schemaVersion' | 'versions'>): string {
  const all = schemaVersionsOf(definition);
  return `${all.length === 1 ? 'version' : 'versions'} ${all.join(', ')}`;
}
