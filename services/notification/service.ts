/**
 * The notification service (Notification context).
 *
 * - GET  /notifications              the caller's notifications, newest first
 *                                    (?limit=1..100, ?cursor=<next_cursor>, ?unread=true)
 * - POST /notifications/:id/read     marks one of the caller's notifications read
 *                                    (another user's, or an unknown id: 404)
 * - GET  /notifications/stream       SSE: the caller's live pushes (`notification`,
 *                                    `presence`, `read` events; `ready` once connected)
 *
 * With a consumer runtime it runs notification-consumer-group. Each handler
 * writes through `context.db`, so its notifications, their NotificationSent
 * events (this schema's outbox, key = recipient) and the live-push signal
 * commit with the processed-event record (push.ts pushes after the commit).
 *
 * Who is notified:
 * - UserRegistered → the new user (welcome);
 * - FriendRequestSent → the addressee; FriendRequestAccepted → the requester
 *   (the friendship is also recorded: presence recipients);
 * - ChatRoomCreated → every member but the creator (`user_1_id`); the room's
 *   member_ids are recorded: MessageSent carries no member list;
 * - MessageSent → the room's recorded members but the sender. ChatRoomCreated
 *   and MessageSent come on different topics with no order between them: a
 *   message of a room not seen created yet is parked (pending_room_messages)
 *   and notified when the room's ChatRoomCreated arrives, never retried in
 *   place (waiting would hold the partition). There is no membership-change
 *   event, so members are those at creation;
 * - MessagesRead → a `read` push (no stored notification, no
 *   NotificationSent: the contract calls read receipts ephemeral) to each
 *   sender of the read messages this service saw in MessageSent; messages it
 *   never saw are skipped;
 * - UserOnlineStatusChanged → a `presence` push to the user's friends known
 *   from FriendRequestAccepted (ephemeral, nothing stored or published).
 *   There is no unfriend event, so a friendship, once recorded, stays.
 *   Presence and read pushes older than five minutes are skipped (replays,
 *   catching up): they are no longer news. Younger ones are pushed once per
 *   event id (live_pushes), so a replay into any group pushes nothing twice.
 */
import { streamSSE } from 'hono/streaming';
import type pg from 'pg';
import {
  createNotificationConsumerGroup,
  type MessageSent,
  type NotificationConsumerGroupHandlers,
  notificationEventsOutbox,
} from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requireAuth } from '../shared/auth.ts';
import { notFound, validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { parseTimestamp, pathParams, queryParams } from '../shared/validate.ts';
import {
  type NewNotification,
  NOTIFICATION_COLUMNS,
  type NotificationRow,
  storeNotifications,
  titled,
  view,
} from './notifications.ts';
import { createLivePush, type LivePush, PUSH_SIGNAL_IDS, signalPush } from './push.ts';
import { listQuerySchema, notificationIdParamsSchema } from './schemas.ts';

export const NOTIFICATION_GROUP = 'notification-consumer-group';
const KEEPALIVE_MS = 25_000;
/**
 * Presence and read receipts are pushed live only while they are news: an
 * older one (a replay from offset 0, a consumer catching up after an outage)
 * is skipped, so a replay pushes nothing a second time.
 */
const EPHEMERAL_MAX_AGE_MS = 5 * 60_000;
const stale = (timestamp: string): boolean => Date.now() - Date.parse(timestamp) > EPHEMERAL_MAX_AGE_MS;
/** Whether `eventId` is pushed now for the first time (by any group); in the handler's transaction. */
const firstPush = async (db: pg.ClientBase, eventId: string): Promise<boolean> =>
  (
    await db.query('INSERT INTO live_pushes (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING', [
      eventId,
    ])
  ).rowCount === 1;
const PRUNE_EVERY_MS = 60_000;

export interface NotificationServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
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

const encodeCursor = (row: NotificationRow): string =>
  Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');

function decodeCursor(cursor: string): { time: string; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (
    !time ||
    !id ||
    // Only what toISOString writes, and only instants PostgreSQL accepts too (not `1`, `2020-02-30`, year 0000).
    parseTimestamp(time) === undefined ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
  ) {
    throw validationError([{ path: '/query/cursor', message: 'is not a cursor this service issued' }]);
  }
  return { time, id };
}

/**
 * Serializes, per room, "is the room known? else park the message" against
 * "record the room, then notify what was parked": without it, a MessageSent
 * and its room's ChatRoomCreated handled at once (two partitions, two
 * instances) could each miss the other's uncommitted row and leave the
 * message parked for good. Held until the handler's transaction ends.
 */
async function lockRoom(db: pg.ClientBase, roomId: number): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('notification-room:' || $1::text, 0))", [
    roomId,
  ]);
}

/** The members of a room as its first ChatRoomCreated recorded them; undefined for a room not seen yet. */
async function roomMembers(db: pg.ClientBase, roomId: number): Promise<number[] | undefined> {
  const { rows } = await db.query<{ member_ids: string[] }>(
    'SELECT member_ids FROM rooms WHERE room_id = $1',
    [roomId],
  );
  return rows[0]?.member_ids.map(Number);
}

/** One `new_message` notification per member of the room but the sender. */
function messageNotifications(p: MessageSent, memberIds: readonly number[]): NewNotification[] {
  const title =
    p.message_type === 'text' ? `New message from ${p.username}` : `${p.username} sent a ${p.message_type}`;
  return memberIds
    .filter((id) => id !== p.user_id)
    .map((user_id) => ({
      user_id,
      notification_type: 'new_message',
      title: titled(title),
      content: {
        room_id: p.room_id,
        message_id: p.message_id,
        sender_id: p.user_id,
        username: p.username,
        message_type: p.message_type,
        content: p.content,
      },
      timestamp: p.created_at,
    }));
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
  const outbox = notificationEventsOutbox(createOutboxWriter({ schema: options.schema }));
  const push = createLivePush({
    pool,
    redisUrl: options.redisUrl,
    logger,
    ...(options.pushChannelPrefix ? { channelPrefix: options.pushChannelPrefix } : {}),
  });
  // The push fan-out is part of readiness: /ready lists it with the consumer groups.
  service.addConsumer('live-push', { ready: push.ready, stop: () => push.close() });

  app.get('/notifications', auth, queryParams(listQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const me = c.get('userId');
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const { rows } = await pool.query<NotificationRow>(
      `SELECT ${NOTIFICATION_COLUMNS} FROM notifications
        WHERE user_id = $1
          AND ($2::boolean = false OR read_at IS NULL)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [me, query.unread, after?.time ?? null, after?.id ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return c.json({
      notifications: page.map(view),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    });
  });

  app.post('/notifications/:id/read', auth, pathParams(notificationIdParamsSchema), async (c) => {
    const params = c.req.valid('param');
    const me = c.get('userId');
    // Someone else's notification is a 404 like an unknown id: its existence is not disclosed.
    const { rows } = await pool.query<NotificationRow>(
      `UPDATE notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2 RETURNING ${NOTIFICATION_COLUMNS}`,
      [params.id, me],
    );
    const row = rows[0];
    if (!row) throw notFound(`no notification ${params.id}`);
    return c.json({ notification: view(row) });
  });

  app.get('/notifications/stream', auth, (c) => {
    const me = c.get('userId');
    const log = c.get('log');
    return streamSSE(c, async (stream) => {
      let closed = false;
      let end: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        end = () => {
          closed = true;
          resolve();
        };
      });
      stream.onAbort(end);
      const queue: Promise<void>[] = [];
      const unsubscribe = push.subscribe(
        me,
        (message) => {
          if (closed) return;
          queue.push(
            stream
              .writeSSE({
                event: message.event,
                data: JSON.stringify(message.data),
                ...(message.event === 'notification' ? { id: message.data.notification_id } : {}),
              })
              .catch((err: unknown) => log.debug({ err }, 'sse write failed')),
          );
        },
        end,
      );
      const keepalive = setInterval(() => {
        stream.writeSSE({ event: 'ping', data: '{}' }).catch(() => {});
      }, KEEPALIVE_MS);
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ user_id: me }) });
        await done;
      } finally {
        clearInterval(keepalive);
        unsubscribe();
        await Promise.all(queue);
      }
    });
  });

  const notify = (db: pg.ClientBase, eventId: string, list: readonly NewNotification[]) =>
    storeNotifications(db, outbox, push.channel, eventId, list);

  const handlers: NotificationConsumerGroupHandlers = {
    userEvents: {
      UserRegistered: async (event, { db }) => {
        const p = event.payload;
        await notify(db, event.id, [
          {
            user_id: p.user_id,
            notification_type: 'welcome',
            title: titled(`Welcome, ${p.display_name}!`),
            content: { username: p.username, display_name: p.display_name },
            timestamp: p.timestamp,
          },
        ]);
      },
    },
    userOnlineStatus: {
      UserOnlineStatusChanged: async (event, { db }) => {
        const p = event.payload;
        if (stale(p.timestamp) || !(await firstPush(db, event.id))) return;
        await signalPush(db, push.channel, {
          kind: 'presence',
          user_id: p.user_id,
          is_online: p.is_online,
          timestamp: p.timestamp,
        });
      },
    },
    friendEvents: {
      FriendRequestSent: async (event, { db }) => {
        const p = event.payload;
        await notify(db, event.id, [
          {
            user_id: p.addressee_id,
            notification_type: 'friend_request',
            title: titled(`${p.requester_name} sent you a friend request`),
            content: {
              friendship_id: p.friendship_id,
              requester_id: p.requester_id,
              requester_name: p.requester_name,
            },
            timestamp: p.timestamp,
          },
        ]);
      },
      FriendRequestAccepted: async (event, { db }) => {
        const p = event.payload;
        await db.query(
          `INSERT INTO friends (user_id, friend_id, since) VALUES ($1, $2, $3), ($2, $1, $3)
           ON CONFLICT DO NOTHING`,
          [p.requester_id, p.addressee_id, p.timestamp],
        );
        await notify(db, event.id, [
          {
            user_id: p.requester_id,
            notification_type: 'friend_request_accepted',
            title: titled(`${p.addressee_name} accepted your friend request`),
            content: {
              friendship_id: p.friendship_id,
              addressee_id: p.addressee_id,
              addressee_name: p.addressee_name,
            },
            timestamp: p.timestamp,
          },
        ]);
      },
    },
    chatEvents: {
      ChatRoomCreated: async (event, { db }) => {
        const p = event.payload;
        await lockRoom(db, p.room_id);
        await db.query(
          `INSERT INTO rooms (room_id, room_type, room_name, member_ids, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id) DO NOTHING`,
          [p.room_id, p.room_type, p.room_name, p.member_ids, p.timestamp],
        );
        const title =
          p.room_type === 'group' && p.room_name ? `You were added to ${p.room_name}` : 'New direct chat';
        await notify(
          db,
          event.id,
          p.member_ids
            .filter((id) => id !== p.user_1_id)
            .map((user_id) => ({
              user_id,
              notification_type: 'chat_room_created' as const,
              title: titled(title),
              content: {
                room_id: p.room_id,
                room_type: p.room_type,
                room_name: p.room_name,
                created_by: p.user_1_id,
                member_ids: p.member_ids,
              },
              timestamp: p.timestamp,
            })),
        );
        // Messages of this room that arrived first: notified now, each under its own event id.
        const pending = await db.query<{ event_id: string; payload: MessageSent }>(
          'DELETE FROM pending_room_messages WHERE room_id = $1 RETURNING event_id, payload',
          [p.room_id],
        );
        if (pending.rows.length > 0) {
          // The members as recorded (the room's first ChatRoomCreated), as a message that found the room would use.
          const members = (await roomMembers(db, p.room_id)) ?? [];
          for (const m of pending.rows)
            await notify(db, m.event_id, messageNotifications(m.payload, members));
        }
      },
    },
    messageEvents: {
      MessageSent: async (event, { db }) => {
        const p = event.payload;
        await db.query(
          `INSERT INTO message_senders (message_id, room_id, sender_id, created_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING`,
          [p.message_id, p.room_id, p.user_id, p.created_at],
        );
        await lockRoom(db, p.room_id);
        const members = await roomMembers(db, p.room_id);
        if (!members) {
          await db.query(
            `INSERT INTO pending_room_messages (event_id, room_id, payload) VALUES ($1, $2, $3)
             ON CONFLICT (event_id) DO NOTHING`,
            [event.id, p.room_id, JSON.stringify(p)],
          );
          logger.info(
            { eventId: event.id, roomId: p.room_id },
            'MessageSent before its room was seen created: parked until ChatRoomCreated',
          );
          return;
        }
        await notify(db, event.id, messageNotifications(p, members));
      },
      MessagesRead: async (event, { db }) => {
        const p = event.payload;
        if (stale(p.timestamp) || !(await firstPush(db, event.id))) return;
        const { rows } = await db.query<{ sender_id: string; message_ids: string[] }>(
          `SELECT sender_id, array_agg(message_id ORDER BY created_at) AS message_ids
             FROM message_senders WHERE message_id = ANY($1::text[]) AND sender_id <> $2
            GROUP BY sender_id`,
          [p.message_ids, p.user_id],
        );
        for (const row of rows) {
          for (let i = 0; i < row.message_ids.length; i += PUSH_SIGNAL_IDS) {
            await signalPush(db, push.channel, {
              kind: 'read',
              sender_id: Number(row.sender_id),
              room_id: p.room_id,
              reader_id: p.user_id,
              message_ids: row.message_ids.slice(i, i + PUSH_SIGNAL_IDS),
              timestamp: p.timestamp,
            });
          }
        }
      },
    },
  };

  let consumer: { stop(): Promise<void> } | undefined;
  if (options.consumers) {
    const running = createNotificationConsumerGroup(options.consumers, handlers, options.consumerOptions);
    service.addConsumer(options.consumerOptions?.groupId ?? NOTIFICATION_GROUP, running);
    consumer = running;
  }

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
      await consumer?.stop();
      await push.close();
    },
  };
}
