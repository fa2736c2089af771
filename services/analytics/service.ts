/**
 * The analytics service (Analytics context): counts every event of every
 * topic the contract lists, per event type and per UTC day of the event's
 * own time (`ce_time`).
 *
 * - GET /stats   authenticated; ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive,
 *                UTC days; from after to is 400), ?type=EventType
 *                → { from, to, stats: [{ day, event_type, count }], totals: { [type]: count } }
 *
 * analytics-consumer-group: one handler for all eleven event types. The
 * increment goes through `context.db` and is guarded by `counted_events`
 * (event id primary key), so it commits with the processed-event record and
 * happens once per event id whatever group counts it: a redelivery, a replay
 * of the group from offset 0, or a replay into a fresh group id changes no
 * counter. `counted_events` rows outlive the longest topic retention by a
 * day (a record older than that cannot be delivered again) and are then pruned.
 */
import type pg from 'pg';
import {
  type AnalyticsConsumerGroupHandlers,
  catalog,
  createAnalyticsConsumerGroup,
  topicSpecs,
} from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory, HandlerContext } from '../../runtime/contract/events.ts';
import { deleteInBatches } from '../../runtime/db/delete-in-batches.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requireAuth } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import { validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { queryParams } from '../shared/validate.ts';
import { statsQuerySchema } from './schemas.ts';

export const ANALYTICS_GROUP = 'analytics-consumer-group';

export interface AnalyticsServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Runs analytics-consumer-group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface AnalyticsService extends BuiltService {
  readonly service: ServiceApp;
}

/**
 * +1 for the event's type on the UTC day of its ce_time, in the consumer's
 * transaction, unless the event id was counted before (by any group).
 */
async function count(
  event: { readonly id: string; readonly type: string; readonly time: string },
  { db }: HandlerContext,
) {
  await db.query(
    `WITH fresh AS (
       INSERT INTO counted_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING RETURNING 1
     )
     INSERT INTO event_counts (event_type, day, count)
     SELECT $2, ($3::timestamptz AT TIME ZONE 'UTC')::date, 1 FROM fresh
     ON CONFLICT (day, event_type) DO UPDATE SET count = event_counts.count + 1, updated_at = now()`,
    [event.id, event.type, event.time],
  );
}

/** The topics analytics-consumer-group reads, as the contract lists them. */
const catalogTopics = new Set<string>(
  catalog.consumerGroups.find((g) => g.groupId === ANALYTICS_GROUP)?.subscriptions.map((s) => s.topic) ?? [],
);

/** How long an event id stays in `counted_events`: the longest retention of the group's topics, plus a day. */
export const COUNTED_EVENTS_RETENTION_MS =
  Math.max(
    ...topicSpecs
      .filter((t) => catalogTopics.has(t.name))
      .map((t) => Number(t.config['retention.ms'] ?? 604_800_000)),
  ) + 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/** Deletes `counted_events` rows past COUNTED_EVENTS_RETENTION_MS, in batches; returns how many. */
export function pruneCountedEvents(pool: pg.Pool): Promise<number> {
  return deleteInBatches(pool, {
    table: 'counted_events',
    where: 'counted_at < $1',
    params: [new Date(Date.now() - COUNTED_EVENTS_RETENTION_MS)],
    batchSize: 10_000,
  });
}

/** Every event type of every topic the group subscribes to, counted alike. */
export const analyticsHandlers: AnalyticsConsumerGroupHandlers = {
  userEvents: { UserRegistered: count, UserProfileUpdated: count },
  userOnlineStatus: { UserOnlineStatusChanged: count },
  friendEvents: {
    FriendRequestSent: count,
    FriendRequestAccepted: count,
    FriendRequestRejected: count,
    FriendRequestCancelled: count,
  },
  chatEvents: { ChatRoomCreated: count },
  messageEvents: { MessageSent: count, MessagesRead: count },
  notificationEvents: { NotificationSent: count },
};

export function createAnalyticsService(options: AnalyticsServiceOptions): AnalyticsService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'analytics',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const auth = requireAuth(options.authSecret);

  app.get('/stats', auth, queryParams(statsQuerySchema), async (c) => {
    const query = c.req.valid('query');
    if (query.from && query.to && query.from > query.to) {
      throw validationError([{ path: '/query/from', message: 'must not be after to' }]);
    }
    const { rows } = await pool.query<{ day: string; event_type: string; count: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, event_type, count FROM event_counts
        WHERE ($1::date IS NULL OR day >= $1::date)
          AND ($2::date IS NULL OR day <= $2::date)
          AND ($3::text IS NULL OR event_type = $3)
        ORDER BY day, event_type`,
      [query.from ?? null, query.to ?? null, query.type ?? null],
    );
    const stats = rows.map((r) => ({ day: r.day, event_type: r.event_type, count: Number(r.count) }));
    const totals: Record<string, number> = {};
    for (const s of stats) totals[s.event_type] = (totals[s.event_type] ?? 0) + s.count;
    return c.json({ from: query.from ?? null, to: query.to ?? null, stats, totals });
  });

  const consumer = startServiceConsumer(
    service,
    options,
    ANALYTICS_GROUP,
    createAnalyticsConsumerGroup,
    analyticsHandlers,
  );

  const prune = () =>
    pruneCountedEvents(pool).then(
      (deleted) => deleted > 0 && logger.info({ deleted }, 'counted events pruned'),
      (err: unknown) => logger.warn({ err }, 'pruning counted events failed'),
    );
  const pruner = setInterval(prune, PRUNE_EVERY_MS);
  pruner.unref();

  return {
    service,
    close: async () => {
      clearInterval(pruner);
      await consumer.stop();
    },
  };
}
