/** The chat service process: how `runService` builds it (`node services/chat/main.ts` runs it; PORT default 3003, USER_SERVICE_URL). */
import path from 'node:path';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { runtimeLogger } from '../shared/logger.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { httpUserDirectory } from './profiles.ts';
import { createChatService } from './service.ts';

export const CHAT_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the chat service (tests run it with their own env, schema and logger). */
export function chatService(): RunServiceOptions {
  return {
    name: 'chat',
    migrationsDir: CHAT_MIGRATIONS,
    defaultPort: 3003,
    async build({ config, schema, pool, logger, env }) {
      const log = runtimeLogger(logger);
      const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'chat-service', logger: log });
      const deadLetterProducer = createKafkajsProducer({ kafka, logger: log });
      const metrics = new RuntimeMetrics();
      const consumers = createConsumerRuntime({
        kafka,
        pool,
        deadLetterProducer,
        metrics,
        logger: log,
        clientId: 'chat-service',
      });
      const built = createChatService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        users: httpUserDirectory({ baseUrl: env.USER_SERVICE_URL ?? 'http://127.0.0.1:3001' }),
        consumers,
        // Another group id replays user.events into a fresh group (and keeps tests off the contract's group).
        ...(env.PROFILE_CACHE_GROUP_ID ? { consumerOptions: { groupId: env.PROFILE_CACHE_GROUP_ID } } : {}),
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
