/** The user service process: how `runService` builds it (`node services/user/main.ts` runs it; PORT default 3001). */
import path from 'node:path';
import { userOnlineStatusPublisher } from '../../generated/index.ts';
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { createServicePool } from '../shared/db.ts';
import { runtimeLogger } from '../shared/logger.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createPresence, DEFAULT_INACTIVITY_TIMEOUT_MS } from './presence.ts';
import { createUserService } from './service.ts';

export const USER_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the user service (tests run it with their own env, schema and logger). */
export function userService(): RunServiceOptions {
  return {
    name: 'user',
    migrationsDir: USER_MIGRATIONS,
    defaultPort: 3001,
    async build({ config, schema, pool, logger, env }) {
      const log = runtimeLogger(logger);
      const kafka = createKafkaClients({
        brokers: config.kafkaBrokers,
        clientId: 'user-service',
        logger: log,
      });
      // Presence is published while the user row is locked: fail fast rather than hold the lock for long.
      const producer = kafka.producer({ retryWindowMs: 5_000 });
      await producer.connect();
      const metrics = new RuntimeMetrics();
      // Presence gets a pool of its own: a transition waiting on Kafka never holds a connection accounts need.
      const presencePool = createServicePool(
        config.databaseUrl,
        schema,
        positiveInt(env, 'PRESENCE_POOL_MAX', 4),
        {
          connectionTimeoutMillis: 1_000,
        },
      );
      const presence = createPresence({
        pool: presencePool,
        publisher: userOnlineStatusPublisher(
          createEventProducer({
            producer,
            metrics,
            logger: log,
            schemaVersions: config.eventSchemaVersions,
          }),
        ),
        logger,
        inactivityTimeoutMs: positiveInt(env, 'PRESENCE_TIMEOUT_MS', DEFAULT_INACTIVITY_TIMEOUT_MS),
      });
      const stopSweeper = presence.startSweeper(
        positiveInt(env, 'PRESENCE_SWEEP_MS', Math.min(30_000, presence.inactivityTimeoutMs)),
      );
      const service = createUserService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        schemaVersions: config.eventSchemaVersions,
        presence,
        runtimeMetrics: metrics,
      });
      return {
        service,
        close: async () => {
          stopSweeper();
          await producer.disconnect();
          await presencePool.end();
        },
      };
    },
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}
