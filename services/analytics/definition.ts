/** The analytics service process: how `runService` builds it (`node services/analytics/main.ts` runs it; PORT default 3005). */
import path from 'node:path';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { runtimeLogger } from '../shared/logger.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createAnalyticsService } from './service.ts';

export const ANALYTICS_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the analytics service (tests run it with their own env, schema and logger). */
export function analyticsService(): RunServiceOptions {
  return {
    name: 'analytics',
    migrationsDir: ANALYTICS_MIGRATIONS,
    defaultPort: 3005,
    async build({ config, pool, logger, env }) {
      const log = runtimeLogger(logger);
      const kafka = createKafka({
        brokers: config.kafkaBrokers,
        clientId: 'analytics-service',
        logger: log,
      });
      const deadLetterProducer = createKafkajsProducer({ kafka, logger: log });
      const metrics = new RuntimeMetrics();
      const consumers = createConsumerRuntime({
        kafka,
        pool,
        deadLetterProducer,
        metrics,
        logger: log,
        clientId: 'analytics-service',
      });
      const built = createAnalyticsService({
        pool,
        logger,
        authSecret: config.authSecret,
        consumers,
        // Another group id: only into a fresh schema (counters of two groups in one schema would add up).
        ...(env.ANALYTICS_GROUP_ID ? { consumerOptions: { groupId: env.ANALYTICS_GROUP_ID } } : {}),
        runtimeMetrics: metrics,
      });
      return {
        service: built.service,
        close: async () => {
          await built.close();
          await deadLetterProducer.disconnect();
        },
      };
    },
  };
}
