/**
 * The notification service's HTTP routes.
 *
 * - GET  /notifications              the caller's notifications, newest first
 *                                    (?limit=1..100, ?cursor=<next_cursor>, ?unread=true)
 * - POST /notifications/:id/read     marks one of the caller's notifications read
 *                                    (another user's, or an unknown id: 404)
 * - GET  /notifications/stream       SSE: the caller's live pushes (`notification`,
 *                                    `presence`, `read` events; `ready` once connected)
 *
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type pg from 'pg';
import type { ServiceEnv } from '../shared/app.ts';
import type { AuthVariables } from '../shared/auth.ts';
import { notFound, validationError } from '../shared/errors.ts';
import { parseTimestamp, pathParams, queryParams } from '../shared/validate.ts';
import { NOTIFICATION_COLUMNS, type NotificationRow, view } from './notifications.ts';
import type { LivePush } from './push.ts';
import { listQuerySchema, notificationIdParamsSchema } from './schemas.ts';

const KEEPALIVE_MS = 25_000;

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

export function addNotificationRoutes(
  app: Hono<ServiceEnv>,
  deps: { pool: pg.Pool; auth: MiddlewareHandler<{ Variables: AuthVariables }>; push: LivePush },
): void {
  const { pool, auth, push } = deps;
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
}
