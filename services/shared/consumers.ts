/**
 * The consumer side of a service process: one Kafka client, the dead-letter
 * producer, the runtime's metrics and a consumer runtime over the service's
 * pool, as every consuming service's `definition.ts` needs them; and the
 * pruning of the schema's `consumer_processed_events` (services/shared/pruning.ts),
 * with the retention of the topics of the groups the service starts.
 */
import type pg from 'pg';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import type { ConsumerOptions } from '../../runtime/contract/events.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { runtimeLogger, type ServiceLogger } from './logger.ts';
import { type ProcessedEventsPruner, startProcessedEventsPruning } from './pruning.ts';
import type { ServiceConfig } from './server.ts';

export interface ServiceConsumers {
  readonly consumers: ConsumerRuntime;
  /** Hand to `createServiceApp` (`runtimeMetrics`), so `/metrics` shows lag, retries, dead letters. */
  readonly metrics: RuntimeMetrics;
  /** The pruning of processed events; absent when PROCESSED_EVENTS_PRUNE_INTERVAL_MS is 0. */
  readonly pruner: ProcessedEventsPruner | undefined;
  /** After the service's consumers have stopped: stops the pruning, disconnects the dead-letter producer. */
  close(): Promise<void>;
}

export function createServiceConsumers(options: {
  readonly config: ServiceConfig;
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  /** Kafka client id, e.g. `notification-service`. */
  readonly clientId: string;
}): ServiceConsumers {
  const log = runtimeLogger(options.logger);
  const kafka = createKafka({
    brokers: options.config.kafkaBrokers,
    clientId: options.clientId,
    logger: log,
  });
  const deadLetterProducer = createKafkajsProducer({ kafka, logger: log });
  const metrics = new RuntimeMetrics();
  const runtime = createConsumerRuntime({
    kafka,
    pool: options.pool,
    deadLetterProducer,
    metrics,
    logger: log,
    clientId: options.clientId,
  });
  // Every group the service starts, by its contract id: the pruning keeps rows as long as their topics keep records.
  const groups = new Map<string, ConsumerGroupDefinition>();
  const consumers: ConsumerRuntime = {
    ...runtime,
    create(group, handlers, consumerOptions) {
      groups.set(group.groupId, group);
      return runtime.create(group, handlers, consumerOptions);
    },
  };
  const { processedEventsPruneIntervalMs: intervalMs, processedEventsPruneFirstRunMs: firstRunMs } =
    options.config;
  const pruner =
    intervalMs > 0
      ? startProcessedEventsPruning({
          pool: options.pool,
          groups: () => [...groups.values()],
          logger: options.logger,
          intervalMs,
          firstRunMs,
        })
      : undefined;
  return {
    consumers,
    metrics,
    pruner,
    async close() {
      await pruner?.stop();
      await deadLetterProducer.disconnect();
    },
  };
}

/**
 * `{ consumerOptions: { groupId } }` when the environment names another group
 * id for the service's consumer group (a replay into a fresh group, tests),
 * else nothing: the contract's group id.
 */
export function groupIdFromEnv(value: string | undefined): { consumerOptions?: ConsumerOptions } {
  return value ? { consumerOptions: { groupId: value } } : {};
}
