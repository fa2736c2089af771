/**
 * The platform server process: how `runService` builds it (`node services/server/main.ts` runs
 * it; PORT default 3106, READ_MODEL_URL, POLICY_SERVICE_URL, SERVER_GROUP_ID,
 * PERMISSION_CACHE_* in ../policy-cache/cache-settings.ts).
 */
import path from 'node:path';
import { httpPolicyService } from '../dw-gateway/policy-client.ts';
import { permissionCacheSettingsFromEnv } from '../policy-cache/cache-settings.ts';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { httpReadModel } from '../policy-cache/read-model-client.ts';
import { serviceToken } from '../policy-cache/service-token.ts';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createServerService } from './service.ts';

export const SERVER_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the server (tests run it with their own env, schema and logger). */
export function serverService(): RunServiceOptions {
  return {
    name: 'server',
    migrationsDir: SERVER_MIGRATIONS,
    defaultPort: 3106,
    async build({ config, pool, logger, env }) {
      const settings = permissionCacheSettingsFromEnv(env);
      const token = serviceToken(config.authSecret, 'server', [PLATFORM_READ]);
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'server',
          // Another group id replays both topics into a fresh group (versions and the schedule ignore repeats).
          groupId: env.SERVER_GROUP_ID,
        },
        (wiring) =>
          createServerService({
            pool,
            logger,
            authSecret: config.authSecret,
            readModel: httpReadModel({ baseUrl: settings.readModelUrl, token }),
            policy: httpPolicyService({ baseUrl: env.POLICY_SERVICE_URL || 'http://127.0.0.1:3102', token }),
            readThroughTtlMs: settings.readThroughTtlMs,
            eventMaxAgeMs: settings.eventMaxAgeMs,
            maxEntries: settings.maxEntries,
            ...wiring,
          }),
      );
    },
  };
}
