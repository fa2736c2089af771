/**
 * The one place that chooses the Kafka client library: `KAFKA_CLIENT=kafkajs|platformatic`
 * in the environment, or `client` given explicitly; @platformatic/kafka when neither says. Producer
 * ports, consumer ports and the topic admin of the chosen library are created here from
 * common options, so the rest of the runtime never names a library.
 *
 * Every port built here is recorded with its library (`clientOfPort`), and every adapter counts
 * the ports it builds (`portsBuilt`), so a test run under `KAFKA_CLIENT=platformatic` can prove
 * its ports really were platformatic.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import type { TopicAdmin } from '../topics/admin.ts';
import { connectKafkajsAdmin } from '../topics/kafkajs-admin.ts';
import { connectPlatformaticAdmin } from '../topics/platformatic-admin.ts';
import type { KafkaConsumerPort } from './consumer-port.ts';
import { createKafka, type KafkaClientOptions, type KafkaLogLevel } from './kafkajs.ts';
import {
  type ConsumerLogLevel,
  createKafkajsConsumer,
  refuseKafkajsGroupFeatures,
} from './kafkajs-consumer.ts';
import { type Compression, createKafkajsProducer } from './kafkajs-producer.ts';
import { createPlatformaticConsumer } from './platformatic-consumer.ts';
import { createPlatformaticProducer } from './platformatic-producer.ts';
import type { PortKind } from './ports-built.ts';
import type { KafkaProducerPort } from './producer-port.ts';

export const KAFKA_CLIENT_NAMES = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENT_NAMES)[number];
/**
 * @platformatic/kafka, by measurement (README, "Kafka clients"; bench/results): about twice
 * kafkajs' produce throughput, a faster relay and consumer, static membership and KIP-848, and
 * maintained (kafkajs has had no release since 2023).
 */
export const DEFAULT_KAFKA_CLIENT: KafkaClientName = 'platformatic';

/** The client `value` names; an unknown one is an error naming where it came from. */
export function parseKafkaClient(value: string, source = 'KAFKA_CLIENT'): KafkaClientName {
  const name = value.trim().toLowerCase();
  if ((KAFKA_CLIENT_NAMES as readonly string[]).includes(name)) return name as KafkaClientName;
  throw new Error(
    `${source}=${JSON.stringify(value)} is not a Kafka client: use ${KAFKA_CLIENT_NAMES.join(' or ')}`,
  );
}

/** `KAFKA_CLIENT` when set and not empty, else the default (@platformatic/kafka). */
export function kafkaClientFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaClientName {
  const value = env.KAFKA_CLIENT;
  return value === undefined || value.trim() === '' ? DEFAULT_KAFKA_CLIENT : parseKafkaClient(value);
}

export interface KafkaClientsOptions {
  readonly brokers: readonly string[];
  /** Default: `KAFKA_CLIENT`, else @platformatic/kafka. */
  readonly client?: KafkaClientName;
  /** Prefix of every client id; default `contract-events`. */
  readonly clientId?: string;
  /** Where the client's own log lines and the ports' go; none: silent. */
  readonly logger?: Logger;
  /** The least severe kafkajs line passed to `logger` (default `warn`). */
  readonly logLevel?: KafkaLogLevel;
  /** TCP connect timeout per broker; default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout; default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** kafkajs only for now: TLS, SASL and kafkajs' own retry; refused on @platformatic/kafka rather than dropped. */
  readonly ssl?: KafkaClientOptions['ssl'];
  readonly sasl?: KafkaClientOptions['sasl'];
  readonly retry?: KafkaClientOptions['retry'];
}

export interface ProducerSettings {
  readonly clientId?: string;
  readonly compression?: Compression;
  readonly retryWindowMs?: number;
  readonly maxBatchBytes?: number;
  readonly maxBatchRecords?: number;
  readonly ackTimeoutMs?: number;
  /** kafkajs only: 1 to 5; default 5 (@platformatic/kafka sends at most 5 in flight). */
  readonly maxInFlightRequests?: number;
}

export interface ConsumerSettings {
  readonly groupId: string;
  readonly clientId?: string;
  readonly startFrom?: 'earliest' | 'latest';
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxWaitTimeMs?: number;
  /** Most bytes one fetch asks for per partition; default 256 KiB (@platformatic/kafka), 1 MiB (kafkajs). */
  readonly maxBytesPerPartition?: number;
  /** @platformatic/kafka only (kafkajs has no static membership): refused on kafkajs. */
  readonly groupInstanceId?: string;
  /** @platformatic/kafka only: `consumer` (KIP-848) is refused on kafkajs. */
  readonly groupProtocol?: 'classic' | 'consumer';
  readonly log?: (level: ConsumerLogLevel, message: string, details?: Record<string, unknown>) => void;
}

export interface AdminSettings {
  readonly clientId?: string;
  /** Retries of retriable errors; 0 for a quick yes/no probe. */
  readonly retries?: number;
}

export interface KafkaClients {
  readonly client: KafkaClientName;
  readonly brokers: readonly string[];
  producer(settings?: ProducerSettings): KafkaProducerPort;
  consumer(settings: ConsumerSettings): KafkaConsumerPort;
  admin(settings?: AdminSettings): Promise<TopicAdmin>;
}

export { type PortKind, portsBuilt } from './ports-built.ts';

const builtBy = new WeakMap<object, KafkaClientName>();

function record<T extends object>(client: KafkaClientName, _kind: PortKind, port: T): T {
  builtBy.set(port, client);
  return port;
}

/** The library behind a port built by `createKafkaClients`; undefined for one built elsewhere. */
export function clientOfPort(port: object): KafkaClientName | undefined {
  return builtBy.get(port);
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Producer, consumer and admin factories of the chosen Kafka client library. Connects nothing. */
export function createKafkaClients(options: KafkaClientsOptions): KafkaClients {
  if (options.brokers.length === 0) throw new Error('createKafkaClients: no Kafka brokers given');
  const client = options.client ?? kafkaClientFromEnv();
  const prefix = options.clientId ?? 'contract-events';
  const brokers = [...options.brokers];
  options.logger?.debug('kafka client chosen', { client, clientId: prefix });
  return client === 'platformatic'
    ? platformaticClients(options, brokers, prefix)
    : kafkajsClients(options, brokers, prefix);
}

function kafkajsClients(options: KafkaClientsOptions, brokers: string[], prefix: string): KafkaClients {
  const kafkas = new Map<string, Kafka>();
  const kafkaFor = (clientId: string) => {
    let kafka = kafkas.get(clientId);
    if (!kafka) {
      kafka = createKafka(
        defined({
          brokers,
          clientId,
          logger: options.logger,
          logLevel: options.logLevel,
          connectionTimeoutMs: options.connectionTimeoutMs,
          requestTimeoutMs: options.requestTimeoutMs,
          ssl: options.ssl,
          sasl: options.sasl,
          retry: options.retry,
        }),
      );
      kafkas.set(clientId, kafka);
    }
    return kafka;
  };
  return {
    client: 'kafkajs',
    brokers,
    producer: (settings = {}) =>
      record(
        'kafkajs',
        'producer',
        createKafkajsProducer(
          defined({
            kafka: kafkaFor(settings.clientId ?? prefix),
            logger: options.logger,
            compression: settings.compression,
            retryWindowMs: settings.retryWindowMs,
            maxBatchBytes: settings.maxBatchBytes,
            maxBatchRecords: settings.maxBatchRecords,
            ackTimeoutMs: settings.ackTimeoutMs,
            maxInFlightRequests: settings.maxInFlightRequests,
          }),
        ),
      ),
    consumer: (settings) => {
      refuseKafkajsGroupFeatures(settings);
      return record(
        'kafkajs',
        'consumer',
        createKafkajsConsumer(
          kafkaFor(settings.clientId ?? prefix),
          defined({
            groupId: settings.groupId,
            startFrom: settings.startFrom,
            partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
            sessionTimeoutMs: settings.sessionTimeoutMs,
            heartbeatIntervalMs: settings.heartbeatIntervalMs,
            maxWaitTimeMs: settings.maxWaitTimeMs,
            maxBytesPerPartition: settings.maxBytesPerPartition,
            log: settings.log,
          }),
        ),
      );
    },
    admin: async (settings = {}) =>
      record(
        'kafkajs',
        'admin',
        await connectKafkajsAdmin(
          defined({
            brokers,
            clientId: settings.clientId ?? `${prefix}-topics`,
            connectionTimeoutMs: options.connectionTimeoutMs,
            requestTimeoutMs: options.requestTimeoutMs,
            retries: settings.retries,
          }),
        ),
      ),
  };
}

function platformaticClients(options: KafkaClientsOptions, brokers: string[], prefix: string): KafkaClients {
  const unsupported = (['ssl', 'sasl', 'retry'] as const).filter((key) => options[key] !== undefined);
  if (unsupported.length > 0) {
    throw new Error(
      `createKafkaClients: ${unsupported.join(', ')} ${unsupported.length > 1 ? 'are' : 'is'} not passed to @platformatic/kafka yet: use KAFKA_CLIENT=kafkajs`,
    );
  }
  return {
    client: 'platformatic',
    brokers,
    producer: (settings = {}) =>
      record(
        'platformatic',
        'producer',
        createPlatformaticProducer(
          defined({
            brokers,
            clientId: settings.clientId ?? prefix,
            logger: options.logger,
            compression: settings.compression,
            retryWindowMs: settings.retryWindowMs,
            maxBatchBytes: settings.maxBatchBytes,
            maxBatchRecords: settings.maxBatchRecords,
            ackTimeoutMs: settings.ackTimeoutMs,
            connectionTimeoutMs: options.connectionTimeoutMs,
          }),
        ),
      ),
    consumer: (settings) =>
      record(
        'platformatic',
        'consumer',
        createPlatformaticConsumer(
          defined({
            brokers,
            clientId: settings.clientId ?? prefix,
            groupId: settings.groupId,
            startFrom: settings.startFrom,
            partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
            sessionTimeoutMs: settings.sessionTimeoutMs,
            heartbeatIntervalMs: settings.heartbeatIntervalMs,
            maxWaitTimeMs: settings.maxWaitTimeMs,
            maxBytesPerPartition: settings.maxBytesPerPartition,
            groupInstanceId: settings.groupInstanceId,
            groupProtocol: settings.groupProtocol,
            connectionTimeoutMs: options.connectionTimeoutMs,
            requestTimeoutMs: options.requestTimeoutMs,
            log: settings.log,
          }),
        ),
      ),
    admin: async (settings = {}) =>
      record(
        'platformatic',
        'admin',
        await connectPlatformaticAdmin(
          defined({
            brokers,
            clientId: settings.clientId ?? `${prefix}-topics`,
            connectionTimeoutMs: options.connectionTimeoutMs,
            requestTimeoutMs: options.requestTimeoutMs,
            retries: settings.retries,
          }),
        ),
      ),
  };
}
