/** The search indexer process: how `runService` builds it (`node services/search-indexer/main.ts` runs it; PORT default 3006, CHAT_SERVICE_URL). */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
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
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'search-indexer',
          // Another group id replays message.events into a fresh group (a rebuilt index, tests).
          groupId: env.SEARCH_INDEXER_GROUP_ID,
        },
        (wiring) =>
          createSearchIndexerService({
            pool,
            logger,
            authSecret: config.authSecret,
            rooms: httpRoomDirectory({ baseUrl: env.CHAT_SERVICE_URL ?? 'http://127.0.0.1:3003' }),
            ...wiring,
          }),
      );
    },
  };
}
