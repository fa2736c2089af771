/**
 * The batch application process: how `runService` builds it (`node services/batch-app/main.ts`
 * runs it; PORT default 3109, BATCH_APP_GROUP_ID).
 */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createBatchAppService } from './service.ts';

export const BATCH_APP_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the batch application (tests run it with their own env, schema and logger). */
export function batchAppService(): RunServiceOptions {
  return {
    name: 'batch-app',
    schema: 'batch_app',
    migrationsDir: BATCH_APP_MIGRATIONS,
    defaultPort: 3109,
    async build({ config, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'batch-app',
          // Another group id replays domain.dw-batch-completed into a fresh group (the run key keeps one row per run).
          groupId: env.BATCH_APP_GROUP_ID,
        },
        (wiring) =>
          createBatchAppService({
            pool,
            logger,
            authSecret: config.authSecret,
            ...wiring,
          }),
      );
    },
  };
}
