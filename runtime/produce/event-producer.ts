/**
 * `EventProducer` on a `KafkaProducerPort`: direct publishing, the generated
 * publishers' backend. Every event is prepared by `prepareEvent` (validated
 * payload, contract key, CloudEvents headers) before anything is sent;
 * `publishAll` validates the whole list first and sends it as one batch.
 *
 * Direct publishing is not transactional with any database write: a service
 * that changes state and publishes about it writes through the outbox instead.
 */
import type { EventMap, TopicDefinition } from '../contract/definitions.ts';
import type {
  EventProducer,
  OutgoingEvent,
  PublishOptions,
  PublishReceipt,
  TopicPublisher,
} from '../contract/events.ts';
import { errorDetails, type Logger, silentLogger } from '../core/logger.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { OutgoingRecord, RecordMetadata } from '../kafka/records.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { type PrepareContext, type PreparedEvent, prepareEvent } from './prepare-event.ts';
import { checkPins, type SchemaVersionPins } from './schema-versions.ts';

export interface EventProducerOptions {
  readonly producer: KafkaProducerPort;
  readonly metrics?: RuntimeMetrics;
  readonly logger?: Logger;
  /** Clock and id source for `prepareEvent` (tests). */
  readonly context?: PrepareContext;
  /**
   * Events to send in an earlier major version during a migration window (event type → version),
   * e.g. `parseSchemaVersions(process.env.EVENT_SCHEMA_VERSIONS)`; others go in their current
   * version. An event naming its own `schemaVersion` is sent in that one.
   */
  readonly schemaVersions?: SchemaVersionPins;
}

export function createEventProducer(options: EventProducerOptions): EventProducer {
  const context: PrepareContext | undefined =
    options.schemaVersions === undefined
      ? options.context
      : { ...options.context, schemaVersions: options.schemaVersions };
  return {
    topic<TMap extends EventMap>(topic: TopicDefinition<TMap>): TopicPublisher<TMap> {
      checkPins(topic as unknown as TopicDefinition, options.schemaVersions);
      return new DirectPublisher<TMap>(topic as unknown as TopicDefinition, { ...options, context });
    },
  };
}

/** The Kafka record of a prepared event. */
export function toOutgoingRecord(event: PreparedEvent): OutgoingRecord {
  return { topic: event.topic, key: event.key, value: event.value, headers: event.headers };
}

/** Counts published events per topic and type, with one `inc` per distinct pair. */
export function countPublished(
  metrics: RuntimeMetrics | undefined,
  via: 'direct' | 'outbox',
  events: Iterable<{ readonly topic: string; readonly type: string }>,
): void {
  if (!metrics) return;
  const counts = new Map<string, { topic: string; type: string; n: number }>();
  for (const e of events) {
    const slot = `${e.topic}\u0000${e.type}`;
    const c = counts.get(slot);
    if (c) c.n++;
    else counts.set(slot, { topic: e.topic, type: e.type, n: 1 });
  }
  for (const c of counts.values()) metrics.published.inc({ topic: c.topic, event_type: c.type, via }, c.n);
}

class DirectPublisher<TMap extends EventMap> implements TopicPublisher<TMap> {
  readonly #topic: TopicDefinition;
  readonly #options: EventProducerOptions;

  constructor(topic: TopicDefinition, options: EventProducerOptions) {
    this.#topic = topic;
    this.#options = options;
  }

  async publish(event: OutgoingEvent<TMap>, options?: PublishOptions): Promise<PublishReceipt> {
    const prepared = prepareEvent(this.#topic, event, options, this.#options.context);
    const [receipt] = await this.#send([prepared]);
    return receipt!;
  }

  async publishAll(
    events: readonly OutgoingEvent<TMap>[],
    options?: Omit<PublishOptions, 'id'>,
  ): Promise<PublishReceipt[]> {
    // All validated before any is sent: the first invalid event throws here.
    const prepared = events.map((event) => prepareEvent(this.#topic, event, options, this.#options.context));
    if (prepared.length === 0) return [];
    return this.#send(prepared);
  }

  async #send(prepared: readonly PreparedEvent[]): Promise<PublishReceipt[]> {
    let metadata: RecordMetadata[];
    try {
      metadata = await this.#options.producer.send(prepared.map(toOutgoingRecord));
    } catch (err) {
      (this.#options.logger ?? silentLogger).error('publishing events failed', {
        topic: this.#topic.name,
        events: prepared.length,
        ...errorDetails(err),
      });
      throw err;
    }
    countPublished(this.#options.metrics, 'direct', prepared);
    return prepared.map((event, i) => {
      const where = metadata[i];
      if (!where) throw new Error(`the producer returned no metadata for event ${event.id}`);
      return {
        id: event.id,
        topic: where.topic,
        key: event.key,
        partition: where.partition,
        offset: where.offset,
      };
    });
  }
}
