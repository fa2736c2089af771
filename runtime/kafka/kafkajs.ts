/**
 * The one place the runtime creates a kafkajs `Kafka` client, so every
 * kafkajs user (producer, relay, consumer runner) gets the same setup:
 *
 * - brokers and client id, connection and request timeouts, optional TLS/SASL;
 * - kafkajs log lines routed to the runtime `Logger` (silent without one);
 * - the Snappy codec (`kafkajs-snappy`) registered, so snappy batches can be
 *   produced and consumed (kafkajs ships only gzip);
 * - the Node 24 `TimeoutNegativeWarning` that kafkajs 2.2.4 triggers on every
 *   request filtered out (every other warning passes).
 *
 * kafkajs is CommonJS and Node's ESM loader does not see its enums as named
 * exports, hence the default import.
 */
import { createRequire } from 'node:module';
import type {
  Kafka as KafkaClient,
  KafkaConfig,
  logLevel as KafkajsLevel,
  LogEntry,
  RetryOptions,
  SASLOptions,
} from 'kafkajs';
import kafkajs from 'kafkajs';
import type { Logger } from '../core/logger.ts';

const { Kafka, logLevel: KafkajsLogLevel, CompressionTypes, CompressionCodecs } = kafkajs;

export const DEFAULT_KAFKA_BROKERS = ['127.0.0.1:9092'];

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Where kafkajs' own log lines go; none: silent. */
  readonly logger?: Logger;
  /** The least severe kafkajs line passed to `logger` (default `warn`). */
  readonly logLevel?: KafkaLogLevel;
  /** TCP connect timeout per broker (default 3000 ms; kafkajs' own is 1000). */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout (default 30000 ms). */
  readonly requestTimeoutMs?: number;
  /** kafkajs' retry of retriable errors inside one call (default 5 retries, 100 ms doubling to 2 s). */
  readonly retry?: RetryOptions;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: SASLOptions;
}

/** `KAFKA_BROKERS` (comma-separated) or 127.0.0.1:9092. */
export function kafkaBrokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return brokers.length > 0 ? brokers : [...DEFAULT_KAFKA_BROKERS];
}

/** Creates a kafkajs client with the runtime's codecs, logging and warning filter in place. Connects nothing. */
export function createKafka(options: KafkaClientOptions): KafkaClient {
  if (options.brokers.length === 0) throw new Error('createKafka: no Kafka brokers given');
  quietKafkajsTimeoutWarnings();
  registerSnappyCodec();
  const level = options.logLevel ?? 'warn';
  return new Kafka({
    clientId: options.clientId ?? 'contract-events',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
    logLevel: options.logger ? KAFKAJS_LEVEL[level] : KafkajsLogLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => forward(options.logger, entry),
  });
}

const KAFKAJS_LEVEL: Record<KafkaLogLevel, KafkajsLevel> = {
  nothing: KafkajsLogLevel.NOTHING,
  error: KafkajsLogLevel.ERROR,
  warn: KafkajsLogLevel.WARN,
  info: KafkajsLogLevel.INFO,
  debug: KafkajsLogLevel.DEBUG,
};

/**
 * kafkajs warns about this whenever an idempotent producer is given a finite
 * retry count. The runtime's producer does that on purpose: it bounds each
 * kafkajs call and retries whole batches itself across a failover window
 * (see kafkajs-producer.ts), so the warning would only be noise.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

function forward(logger: Logger | undefined, entry: LogEntry): void {
  if (!logger) return;
  const { message, timestamp: _timestamp, ...extra } = entry.log;
  if (EXPECTED_WARNINGS.includes(message)) return;
  const details = { kafkajs: entry.namespace, ...extra };
  const text = `kafkajs ${entry.namespace}: ${message}`;
  switch (entry.level) {
    case KafkajsLogLevel.ERROR:
      logger.error(text, details);
      break;
    case KafkajsLogLevel.WARN:
      logger.warn(text, details);
      break;
    case KafkajsLogLevel.INFO:
      logger.info(text, details);
      break;
    default:
      logger.debug(text, details);
  }
}

type CodecFactory = () => {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
};

let snappyRegistered = false;

/** Registers `kafkajs-snappy` as kafkajs' Snappy codec (process-wide, idempotent). */
export function registerSnappyCodec(): void {
  if (snappyRegistered) return;
  // kafkajs-snappy is CommonJS without type declarations: its export is a codec factory.
  const snappy = createRequire(import.meta.url)('kafkajs-snappy') as CodecFactory;
  (CompressionCodecs as Record<number, CodecFactory>)[CompressionTypes.Snappy] = snappy;
  snappyRegistered = true;
}

const QUIET = Symbol.for('contract-events.quiet-timeout-negative-warning');

/**
 * kafkajs 2.2.4 (no release since 2023) schedules timers with negative delays,
 * which Node 24 reports as a `TimeoutNegativeWarning`. Drops that one warning,
 * once per process; every other warning passes.
 */
export function quietKafkajsTimeoutWarnings(): void {
  const holder = process as NodeJS.Process & { [QUIET]?: boolean };
  if (holder[QUIET]) return;
  holder[QUIET] = true;
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name =
      typeof warning === 'string'
        ? typeof rest[0] === 'string'
          ? rest[0]
          : (rest[0] as { type?: string } | undefined)?.type
        : warning.name;
    if (name === 'TimeoutNegativeWarning') return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
