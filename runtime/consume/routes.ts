/**
 * Where a record goes, from the contract and the handler map alone: which
 * subscription a topic belongs to, and per record (decode.ts decides from its
 * bytes) the handler of its event type and schema version, a skip (a type the
 * topic carries that the group does not subscribe to), or a dead letter (unknown
 * type, undecodable, schema-invalid) with the dead-letter topic it goes to.
 */
import type { ConsumerGroupDefinition, SubscriptionDefinition } from '../contract/definitions.ts';
import type { EventHandler, HandlerContext, HandlerMap } from '../contract/events.ts';
import type { ConsumedRecord, TopicSubscription } from '../kafka/consumer-port.ts';
import { fillTemplate, parametersOf, subscriptionOf } from '../topics/address-template.ts';
import { type AnyReceivedEvent, type Decision, decide } from './decode.ts';

export type AnyHandler = EventHandler<string, unknown, unknown>;
export type AnyBatchHandler = (
  events: readonly AnyReceivedEvent[],
  context: HandlerContext,
) => Promise<void> | void;

/** A handler of the map: `each` handles one event (a batch handler called with one); `batch`, when the map gave the batch form. */
export interface RoutedHandler {
  readonly each: AnyHandler;
  readonly batch: AnyBatchHandler | undefined;
}

/** The map's entry for one event type as a `RoutedHandler`; undefined when it is neither form. */
function routed(entry: unknown): RoutedHandler | undefined {
  // Generated handler maps are typed per event; the runner calls them with the event decoded for that type.
  if (typeof entry === 'function') return { each: entry as AnyHandler, batch: undefined };
  const batch =
    typeof entry === 'object' && entry !== null ? (entry as { batch?: unknown }).batch : undefined;
  if (typeof batch !== 'function') return undefined;
  const fn = batch as AnyBatchHandler;
  return {
    batch: (events, context) => fn.call(entry, events, context),
    each: (event, context) => fn.call(entry, [event], context),
  };
}

/** A record a run takes (never one to dead-letter): dispatch it to its handler, or skip it. */
export type RunDecision = Exclude<Decision, { readonly kind: 'dead-letter' }>;

interface SubscriptionRoute {
  readonly matches: (topic: string) => boolean;
  readonly subscription: SubscriptionDefinition;
  /** Event type → handler (every version of a type has the one handler; it sees `event.schemaVersion`). */
  readonly handlers: ReadonlyMap<string, RoutedHandler>;
  /** Some handler of the subscription has the batch form. */
  readonly batches: boolean;
}

export class ConsumerRoutes {
  readonly #group: ConsumerGroupDefinition;
  readonly #routes: SubscriptionRoute[];
  readonly #bySubscription = new Map<SubscriptionDefinition, SubscriptionRoute>();

  /** Throws naming every handler the contract requires and the map lacks. */
  constructor(group: ConsumerGroupDefinition, groupId: string, handlers: HandlerMap) {
    this.#group = group;
    const missing: string[] = [];
    this.#routes = group.subscriptions.map((subscription) => {
      const sub = subscriptionOf(subscription.topic.name);
      const byType = handlers[subscription.handlerKey];
      const table = new Map<string, RoutedHandler>();
      for (const type of subscription.events) {
        const handler = routed(byType && Object.hasOwn(byType, type) ? byType[type] : undefined);
        if (!handler) {
          missing.push(`${subscription.handlerKey}.${type}`);
          continue;
        }
        table.set(type, handler);
      }
      const route: SubscriptionRoute = {
        subscription,
        handlers: table,
        batches: [...table.values()].some((h) => h.batch !== undefined),
        matches:
          typeof sub === 'string' ? (topic: string) => topic === sub : (topic: string) => sub.test(topic),
      };
      this.#bySubscription.set(subscription, route);
      return route;
    });
    if (missing.length > 0) {
      throw new Error(`consumer group ${groupId}: no handler for ${missing.join(', ')}`);
    }
  }

  /** What the port subscribes to: one entry per subscription's topic. */
  topics(): TopicSubscription[] {
    return this.#group.subscriptions.map((s) => subscriptionOf(s.topic.name));
  }

  /** The subscription a fetched topic belongs to (a pattern subscription matches many topics). */
  subscriptionFor(topic: string): SubscriptionDefinition | undefined {
    return this.#routes.find((r) => r.matches(topic))?.subscription;
  }

  /** What to do with one record of a topic of `subscription`. */
  decide(record: ConsumedRecord, subscription: SubscriptionDefinition): Decision {
    return decide(record, subscription);
  }

  /** The handler of a dispatched event (its type was checked against the subscription by `decide`). */
  handler(subscription: SubscriptionDefinition, event: AnyReceivedEvent): RoutedHandler {
    const handler = this.#bySubscription.get(subscription)?.handlers.get(event.type);
    if (!handler) {
      throw new Error(`consumer group ${this.#group.groupId}: no handler for ${event.topic} ${event.type}`);
    }
    return handler;
  }

  /** Whether some handler of `subscription` has the batch form (its runs go unfenced first). */
  hasBatchHandlers(subscription: SubscriptionDefinition): boolean {
    return this.#bySubscription.get(subscription)?.batches ?? false;
  }

  /** The dead-letter topic of a record: a parameterized one takes the record topic's parameters (`env.{env}.orders.dlq`). */
  deadLetterTopic(subscription: SubscriptionDefinition, recordTopic: string): string {
    return subscription.deadLetterTopic.includes('{')
      ? fillTemplate(
          subscription.deadLetterTopic,
          (name) => parametersOf(subscription.topic.name, recordTopic)[name],
        )
      : subscription.deadLetterTopic;
  }
}
