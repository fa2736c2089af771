/**
 * Live push of notifications over SSE, across instances.
 *
 * After commit: a handler never publishes to Redis itself (it runs inside
 * the consumer's transaction, which may still roll back). It queues a
 * `pg_notify` on this instance's own channel through `context.db`;
 * PostgreSQL delivers it only when that transaction commits, and drops it
 * when the transaction (or the handler's savepoint) rolls back. This
 * instance's LISTEN connection then resolves the recipients and publishes
 * to Redis `user:notifications:<user_id>`.
 *
 * Fan-out: every instance pattern-subscribes to `user:notifications:*` and
 * writes each message to its own SSE clients of that user, so a user
 * connected to any instance gets the pushes of events handled on any other.
 *
 * Delivery is best effort (as Redis Pub/Sub is): a crash between COMMIT and
 * the Redis publish, or a client not connected at that moment, misses the
 * live push; the notification itself is stored and `GET /notifications`
 * lists it.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { NOTIFICATION_COLUMNS, type NotificationRow, type NotificationView, view } from './notifications.ts';

/** The seed's channel per user: `user:notifications:<user_id>`. */
export const REDIS_CHANNEL_PREFIX = 'user:notifications:';

/** What a handler asks this instance to push once its transaction has committed (pg_notify payload, < 8000 bytes). */
export type PushSignal =
  | { readonly kind: 'notifications'; readonly ids: readonly string[] }
  | {
      readonly kind: 'presence';
      readonly user_id: number;
      readonly is_online: boolean;
      readonly timestamp: string;
    }
  | {
      readonly kind: 'read';
      readonly sender_id: number;
      readonly room_id: number;
      readonly reader_id: number;
      readonly message_ids: readonly string[];
      readonly timestamp: string;
    };

/** What an SSE client receives: the SSE event name and its JSON data. */
export type PushMessage =
  | { readonly event: 'notification'; readonly data: NotificationView }
  | {
      readonly event: 'presence';
      readonly data: { user_id: number; is_online: boolean; timestamp: string };
    }
  | {
      readonly event: 'read';
      readonly data: {
        room_id: number;
        reader_id: number;
        message_ids: readonly string[];
        timestamp: string;
      };
    };

/** Ids one push signal carries at most: a signal is a pg_notify payload, under 8000 bytes. */
export const PUSH_SIGNAL_IDS = 100;

export async function signalPush(db: pg.ClientBase, channel: string, signal: PushSignal): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(signal)]);
}

export type PushListener = (message: PushMessage) => void;

export interface LivePush {
  /** This instance's pg_notify channel (handlers signal on it). */
  readonly channel: string;
  /** Resolves once the LISTEN connection and the Redis subscription are up. */
  readonly ready: Promise<void>;
  /** Registers an SSE client of `userId` on this instance (`onEnd`: the server asks it to end); returns its removal. */
  subscribe(userId: number, listener: PushListener, onEnd?: () => void): () => void;
  /** Ends every SSE stream of this instance (graceful shutdown: the listener cannot close while they are open). */
  endStreams(): void;
  /** SSE clients connected to this instance. */
  clients(): number;
  close(): Promise<void>;
}

export interface LivePushOptions {
  readonly pool: pg.Pool;
  readonly redisUrl: string;
  /** Default REDIS_CHANNEL_PREFIX; another one keeps two systems sharing one Redis apart. */
  readonly channelPrefix?: string;
  readonly logger: ServiceLogger;
}

const RECONNECT_MS = 1_000;

export function createLivePush(options: LivePushOptions): LivePush {
  const { pool, logger } = options;
  const channel = `notification_push_${randomBytes(6).toString('hex')}`;
  const prefix = options.channelPrefix ?? REDIS_CHANNEL_PREFIX;
  const publisher = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(options.redisUrl, { lazyConnect: true });
  const listeners = new Map<number, Set<PushListener>>();
  const enders = new Set<() => void>();
  let listenClient: pg.PoolClient | undefined;
  let closed = false;

  publisher.on('error', (err: unknown) => logger.warn({ err }, 'redis publisher error'));
  subscriber.on('error', (err: unknown) => logger.warn({ err }, 'redis subscriber error'));
  subscriber.on('pmessage', (_pattern: string, redisChannel: string, message: string) => {
    const userId = Number(redisChannel.slice(prefix.length));
    const own = listeners.get(userId);
    if (!own) return;
    let parsed: PushMessage;
    try {
      parsed = JSON.parse(message) as PushMessage;
    } catch (err) {
      logger.warn({ err, channel: redisChannel }, 'unreadable push message');
      return;
    }
    for (const listener of own) listener(parsed);
  });

  const publish = async (messages: readonly { userId: number; message: PushMessage }[]) => {
    if (messages.length === 0) return;
    const pipeline = publisher.pipeline();
    for (const m of messages) pipeline.publish(`${prefix}${m.userId}`, JSON.stringify(m.message));
    await pipeline.exec();
  };

  const deliver = async (signal: PushSignal) => {
    if (signal.kind === 'notifications') {
      const { rows } = await pool.query<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE id = ANY($1::uuid[])`,
        [signal.ids],
      );
      await publish(
        rows.map((r) => ({ userId: Number(r.user_id), message: { event: 'notification', data: view(r) } })),
      );
    } else if (signal.kind === 'presence') {
      const { rows } = await pool.query<{ friend_id: string }>(
        'SELECT friend_id FROM friends WHERE user_id = $1',
        [signal.user_id],
      );
      const data = { user_id: signal.user_id, is_online: signal.is_online, timestamp: signal.timestamp };
      await publish(rows.map((r) => ({ userId: Number(r.friend_id), message: { event: 'presence', data } })));
    } else {
      const { sender_id, room_id, reader_id, message_ids, timestamp } = signal;
      await publish([
        {
          userId: sender_id,
          message: { event: 'read', data: { room_id, reader_id, message_ids, timestamp } },
        },
      ]);
    }
  };

  const listen = async (): Promise<void> => {
    const client = await pool.connect();
    client.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return;
      let signal: PushSignal;
      try {
        signal = JSON.parse(msg.payload) as PushSignal;
      } catch (err) {
        logger.warn({ err }, 'unreadable push signal');
        return;
      }
      deliver(signal).catch((err: unknown) => logger.warn({ err, kind: signal.kind }, 'live push failed'));
    });
    client.on('error', (err) => {
      logger.warn({ err }, 'push LISTEN connection lost; reconnecting');
      if (listenClient === client) listenClient = undefined;
      client.release(true);
      const retry = () => {
        if (closed) return;
        listen().catch((e: unknown) => {
          logger.warn({ err: e }, 'push LISTEN reconnect failed');
          setTimeout(retry, RECONNECT_MS).unref();
        });
      };
      setTimeout(retry, RECONNECT_MS).unref();
    });
    await client.query(`LISTEN ${quoteIdent(channel)}`);
    listenClient = client;
  };

  const ready = (async () => {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.psubscribe(`${prefix}*`);
    await listen();
  })();
  ready.catch(() => {});

  return {
    channel,
    ready,
    subscribe(userId, listener, onEnd) {
      if (onEnd) enders.add(onEnd);
      let own = listeners.get(userId);
      if (!own) {
        own = new Set();
        listeners.set(userId, own);
      }
      own.add(listener);
      return () => {
        if (onEnd) enders.delete(onEnd);
        own.delete(listener);
        if (own.size === 0 && listeners.get(userId) === own) listeners.delete(userId);
      };
    },
    endStreams() {
      for (const end of [...enders]) end();
    },
    clients: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    async close() {
      closed = true;
      for (const end of [...enders]) end();
      await ready.catch(() => {});
      const client = listenClient;
      listenClient = undefined;
      if (client) {
        await client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
        client.release();
      }
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
