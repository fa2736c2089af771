/**
 * The user service: accounts, profiles and presence (User context).
 *
 * - POST /users                    register → 201 { user }; 409 when the email or username is taken
 * - POST /sessions                 login → { token, user }; marks the user online
 * - GET  /users/me                 the caller's account
 * - PATCH /users/me                display_name, profile_image_url, status_message
 * - PUT  /users/me/online-status   { is_online }
 * - GET  /users/:id                another user's public profile (any authenticated caller)
 *
 * UserRegistered and UserProfileUpdated are written to the schema's outbox in
 * the transaction that changes the row. UserOnlineStatusChanged is published
 * directly to Kafka while the row lock is held (services/README.md says why).
 */
import type pg from 'pg';
import { type UserOnlineStatusPublisher, userEventsOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { issueToken, requireAuth } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { conflict, HttpError, notFound, uniqueViolation } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { jsonBody, pathParams } from '../shared/validate.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import {
  loginSchema,
  onlineStatusSchema,
  registerSchema,
  updateProfileSchema,
  userIdParamsSchema,
} from './schemas.ts';

export interface UserServiceOptions {
  readonly pool: pg.Pool;
  /** The service's schema (its tables and `domain_event_outbox`). */
  readonly schema: string;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** `userOnlineStatusPublisher(createEventProducer({ producer }))`, producer connected. */
  readonly presence: UserOnlineStatusPublisher;
  /** The presence producer's metrics, exposed on `/metrics`. */
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

interface UserRow {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  display_name: string;
  profile_image_url: string | null;
  status_message: string;
  is_online: boolean;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, email, username, password_hash, display_name, profile_image_url, status_message, is_online, last_seen_at, created_at, updated_at';

/** What the owner of the account sees. */
function self(row: UserRow) {
  return {
    id: Number(row.id),
    email: row.email,
    username: row.username,
    display_name: row.display_name,
    profile_image_url: row.profile_image_url,
    status_message: row.status_message,
    is_online: row.is_online,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** What other users see. */
function publicProfile(row: UserRow) {
  return {
    id: Number(row.id),
    username: row.username,
    display_name: row.display_name,
    profile_image_url: row.profile_image_url,
    status_message: row.status_message,
    is_online: row.is_online,
    updated_at: row.updated_at.toISOString(),
  };
}

export function createUserService(options: UserServiceOptions): ServiceApp {
  const { pool, logger, authSecret, presence } = options;
  const service = createServiceApp({
    name: 'user',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const userEvents = userEventsOutbox(createOutboxWriter({ schema: options.schema }));
  const auth = requireAuth(authSecret);

  /** Sets presence under the row lock and publishes the change before COMMIT; returns the row. */
  const setOnline = (userId: number, isOnline: boolean): Promise<UserRow | undefined> =>
    withTransaction(pool, async (db) => {
      const changed = await db.query<UserRow>(
        `UPDATE users SET is_online = $2, last_seen_at = now()
          WHERE id = $1 AND is_online IS DISTINCT FROM $2
          RETURNING ${COLUMNS}`,
        [userId, isOnline],
      );
      const row = changed.rows[0];
      if (!row) {
        return (await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [userId])).rows[0];
      }
      try {
        await presence.publish({
          type: 'UserOnlineStatusChanged',
          payload: {
            user_id: Number(row.id),
            is_online: isOnline,
            timestamp: (row.last_seen_at ?? new Date()).toISOString(),
          },
        });
      } catch (err) {
        logger.error({ err, userId }, 'presence publish failed; presence unchanged');
        throw new HttpError(503, 'unavailable', { message: 'presence could not be published; try again' });
      }
      return row;
    });

  app.post('/users', jsonBody(registerSchema), async (c) => {
    const body = c.req.valid('json');
    const passwordHash = await hashPassword(body.password);
    try {
      const row = await withTransaction(pool, async (db) => {
        const inserted = await db.query<UserRow>(
          `INSERT INTO users (email, username, password_hash, display_name)
           VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
          [body.email.toLowerCase(), body.username, passwordHash, body.display_name ?? body.username],
        );
        const user = inserted.rows[0]!;
        await userEvents.write(db, {
          type: 'UserRegistered',
          payload: {
            user_id: Number(user.id),
            email: user.email,
            username: user.username,
            display_name: user.display_name,
            timestamp: user.created_at.toISOString(),
          },
        });
        return user;
      });
      c.get('log').info({ userId: Number(row.id) }, 'user registered');
      return c.json({ user: self(row) }, 201);
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === 'users_email_key') throw conflict('email already registered', { field: 'email' });
      if (constraint === 'users_username_key')
        throw conflict('username already taken', { field: 'username' });
      throw err;
    }
  });

  app.post('/sessions', jsonBody(loginSchema), async (c) => {
    const body = c.req.valid('json');
    const found = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [
      body.email,
    ]);
    const row = found.rows[0];
    const ok = await verifyPassword(body.password, row?.password_hash ?? (await dummyHash()));
    if (!row || !ok) throw new HttpError(401, 'invalid_credentials', { message: 'wrong email or password' });
    const online = (await setOnline(Number(row.id), true)) ?? row;
    const token = await issueToken(authSecret, Number(row.id));
    return c.json({ token, token_type: 'Bearer', user: self(online) });
  });

  app.get('/users/me', auth, async (c) => {
    const found = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [c.get('userId')]);
    const row = found.rows[0];
    if (!row) throw notFound('account no longer exists');
    return c.json({ user: self(row) });
  });

  app.patch('/users/me', auth, jsonBody(updateProfileSchema), async (c) => {
    const body = c.req.valid('json');
    const userId = c.get('userId');
    const row = await withTransaction(pool, async (db) => {
      const updated = await db.query<UserRow>(
        `UPDATE users SET
           display_name = CASE WHEN $2::boolean THEN $3 ELSE display_name END,
           profile_image_url = CASE WHEN $4::boolean THEN $5 ELSE profile_image_url END,
           status_message = CASE WHEN $6::boolean THEN $7 ELSE status_message END,
           updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          userId,
          body.display_name !== undefined,
          body.display_name ?? null,
          body.profile_image_url !== undefined,
          body.profile_image_url ?? null,
          body.status_message !== undefined,
          body.status_message ?? null,
        ],
      );
      const user = updated.rows[0];
      if (!user) throw notFound('account no longer exists');
      await userEvents.write(db, {
        type: 'UserProfileUpdated',
        payload: {
          user_id: Number(user.id),
          display_name: user.display_name,
          profile_image_url: user.profile_image_url,
          status_message: user.status_message,
          timestamp: user.updated_at.toISOString(),
        },
      });
      return user;
    });
    return c.json({ user: self(row) });
  });

  app.put('/users/me/online-status', auth, jsonBody(onlineStatusSchema), async (c) => {
    const body = c.req.valid('json');
    const row = await setOnline(c.get('userId'), body.is_online);
    if (!row) throw notFound('account no longer exists');
    return c.json({ user: self(row) });
  });

  app.get('/users/:id', auth, pathParams(userIdParamsSchema), async (c) => {
    const params = c.req.valid('param');
    const found = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [params.id]);
    const row = found.rows[0];
    if (!row) throw notFound(`no user ${params.id}`);
    return c.json({ user: publicProfile(row) });
  });

  return service;
}
