/**
 * `runService`: the process entry of a service. Reads PORT, DATABASE_URL,
 * DATABASE_SCHEMA (default: the service's own schema),
 * KAFKA_BROKERS (comma-separated), REDIS_URL, AUTH_SECRET, the pruning
 * schedule of processed events (PROCESSED_EVENTS_PRUNE_*) and the schema
 * versions producers are pinned to (EVENT_SCHEMA_VERSIONS), migrates the
 * service schema, builds the service, listens, and shuts down gracefully on
 * SIGTERM/SIGINT: `/ready` turns 503, the listener stops accepting, requests
 * in flight finish, consumers and producers stop, the pool closes.
 */
import { type ServerType, serve } from '@hono/node-server';
import type pg from 'pg';
import { DEFAULT_DATABASE_URL } from '../../runtime/db/migrate.ts';
import {
  parseSchemaVersions,
  SCHEMA_VERSIONS_ENV,
  type SchemaVersionPins,
} from '../../runtime/produce/schema-versions.ts';
import type { ServiceApp } from './app.ts';
import { authSecretFromEnv } from './auth.ts';
import { createServicePool, migrateService } from './db.ts';
import { createLogger, runtimeLogger, type ServiceLogger } from './logger.ts';
import { DEFAULT_PRUNE_FIRST_RUN_MS, DEFAULT_PRUNE_INTERVAL_MS } from './pruning.ts';

export interface ServiceConfig {
  readonly port: number;
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  readonly authSecret: string;
  /** PROCESSED_EVENTS_PRUNE_INTERVAL_MS: how often `consumer_processed_events` is pruned (services/shared/pruning.ts); 0 never. */
  readonly processedEventsPruneIntervalMs: number;
  /** PROCESSED_EVENTS_PRUNE_FIRST_RUN_MS: how long after start the first pruning runs. */
  readonly processedEventsPruneFirstRunMs: number;
  /**
   * EVENT_SCHEMA_VERSIONS (`UserRegistered:1,…`): events the service's producers and outbox send in
   * an earlier major version during a migration window; every other event goes in its current version.
   */
  readonly eventSchemaVersions: SchemaVersionPins;
  /**
   * KAFKA_GROUP_INSTANCE_ID: static membership of this process's consumer group members
   * (`groupInstanceId` of runtime/consume/consumer-runtime.ts; needs KAFKA_CLIENT=platformatic).
   * Stable across restarts of one process, never shared by two live ones.
   */
  readonly kafkaGroupInstanceId: string | undefined;
}

/** KAFKA_GROUP_INSTANCE_ID, when set: Kafka's `group.instance.id` allows letters, digits, `.`, `_` and `-`, at most 249. */
function groupInstanceIdFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.KAFKA_GROUP_INSTANCE_ID;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw)) {
    throw new Error(
      `KAFKA_GROUP_INSTANCE_ID ${JSON.stringify(raw)} is not a group instance id: use letters, digits, ".", "_" and "-" (at most 249)`,
    );
  }
  return raw;
}

function msFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
  return value;
}

export interface ServiceDeps {
  readonly config: ServiceConfig;
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly env: NodeJS.ProcessEnv;
}

/** A built service: its app, and what to stop after the listener has closed (consumers, producers). */
export interface BuiltService {
  readonly service: ServiceApp;
  close(): Promise<void>;
}

export interface RunServiceOptions {
  readonly name: string;
  /** PostgreSQL schema the service owns; default its name. */
  readonly schema?: string;
  /** The service's migrations folder. */
  readonly migrationsDir: string;
  readonly defaultPort: number;
  build(deps: ServiceDeps): Promise<BuiltService>;
  readonly env?: NodeJS.ProcessEnv;
  /** Default: pino on stdout. */
  readonly logger?: ServiceLogger;
}

export interface RunningService {
  readonly port: number;
  /** The same graceful shutdown SIGTERM starts. */
  stop(): Promise<void>;
}

export function configFromEnv(
  env: NodeJS.ProcessEnv,
  defaultPort: number,
  logger: ServiceLogger,
): ServiceConfig {
  const port = Number(env.PORT ?? defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT is not a port: ${env.PORT}`);
  return {
    port,
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    authSecret: authSecretFromEnv(env, logger),
    processedEventsPruneIntervalMs: msFromEnv(
      env,
      'PROCESSED_EVENTS_PRUNE_INTERVAL_MS',
      DEFAULT_PRUNE_INTERVAL_MS,
    ),
    processedEventsPruneFirstRunMs: msFromEnv(
      env,
      'PROCESSED_EVENTS_PRUNE_FIRST_RUN_MS',
      DEFAULT_PRUNE_FIRST_RUN_MS,
    ),
    eventSchemaVersions: parseSchemaVersions(env[SCHEMA_VERSIONS_ENV]),
    kafkaGroupInstanceId: groupInstanceIdFromEnv(env),
  };
}

const SHUTDOWN_TIMEOUT_MS = 30_000;

export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(options.name);
  const config = configFromEnv(env, options.defaultPort, logger);
  // DATABASE_SCHEMA moves a process to another schema (a second system on one database, tests).
  const schema = env.DATABASE_SCHEMA || options.schema || options.name;
  const pool = createServicePool(config.databaseUrl, schema);
  const applied = await migrateService(pool, {
    schema,
    dir: options.migrationsDir,
    logger: runtimeLogger(logger),
  });
  logger.info({ schema, applied }, 'schema migrated');
  const built = await options.build({ config, schema, pool, logger, env });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: built.service.app.fetch, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      built.service.markShuttingDown();
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await built.close();
      await pool.end();
      clearTimeout(timer);
      logger.info('stopped');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    port,
    stop: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      return stop();
    },
  };
}
