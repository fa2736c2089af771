/**
 * The read-model-worker process: how `runService` builds it (`node services/read-model-worker/main.ts`
 * runs it; PORT default 3105, READ_MODEL_WORKER_GROUP_ID).
 */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createReadModelWorkerService } from './service.ts';

export const READ_MODEL_WORKER_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the read-model-worker (tests run it with their own env, schema and logger). */
export function readModelWorkerService(): RunServiceOptions {
  return {
    name: 'read-model-worker',
    schema: 'read_model',
    migrationsDir: READ_MODEL_WORKER_MIGRATIONS,
    defaultPort: 3105,
    async build({ config, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'read-model-worker',
          // Another group id replays the three topics into a fresh group (the guards keep every row as it is).
          groupId: env.READ_MODEL_WORKER_GROUP_ID,
        },
        (wiring) =>
          createReadModelWorkerService({
            pool,
            logger,
            authSecret: config.authSecret,
            ...wiring,
          }),
      );
    },
  };
}
