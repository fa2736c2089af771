/**
 * The user service: accounts, profiles and presence (User context).
 *
 * - POST /users                    register → 201 { user }; 409 when the email or username is taken
 * - POST /sessions                 login → { token, user }; marks the user online
 * - DELETE /sessions/current        logout: marks the caller offline → { user }
 * - GET  /users/me                 the caller's account
 * - PATCH /users/me                display_name, profile_image_url, status_message
 * - PUT  /users/me/online-status   { is_online }
 * - GET  /users/:id                another user's public profile (any authenticated caller)
 *
 * UserRegistered and UserProfileUpdated are written to the schema's outbox in
 * the transaction that changes the row. UserOnlineStatusChanged is published
 * directly to Kafka while the row lock is held (presence.ts; services/README.md
 * says why), on login, logout, an explicit change and the inactivity timeout.
 * Every authenticated request counts as activity. With Kafka down, presence
 * fails fast and apart: logins and logouts still succeed, an explicit change
 * answers 503, and nothing else waits for it.
 */

import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { userEventsOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { type AuthVariables, issueToken, requireAuth } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { conflict, HttpError, notFound, uniqueViolation } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { jsonBody, pathParams } from '../shared/validate.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import { type Presence, PresenceUnavailableError } from './presence.ts';
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
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** `createPresence({ pool: <a pool of its own>, publisher: userOnlineStatusPublisher(…) })`. */
  readonly presence: Presence;
  /** How long a login or logout waits for its presence change before answering without it; default 1 s. */
  readonly presenceBudgetMs?: number;
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
  const presenceBudgetMs = options.presenceBudgetMs ?? 1_000;
  const service = createServiceApp({
    name: 'user',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const userEvents = userEventsOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );

  const requireCaller = requireAuth(authSecret);
  /** Authenticated, and the request counts as the caller's activity (presence.ts). */
  const auth: MiddlewareHandler<{ Variables: AuthVariables }> = (c, next) =>
    requireCaller(c, async () => {
      await presence.touch(c.get('userId'));
      await next();
    });

  /**
   * A presence change that must neither fail nor hold up the caller's request
   * (login, logout): after `presenceBudgetMs` the request goes on without it.
   * A transition still in flight then completes or fails on its own (state
   * and event stay together either way).
   */
  const presenceBestEffort = async (
    userId: number,
    isOnline: boolean,
    log: ServiceLogger,
  ): Promise<'changed' | 'unchanged' | 'pending' | 'unavailable'> => {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'pending'>((resolve) => {
      timer = setTimeout(() => resolve('pending'), presenceBudgetMs);
    });
    const transition = presence.set(userId, isOnline).then(
      (t) => (t.changed ? ('changed' as const) : ('unchanged' as const)),
      (err: unknown) => {
        if (!(err instanceof PresenceUnavailableError)) throw err;
        return 'unavailable' as const;
      },
    );
    try {
      const outcome = await Promise.race([transition, budget]);
      if (outcome === 'pending' || outcome === 'unavailable') {
        log.warn({ userId, isOnline, outcome }, 'presence not confirmed; the request goes on without it');
        transition.catch((err: unknown) => log.error({ err, userId }, 'presence change failed'));
      }
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  };

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
    const outcome = await presenceBestEffort(Number(row.id), true, c.get('log'));
    const token = await issueToken(authSecret, Number(row.id));
    const isOnline = outcome === 'changed' || outcome === 'unchanged' ? true : row.is_online;
    return c.json({ token, token_type: 'Bearer', user: self({ ...row, is_online: isOnline }) });
  });

  app.delete('/sessions/current', auth, async (c) => {
    const userId = c.get('userId');
    const outcome = await presenceBestEffort(userId, false, c.get('log'));
    const found = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [userId]);
    const row = found.rows[0];
    if (!row) throw notFound('account no longer exists');
    // The token stays valid until it expires (stateless JWT); logging out ends presence, not the token.
    const presenceState = outcome === 'changed' || outcome === 'unchanged' ? 'offline' : outcome;
    return c.json({ user: self(row), presence: presenceState });
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
    const userId = c.get('userId');
    try {
      await presence.set(userId, body.is_online);
    } catch (err) {
      if (err instanceof PresenceUnavailableError) {
        throw new HttpError(503, 'unavailable', { message: 'presence could not be published; try again' });
      }
      throw err;
    }
    const found = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [userId]);
    const row = found.rows[0];
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
