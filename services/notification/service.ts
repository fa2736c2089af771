/**
 * The notification service (Notification context).
 *
 * Routes: routes.ts. With a consumer runtime it runs notification-consumer-group
 * (handlers.ts: who is notified of what; rooms.ts: rooms and parked messages).
 */
import type pg from 'pg';
import { createNotificationConsumerGroup, notificationEventsOutbox } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requireAuth } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { notificationHandlers } from './handlers.ts';
import { storeNotifications } from './notifications.ts';
import { createLivePush, type LivePush } from './push.ts';
import { addNotificationRoutes } from './routes.ts';

export const NOTIFICATION_GROUP = 'notification-consumer-group';
const PRUNE_EVERY_MS = 60_000;

export interface NotificationServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Redis of the live-push fan-out. */
  readonly redisUrl: string;
  /** Redis channel prefix of the fan-out (default `user:notifications:`). */
  readonly pushChannelPrefix?: string;
  /** Runs notification-consumer-group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface NotificationService extends BuiltService {
  readonly service: ServiceApp;
  readonly push: LivePush;
}

export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'notification',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const auth = requireAuth(options.authSecret);
  const outbox = notificationEventsOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const push = createLivePush({
    pool,
    redisUrl: options.redisUrl,
    logger,
    ...(options.pushChannelPrefix ? { channelPrefix: options.pushChannelPrefix } : {}),
  });
  // The push fan-out is part of readiness: /ready lists it with the consumer groups.
  service.addConsumer('live-push', { ready: push.ready, stop: () => push.close() });

  addNotificationRoutes(app, { pool, auth, push });

  const handlers = notificationHandlers({
    notify: (db, eventId, list) => storeNotifications(db, outbox, push.channel, eventId, list),
    pushChannel: push.channel,
    logger,
  });

  const consumer = startServiceConsumer(
    service,
    options,
    NOTIFICATION_GROUP,
    createNotificationConsumerGroup,
    handlers,
  );

  const pruner = setInterval(() => {
    pool
      .query("DELETE FROM live_pushes WHERE pushed_at < now() - interval '10 minutes'")
      .catch((err: unknown) => logger.warn({ err }, 'pruning live pushes failed'));
  }, PRUNE_EVERY_MS);
  pruner.unref();

  return {
    service,
    push,
    close: async () => {
      clearInterval(pruner);
      await consumer.stop();
      await push.close();
    },
  };
}
