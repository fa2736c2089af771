/**
 * Every Prometheus metric the runtime records, created once per registry.
 * Names follow the platform seed (`domain_events_published_total`,
 * `outbox_backlog`, `consumer_lag`) and Prometheus conventions for the rest.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class RuntimeMetrics {
  readonly registry: Registry;
  /** Events written to Kafka, by topic, event type and path (`direct` publish or `outbox` relay). */
  readonly published: Counter<'topic' | 'event_type' | 'via'>;
  /** Rows in the outbox not yet published. */
  readonly outboxBacklog: Gauge;
  /** Age in seconds of the oldest unpublished outbox row. */
  readonly outboxOldestAgeSeconds: Gauge;
  /** Outbox rows whose publishing failed, by topic (each failed attempt counts). */
  readonly outboxPublishFailures: Counter<'topic'>;
  /** Unpublished outbox rows Kafka refused, waiting for their next attempt; each holds back the later rows of its key. */
  readonly outboxRowsInBackoff: Gauge;
  /** Records behind the end of each partition, per consumer group. */
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /** Records handled, by group, topic, event type and outcome (`handled`, `duplicate`, `skipped`, `dead-lettered`). */
  readonly consumed: Counter<'group' | 'topic' | 'event_type' | 'outcome'>;
  /** Handler attempts that failed and will be retried. */
  readonly retried: Counter<'group' | 'topic' | 'event_type'>;
  /** Records sent to a dead-letter topic, with the reason (`handler-failed`, `non-retriable`, `undecodable`, `schema-invalid`, `unknown-type`). */
  readonly deadLettered: Counter<'group' | 'topic' | 'reason'>;
  /** Handler run time in seconds. */
  readonly handlerDuration: Histogram<'group' | 'topic' | 'event_type'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.published = new Counter({
      name: 'domain_events_published_total',
      help: 'Domain events written to Kafka.',
      labelNames: ['topic', 'event_type', 'via'],
      registers,
    });
    this.outboxBacklog = new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows not yet published.',
      registers,
    });
    this.outboxOldestAgeSeconds = new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox row.',
      registers,
    });
    this.outboxPublishFailures = new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Failed attempts to publish outbox rows.',
      labelNames: ['topic'],
      registers,
    });
    this.outboxRowsInBackoff = new Gauge({
      name: 'outbox_rows_in_backoff',
      help: 'Unpublished outbox rows refused by Kafka and waiting to be retried; each holds back later rows of its key.',
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'consumer_lag',
      help: 'Records between a consumer group position and the end of the partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.consumed = new Counter({
      name: 'domain_events_consumed_total',
      help: 'Records a consumer group finished with, by outcome.',
      labelNames: ['group', 'topic', 'event_type', 'outcome'],
      registers,
    });
    this.retried = new Counter({
      name: 'domain_events_retried_total',
      help: 'Handler attempts that failed and were retried.',
      labelNames: ['group', 'topic', 'event_type'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'domain_events_dead_lettered_total',
      help: 'Records sent to a dead-letter topic.',
      labelNames: ['group', 'topic', 'reason'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'domain_event_handler_duration_seconds',
      help: 'Time a handler took, retries counted separately.',
      labelNames: ['group', 'topic', 'event_type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
