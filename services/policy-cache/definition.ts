/**
 * The policy cache process: how `runService` builds it (`node services/policy-cache/main.ts`
 * runs it; PORT default 3107, READ_MODEL_URL, POLICY_CACHE_GROUP_ID, PERMISSION_CACHE_* in
 * cache-settings.ts).
 */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { permissionCacheSettingsFromEnv } from './cache-settings.ts';
import { PLATFORM_READ } from './check-route.ts';
import { httpReadModel } from './read-model-client.ts';
import { createPolicyCacheService } from './service.ts';
import { serviceToken } from './service-token.ts';

export const POLICY_CACHE_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the policy cache (tests run it with their own env, schema and logger). */
export function policyCacheService(): RunServiceOptions {
  return {
    name: 'policy-cache',
    schema: 'policy_cache',
    migrationsDir: POLICY_CACHE_MIGRATIONS,
    defaultPort: 3107,
    async build({ config, pool, logger, env }) {
      const settings = permissionCacheSettingsFromEnv(env);
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'policy-cache',
          // Another group id replays domain.permission-changed into a fresh group (versions keep it harmless).
          groupId: env.POLICY_CACHE_GROUP_ID,
        },
        (wiring) =>
          createPolicyCacheService({
            pool,
            logger,
            authSecret: config.authSecret,
            readModel: httpReadModel({
              baseUrl: settings.readModelUrl,
              token: serviceToken(config.authSecret, 'policy-cache', [PLATFORM_READ]),
            }),
            readThroughTtlMs: settings.readThroughTtlMs,
            eventMaxAgeMs: settings.eventMaxAgeMs,
            maxEntries: settings.maxEntries,
            ...wiring,
          }),
      );
    },
  };
}
