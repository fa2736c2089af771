/** The analytics service process: how `runService` builds it (`node services/analytics/main.ts` runs it; PORT default 3005). */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createAnalyticsService } from './service.ts';

export const ANALYTICS_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the analytics service (tests run it with their own env, schema and logger). */
export function analyticsService(): RunServiceOptions {
  return {
    name: 'analytics',
    migrationsDir: ANALYTICS_MIGRATIONS,
    defaultPort: 3005,
    async build({ config, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'analytics-service',
          // Another group id replays the topics into a fresh group: counted_events keeps every counter as it was.
          groupId: env.ANALYTICS_GROUP_ID,
        },
        (wiring) =>
          createAnalyticsService({
            pool,
            logger,
            authSecret: config.authSecret,
            ...wiring,
          }),
      );
    },
  };
}
