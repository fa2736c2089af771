/**
 * The consumer side of a service process: one Kafka client, the dead-letter
 * producer, the runtime's metrics and a consumer runtime over the service's
 * pool, as every consuming service's `definition.ts` needs them; and the
 * pruning of the schema's `consumer_processed_events` (services/shared/pruning.ts),
 * with the retention of the topics of the groups the service starts.
 * `startServiceConsumer` starts a service's group when it is given a consumer
 * runtime; `buildConsumingService` is a consuming definition's `build`.
 */
import type pg from 'pg';
import { type ConsumerRuntime, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import type {
  ConsumerOptions,
  EventConsumerFactory,
  RunningConsumer,
} from '../../runtime/contract/events.ts';
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import type { ServiceApp } from './app.ts';
import { runtimeLogger, type ServiceLogger } from './logger.ts';
import { type ProcessedEventsPruner, startProcessedEventsPruning } from './pruning.ts';
import type { BuiltService, ServiceConfig, ServiceDeps } from './server.ts';

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
  const kafka = createKafkaClients({
    brokers: options.config.kafkaBrokers,
    clientId: options.clientId,
    logger: log,
  });
  const deadLetterProducer = kafka.producer();
  const metrics = new RuntimeMetrics();
  const runtime = createConsumerRuntime({
    kafka,
    pool: options.pool,
    deadLetterProducer,
    metrics,
    logger: log,
    clientId: options.clientId,
    ...(options.config.kafkaGroupInstanceId !== undefined
      ? { groupInstanceId: options.config.kafkaGroupInstanceId }
      : {}),
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

/** The options of a service that runs a consumer group when it is given a consumer runtime. */
export interface ConsumingServiceOptions {
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
}

/**
 * Starts the service's consumer group when `options.consumers` is given
 * (`create` is the group's generated `create<Group>`), and registers it with
 * `/ready` under its group id: `options.consumerOptions.groupId`, else
 * `groupId` (the contract's). Returns what the service's close stops (nothing
 * without a consumer runtime).
 */
export function startServiceConsumer<Handlers>(
  service: ServiceApp,
  options: ConsumingServiceOptions,
  groupId: string,
  create: (runtime: EventConsumerFactory, handlers: Handlers, options?: ConsumerOptions) => RunningConsumer,
  handlers: Handlers,
): { stop(): Promise<void> } {
  if (!options.consumers) return { stop: async () => {} };
  const running = create(options.consumers, handlers, options.consumerOptions);
  service.addConsumer(options.consumerOptions?.groupId ?? groupId, running);
  return running;
}

/** What a consuming service's options take from its process's consumer side. */
export interface ServiceConsumerWiring {
  readonly consumers: ConsumerRuntime;
  readonly runtimeMetrics: RuntimeMetrics;
  readonly consumerOptions?: ConsumerOptions;
}

/**
 * The `build` of a consuming service's definition: the process's consumer
 * side (`createServiceConsumers` with `clientId`) is handed to `create` with
 * the group id the environment names (`groupIdFromEnv(groupId)`); closing
 * closes the built service (its consumers stop) first, then the consumer side.
 */
export function buildConsumingService(
  options: Pick<ServiceDeps, 'config' | 'pool' | 'logger'> & {
    /** Kafka client id, e.g. `notification-service`. */
    readonly clientId: string;
    /** The `<SERVICE>_GROUP_ID` variable: another group id than the contract's, when set. */
    readonly groupId: string | undefined;
  },
  create: (wiring: ServiceConsumerWiring) => BuiltService,
): BuiltService {
  const { consumers, metrics, close } = createServiceConsumers(options);
  const built = create({ consumers, runtimeMetrics: metrics, ...groupIdFromEnv(options.groupId) });
  return {
    service: built.service,
    close: async () => {
      await built.close();
      await close();
    },
  };
}
