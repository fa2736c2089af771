/** The notification service process: how `runService` builds it (`node services/notification/main.ts` runs it; PORT default 3004). */
import path from 'node:path';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { createNotificationService } from './service.ts';

export const NOTIFICATION_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the notification service (tests run it with their own env, schema and logger). */
export function notificationService(): RunServiceOptions {
  return {
    name: 'notification',
    migrationsDir: NOTIFICATION_MIGRATIONS,
    defaultPort: 3004,
    async build({ config, schema, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'notification-service',
          // Another group id replays the topics into a fresh group (notifications are not duplicated: ids are derived).
          groupId: env.NOTIFICATION_GROUP_ID,
        },
        (wiring) => {
          const built = createNotificationService({
            pool,
            schema,
            logger,
            authSecret: config.authSecret,
            schemaVersions: config.eventSchemaVersions,
            redisUrl: config.redisUrl,
            // Two systems on one Redis (a test system beside `npm start`) each need their own channels.
            ...(env.NOTIFICATION_PUSH_CHANNEL_PREFIX
              ? { pushChannelPrefix: env.NOTIFICATION_PUSH_CHANNEL_PREFIX }
              : {}),
            ...wiring,
          });
          return {
            // Open SSE streams would hold the listener's close (and so the shutdown) until its timeout:
            // end them when the shutdown starts; clients reconnect to another instance.
            service: {
              ...built.service,
              markShuttingDown() {
                built.service.markShuttingDown();
                built.push.endStreams();
              },
            },
            close: () => built.close(),
          };
        },
      );
    },
  };
}
