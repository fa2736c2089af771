/**
 * The views `catalog.ts` of a generated SDK gives of its events and consumer
 * groups, computed from the definitions that hold the facts, so the generated
 * catalog copies none of them.
 */
import type { ConsumerGroupDefinition, EventDefinition } from './definitions.ts';

/** An event definition with the context that owns it (only its data fields are read). */
export interface OwnedEvent {
  readonly definition: Pick<EventDefinition, 'type' | 'topic' | 'partitionKeyExpression' | 'schemaVersion'>;
  readonly owner: string;
}

/** One event of the catalog. */
export interface CatalogEvent {
  readonly name: string;
  readonly topic: string;
  readonly owner: string;
  /** The runtime expression the key is read from, or null when the publisher passes the key. */
  readonly partitionKey: string | null;
  readonly schemaVersion: number;
}

/** One consumer group of the catalog, with the topics and events it handles. */
export interface CatalogConsumerGroup {
  readonly groupId: string;
  readonly context: string;
  readonly subscriptions: readonly {
    readonly topic: string;
    readonly events: readonly string[];
    readonly maxAttempts: number;
  }[];
}

export function describeEvents(events: readonly OwnedEvent[]): CatalogEvent[] {
  return events.map(({ definition, owner }) => ({
    name: definition.type,
    topic: definition.topic,
    owner,
    partitionKey: definition.partitionKeyExpression ?? null,
    schemaVersion: definition.schemaVersion,
  }));
}

export function describeConsumerGroups(groups: readonly ConsumerGroupDefinition[]): CatalogConsumerGroup[] {
  return groups.map((group) => ({
    groupId: group.groupId,
    context: group.context,
    subscriptions: group.subscriptions.map((s) => ({
      topic: s.topic.name,
      events: s.events,
      maxAttempts: s.retry.maxAttempts,
    })),
  }));
}
