/**
 * The `EventConsumerFactory` generated consumer factories call:
 * `createUserEventsConsumer(createConsumerRuntime({ kafka, pool, deadLetterProducer }), handlers)`.
 * Each `create` is one member of one consumer group (runner.ts has the record loop).
 */
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { ConsumerGroupDefinition } from '../contract/definitions.ts';
import type {
  ConsumerOptions,
  ConsumerStatus,
  EventConsumerFactory,
  HandlerMap,
  RunningConsumer,
} from '../contract/events.ts';
import { errorDetails, type Logger, silentLogger } from '../core/logger.ts';
import { createKafkaClients, type KafkaClients } from '../kafka/client.ts';
import type { KafkaConsumerPort } from '../kafka/consumer-port.ts';
import type { KafkaClientOptions } from '../kafka/kafkajs.ts';
import { createKafkajsConsumer, refuseKafkajsGroupFeatures } from '../kafka/kafkajs-consumer.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { assertProcessedEventsTable } from './processed-events.ts';
import type { RetrierFactory } from './retry.ts';
import { GroupRunner } from './runner.ts';

/** What a consumer port is created with; a factory of ports puts another Kafka client behind the same seam. */
export interface ConsumerPortSettings {
  readonly groupId: string;
  readonly startFrom: 'earliest' | 'latest';
  readonly partitionsConsumedConcurrently: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxWaitTimeMs?: number;
  readonly maxBytesPerPartition?: number;
  /** Static membership (@platformatic/kafka only): this member's `group.instance.id`. */
  readonly groupInstanceId?: string;
  /** `consumer` is KIP-848's protocol (@platformatic/kafka only); default classic. */
  readonly groupProtocol?: 'classic' | 'consumer';
  readonly logger: Logger;
}

export type ConsumerPortFactory = (settings: ConsumerPortSettings) => KafkaConsumerPort;

export interface ConsumerRuntimeOptions {
  /**
   * The client library's factories (`createKafkaClients` in runtime/kafka/client.ts), where to
   * connect (the library `KAFKA_CLIENT` names, created with `clientId` and `logger`), a kafkajs
   * client (`createKafka`: kafkajs whatever the environment says), or a factory of consumer ports.
   */
  readonly kafka: KafkaClients | Kafka | KafkaClientOptions | ConsumerPortFactory;
  /** Where handlers' transactions and `consumer_processed_events` live. */
  readonly pool: Pool;
  /** Publishes dead letters (`createKafkaClients(…).producer()`); connected by the runtime when a consumer starts. */
  readonly deadLetterProducer: KafkaProducerPort;
  readonly metrics?: RuntimeMetrics;
  readonly logger?: Logger;
  /** Client id of the kafkajs client created from `KafkaClientOptions`, and named in log lines; default `contract-events-consumer`. */
  readonly clientId?: string;
  /** Group session timeout; default 30 000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Default 3 000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** Longest idle fetch; default 1 000 ms. */
  readonly maxWaitTimeMs?: number;
  /**
   * Most bytes one fetch asks for per partition (Kafka's `partition.max.bytes`; a larger first
   * record batch still comes whole). It bounds what one round holds in memory: each fetched byte
   * becomes about twenty times that in decoded records until the round is handled. Default
   * 256 KiB on @platformatic/kafka, kafkajs' own 1 MiB on kafkajs.
   */
  readonly maxBytesPerPartition?: number;
  /**
   * Static membership (KIP-345, @platformatic/kafka only): a name of this process that stays the
   * same across its restarts (a StatefulSet pod name, a systemd instance), used as the
   * `group.instance.id` of its member in every group it joins. A member killed and restarted
   * within the session timeout takes its partitions back without a rebalance (bench:group-stall:
   * 2 s instead of the session timeout). Two live processes must never share one.
   */
  readonly groupInstanceId?: string;
  /** `consumer`: KIP-848's group protocol (@platformatic/kafka only, brokers 4.0 and later); default `classic`. */
  readonly groupProtocol?: 'classic' | 'consumer';
  /**
   * Most records of one partition handled in one PostgreSQL transaction (one claim statement,
   * one COMMIT); default 500. Handlers that write get one savepoint each: past 64 in one
   * transaction PostgreSQL's subtransaction cache overflows, which slows other sessions'
   * snapshots while it is open; lower this if that matters more than throughput.
   */
  readonly maxRecordsPerTransaction?: number;
  /** A transaction takes no further record once it has run this long (locks stay short); default 1 000 ms. */
  readonly maxTransactionMs?: number;
  /**
   * Partitions a member handles at the same time (each still in order) unless `create`'s options say
   * otherwise; default 3. Each one in progress holds one pool client.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Makes the retrier of each retry policy (handler retries from the contract, infrastructure
   * waits); default core's `createRetrier`. Tests pass `immediateRetrier` to retry without waiting.
   */
  readonly retrier?: RetrierFactory;
  /**
   * Runs each transaction without a savepoint per handler, and only when a handler fails after
   * writing rolls it back and runs it again with one (handlers before the failing one are then
   * called again; their writes never apply twice). Default false; subscriptions with a
   * batch-form handler (`{ batch(events, context) }`) always run this way.
   */
  readonly optimistic?: boolean;
}

/** Default of `partitionsConsumedConcurrently`: the contract topics' smallest partition count. */
export const DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY = 3;

/** A started consumer group member. */
export interface ConsumerHandle extends RunningConsumer {
  readonly groupId: string;
  /** Where the member stands now: the port's status (kafkajs: joined, rebalancing, restarting, …), else what `ready` said. */
  status(): ConsumerStatus;
  /**
   * Resolves once the member has joined its group; rejects when it cannot start
   * (no `consumer_processed_events` table, a handler missing, stopped first, ...).
   */
  readonly ready: Promise<void>;
}

export interface ConsumerRuntime extends EventConsumerFactory {
  create(group: ConsumerGroupDefinition, handlers: HandlerMap, options?: ConsumerOptions): ConsumerHandle;
  /** Stops every consumer this runtime created (the dead-letter producer stays the caller's). */
  stopAll(): Promise<void>;
  readonly metrics: RuntimeMetrics;
}

function isPortFactory(kafka: ConsumerRuntimeOptions['kafka']): kafka is ConsumerPortFactory {
  return typeof kafka === 'function';
}

function isClients(kafka: KafkaClients | Kafka | KafkaClientOptions): kafka is KafkaClients {
  return typeof (kafka as Partial<KafkaClients>).consumer === 'function' && 'client' in kafka;
}

function isClientOptions(kafka: Kafka | KafkaClientOptions): kafka is KafkaClientOptions {
  return Array.isArray((kafka as Partial<KafkaClientOptions>).brokers);
}

export function createConsumerRuntime(options: ConsumerRuntimeOptions): ConsumerRuntime {
  const metrics = options.metrics ?? new RuntimeMetrics();
  const logger = options.logger ?? silentLogger;
  const clientId = options.clientId ?? 'contract-events-consumer';
  const running = new Set<ConsumerHandle>();
  let producerConnected: Promise<void> | undefined;
  const connectProducer = () => {
    producerConnected ??= options.deadLetterProducer.connect().catch((err: unknown) => {
      producerConnected = undefined;
      throw err;
    });
    return producerConnected;
  };

  let clients: KafkaClients | undefined;
  const clientsFor = (kafka: KafkaClients | KafkaClientOptions): KafkaClients => {
    if (isClients(kafka)) return kafka;
    clients ??= createKafkaClients({
      ...kafka,
      clientId: kafka.clientId ?? clientId,
      logger: kafka.logger ?? logger,
    });
    return clients;
  };

  const portFor = (settings: ConsumerPortSettings): KafkaConsumerPort => {
    const { kafka } = options;
    if (isPortFactory(kafka)) return kafka(settings);
    if (isClients(kafka) || isClientOptions(kafka)) {
      return clientsFor(kafka).consumer({
        ...settings,
        log: (level, message, details) => settings.logger[level](message, details),
      });
    }
    refuseKafkajsGroupFeatures(settings);
    return createKafkajsConsumer(kafka, {
      groupId: settings.groupId,
      startFrom: settings.startFrom,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
      ...(settings.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: settings.sessionTimeoutMs } : {}),
      ...(settings.heartbeatIntervalMs !== undefined
        ? { heartbeatIntervalMs: settings.heartbeatIntervalMs }
        : {}),
      ...(settings.maxWaitTimeMs !== undefined ? { maxWaitTimeMs: settings.maxWaitTimeMs } : {}),
      ...(settings.maxBytesPerPartition !== undefined
        ? { maxBytesPerPartition: settings.maxBytesPerPartition }
        : {}),
      log: (level, message, details) => settings.logger[level](message, details),
    });
  };

  const create = (
    group: ConsumerGroupDefinition,
    handlers: HandlerMap,
    consumerOptions: ConsumerOptions = {},
  ): ConsumerHandle => {
    const groupId = consumerOptions.groupId ?? group.groupId;
    const abort = new AbortController();
    // Throws at once when a handler the contract requires is missing.
    const runner = new GroupRunner({
      group,
      groupId,
      handlers,
      pool: options.pool,
      deadLetters: options.deadLetterProducer,
      metrics,
      logger,
      signal: abort.signal,
      ...(options.maxRecordsPerTransaction !== undefined
        ? { maxRecordsPerTransaction: options.maxRecordsPerTransaction }
        : {}),
      ...(options.maxTransactionMs !== undefined ? { maxTransactionMs: options.maxTransactionMs } : {}),
      ...(options.retrier !== undefined ? { retrier: options.retrier } : {}),
      ...(options.optimistic !== undefined ? { optimistic: options.optimistic } : {}),
    });
    const partitionsConsumedConcurrently = Math.max(
      1,
      consumerOptions.partitionsConsumedConcurrently ??
        options.partitionsConsumedConcurrently ??
        DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
    );
    const poolMax = options.pool.options?.max;
    if (poolMax !== undefined && poolMax < partitionsConsumedConcurrently) {
      logger.warn(
        'the pool has fewer clients than partitions handled at once: partitions wait for a client',
        {
          group: groupId,
          poolMax,
          partitionsConsumedConcurrently,
        },
      );
    }
    const port = portFor({
      groupId,
      startFrom: consumerOptions.startFrom ?? 'earliest',
      partitionsConsumedConcurrently,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      maxWaitTimeMs: options.maxWaitTimeMs,
      ...(options.maxBytesPerPartition !== undefined
        ? { maxBytesPerPartition: options.maxBytesPerPartition }
        : {}),
      ...(options.groupInstanceId !== undefined ? { groupInstanceId: options.groupInstanceId } : {}),
      ...(options.groupProtocol !== undefined ? { groupProtocol: options.groupProtocol } : {}),
      logger,
    });
    const topics = runner.topics();

    const ready = (async () => {
      await assertProcessedEventsTable(options.pool);
      await connectProducer();
      if (abort.signal.aborted) throw new Error(`consumer group ${groupId} was stopped before it started`);
      await port.start(topics, runner.handleBatch);
      logger.info('consumer started', { clientId, group: groupId, topics: topics.map(String) });
    })();
    // Callers may ignore `ready`; the failure is logged, never an unhandled rejection.
    ready.catch((err: unknown) => {
      if (!abort.signal.aborted) {
        logger.error('consumer failed to start', { clientId, group: groupId, ...errorDetails(err) });
      }
    });

    // Until the port can tell (and when it cannot): what `ready` says.
    let settled: ConsumerStatus = { state: 'starting', since: Date.now() };
    ready.then(
      () => {
        settled = { state: 'joined', since: Date.now() };
      },
      (err: unknown) => {
        settled = {
          state: abort.signal.aborted ? 'stopped' : 'failed',
          since: Date.now(),
          error: err instanceof Error ? err.message : String(err),
        };
      },
    );

    let stopped: Promise<void> | undefined;
    let stoppedAt = 0;
    const handle: ConsumerHandle = {
      groupId,
      ready,
      status: () => {
        if (abort.signal.aborted) return { state: 'stopped', since: stoppedAt };
        if (settled.state === 'failed') return settled;
        return port.status?.() ?? settled;
      },
      stop: () => {
        stopped ??= (async () => {
          stoppedAt = Date.now();
          abort.abort();
          try {
            await port.stop();
          } finally {
            running.delete(handle);
            await ready.catch(() => {});
            logger.info('consumer stopped', { clientId, group: groupId });
          }
        })();
        return stopped;
      },
    };
    running.add(handle);
    return handle;
  };

  return {
    metrics,
    create,
    async stopAll() {
      await Promise.all([...running].map((c) => c.stop()));
    },
  };
}
