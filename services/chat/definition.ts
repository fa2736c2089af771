/** The chat service process: how `runService` builds it (`node services/chat/main.ts` runs it; PORT default 3003, USER_SERVICE_URL). */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import { httpUserDirectory } from '../shared/profile-cache.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createChatService } from './service.ts';

export const CHAT_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the chat service (tests run it with their own env, schema and logger). */
export function chatService(): RunServiceOptions {
  return {
    name: 'chat',
    migrationsDir: CHAT_MIGRATIONS,
    defaultPort: 3003,
    async build({ config, schema, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'chat-service',
          // Another group id replays user.events into a fresh group (and keeps tests off the contract's group).
          groupId: env.PROFILE_CACHE_GROUP_ID,
        },
        (wiring) =>
          createChatService({
            pool,
            schema,
            logger,
            authSecret: config.authSecret,
            schemaVersions: config.eventSchemaVersions,
            users: httpUserDirectory({ baseUrl: env.USER_SERVICE_URL ?? 'http://127.0.0.1:3001' }),
            ...wiring,
          }),
      );
    },
  };
}
