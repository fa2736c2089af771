/** The search indexer process: how `runService` builds it (`node services/search-indexer/main.ts` runs it; PORT default 3006, CHAT_SERVICE_URL). */
import path from 'node:path';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { runtimeLogger } from '../shared/logger.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { httpRoomDirectory } from './rooms.ts';
import { createSearchIndexerService } from './service.ts';

export const SEARCH_INDEXER_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the search indexer (tests run it with their own env, schema and logger). */
export function searchIndexerService(): RunServiceOptions {
  return {
    name: 'search-indexer',
    // An unquoted-safe schema name (the service name has a dash).
    schema: 'search_indexer',
    migrationsDir: SEARCH_INDEXER_MIGRATIONS,
    defaultPort: 3006,
    async build({ config, pool, logger, env }) {
      const log = runtimeLogger(logger);
      const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'search-indexer', logger: log });
      const deadLetterProducer = createKafkajsProducer({ kafka, logger: log });
      const metrics = new RuntimeMetrics();
      const consumers = createConsumerRuntime({
        kafka,
        pool,
        deadLetterProducer,
        metrics,
        logger: log,
        clientId: 'search-indexer',
      });
      const built = createSearchIndexerService({
        pool,
        logger,
        authSecret: config.authSecret,
        rooms: httpRoomDirectory({ baseUrl: env.CHAT_SERVICE_URL ?? 'http://127.0.0.1:3003' }),
        consumers,
        // Another group id replays message.events into a fresh group (a rebuilt index, tests).
        ...(env.SEARCH_INDEXER_GROUP_ID ? { consumerOptions: { groupId: env.SEARCH_INDEXER_GROUP_ID } } : {}),
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
