/**
 * Notifications as the notification service stores, publishes and pushes
 * them. `storeNotifications` runs inside the consumer's transaction
 * (`context.db`): the rows, their NotificationSent events (the schema's
 * outbox) and the live-push signal (push.ts) commit together with the
 * processed-event record, or not at all.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { NotificationSent } from '../../generated/index.ts';
import type { TopicOutbox } from '../../runtime/contract/events.ts';
import { PUSH_SIGNAL_IDS, type PushSignal, signalPush } from './push.ts';

export type NotificationType = NotificationSent['notification_type'];

export interface NewNotification {
  readonly user_id: number;
  readonly notification_type: NotificationType;
  readonly title: string;
  readonly content: Record<string, unknown>;
  /** The source event's timestamp. */
  readonly timestamp: string;
}

export interface NotificationRow {
  id: string;
  user_id: string;
  notification_type: NotificationType;
  title: string;
  content: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
}

export const NOTIFICATION_COLUMNS = 'id, user_id, notification_type, title, content, created_at, read_at';

export interface NotificationView {
  notification_id: string;
  user_id: number;
  notification_type: NotificationType;
  title: string;
  content: Record<string, unknown>;
  timestamp: string;
  read_at: string | null;
}

export function view(row: NotificationRow): NotificationView {
  return {
    notification_id: row.id,
    user_id: Number(row.user_id),
    notification_type: row.notification_type,
    title: row.title,
    content: row.content,
    timestamp: row.created_at.toISOString(),
    read_at: row.read_at?.toISOString() ?? null,
  };
}

/**
 * The id of the notification `sourceEventId` makes for `userId`: a name-based
 * UUID (version 5 layout, SHA-1 of both), so every replay of the event
 * derives the same id and the primary key refuses a second row.
 */
export function notificationId(sourceEventId: string, userId: number): string {
  const hash = createHash('sha1').update(`notification:${sourceEventId}:${userId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Cut to the contract's 200 characters. */
export const titled = (title: string): string => (title.length > 200 ? `${title.slice(0, 199)}…` : title);

/**
 * Stores one notification per entry (recipients deduplicated), writes
 * NotificationSent for each new one to the outbox (key: the recipient), and
 * signals the live push; everything in `db`'s open transaction. Returns the ids stored now.
 */
export async function storeNotifications(
  db: pg.ClientBase,
  outbox: TopicOutbox<{ NotificationSent: NotificationSent }>,
  pushChannel: string,
  sourceEventId: string,
  notifications: readonly NewNotification[],
): Promise<string[]> {
  const stored: string[] = [];
  const seen = new Set<number>();
  for (const n of notifications) {
    if (seen.has(n.user_id)) continue;
    seen.add(n.user_id);
    const id = notificationId(sourceEventId, n.user_id);
    const inserted = await db.query(
      `INSERT INTO notifications (id, user_id, notification_type, title, content, source_event_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, n.user_id, n.notification_type, n.title, JSON.stringify(n.content), sourceEventId, n.timestamp],
    );
    if (inserted.rowCount === 0) continue;
    await outbox.write(
      db,
      {
        type: 'NotificationSent',
        payload: {
          notification_id: id,
          user_id: n.user_id,
          notification_type: n.notification_type,
          title: n.title,
          content: n.content,
          timestamp: n.timestamp,
        },
      },
      { id },
    );
    stored.push(id);
  }
  for (let i = 0; i < stored.length; i += PUSH_SIGNAL_IDS) {
    const signal: PushSignal = { kind: 'notifications', ids: stored.slice(i, i + PUSH_SIGNAL_IDS) };
    await signalPush(db, pushChannel, signal);
  }
  return stored;
}
