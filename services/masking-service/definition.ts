/**
 * The masking service process: how `runService` builds it (`node services/masking-service/main.ts`
 * runs it; PORT default 3110, MASKING_SERVICE_GROUP_ID).
 */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createMaskingService } from './service.ts';

export const MASKING_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the masking service (tests run it with their own env, schema and logger). */
export function maskingService(): RunServiceOptions {
  return {
    name: 'masking-service',
    schema: 'masking',
    migrationsDir: MASKING_MIGRATIONS,
    defaultPort: 3110,
    async build({ config, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'masking-service',
          // Another group id replays domain.file-policy-updated into a fresh group (the latest update still wins).
          groupId: env.MASKING_SERVICE_GROUP_ID,
        },
        (wiring) =>
          createMaskingService({
            pool,
            logger,
            authSecret: config.authSecret,
            ...wiring,
          }),
      );
    },
  };
}
