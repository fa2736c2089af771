/** The user service process: how `runService` builds it (`node services/user/main.ts` runs it; PORT default 3001). */
import path from 'node:path';
import { userOnlineStatusPublisher } from '../../generated/index.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { runtimeLogger } from '../shared/logger.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createUserService } from './service.ts';

export const USER_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the user service (tests run it with their own env, schema and logger). */
export function userService(): RunServiceOptions {
  return {
    name: 'user',
    migrationsDir: USER_MIGRATIONS,
    defaultPort: 3001,
    async build({ config, schema, pool, logger }) {
      const log = runtimeLogger(logger);
      const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'user-service', logger: log });
      // Presence is published while the user row is locked: fail fast rather than hold the lock for long.
      const producer = createKafkajsProducer({ kafka, logger: log, retryWindowMs: 5_000 });
      await producer.connect();
      const metrics = new RuntimeMetrics();
      const presence = userOnlineStatusPublisher(createEventProducer({ producer, metrics, logger: log }));
      const service = createUserService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        presence,
        runtimeMetrics: metrics,
      });
      return { service, close: () => producer.disconnect() };
    },
  };
}
