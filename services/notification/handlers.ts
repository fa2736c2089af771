/**
 * What notification-consumer-group does with each event. Each handler writes
 * through `context.db`, so its notifications, their NotificationSent events
 * (the schema's outbox, key = recipient) and the live-push signal commit with
 * the processed-event record (push.ts pushes after the commit).
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
import type pg from 'pg';
import type { MessageSent, NotificationConsumerGroupHandlers } from '../../generated/index.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { type NewNotification, titled } from './notifications.ts';
import { PUSH_SIGNAL_IDS, signalPush } from './push.ts';
import { lockRoom, parkMessage, recordRoom, roomMembers, takeParkedMessages } from './rooms.ts';

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

export interface HandlerDeps {
  /** Stores notifications (and their NotificationSent and push signal) under the source event id. */
  notify(db: pg.ClientBase, eventId: string, list: readonly NewNotification[]): Promise<unknown>;
  /** This instance's push channel (push.ts). */
  readonly pushChannel: string;
  readonly logger: ServiceLogger;
}

export function notificationHandlers(deps: HandlerDeps): NotificationConsumerGroupHandlers {
  const { notify, logger } = deps;
  return {
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
        await signalPush(db, deps.pushChannel, {
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
        await recordRoom(db, p);
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
        const pending = await takeParkedMessages(db, p.room_id);
        if (pending.length > 0) {
          // The members as recorded (the room's first ChatRoomCreated), as a message that found the room would use.
          const members = (await roomMembers(db, p.room_id)) ?? [];
          for (const m of pending) await notify(db, m.event_id, messageNotifications(m.payload, members));
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
          await parkMessage(db, event.id, p);
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
            await signalPush(db, deps.pushChannel, {
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
}
