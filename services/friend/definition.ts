/** The friend service process: how `runService` builds it (`node services/friend/main.ts` runs it; PORT default 3002, USER_SERVICE_URL). */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import { httpUserDirectory } from '../shared/profile-cache.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createFriendService } from './service.ts';

export const FRIEND_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the friend service (tests run it with their own env, schema and logger). */
export function friendService(): RunServiceOptions {
  return {
    name: 'friend',
    migrationsDir: FRIEND_MIGRATIONS,
    defaultPort: 3002,
    async build({ config, schema, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'friend-service',
          // Another group id replays user.events into a fresh group (and keeps tests off the contract's group).
          groupId: env.PROFILE_CACHE_GROUP_ID,
        },
        (wiring) =>
          createFriendService({
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
