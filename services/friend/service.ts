/**
 * The friend service: friend requests and friendships (Friend context).
 *
 * - POST /friend-requests              { addressee_id } → 201 { request }
 * - GET  /friend-requests              the caller's pending requests { incoming, outgoing }
 * - POST /friend-requests/:id/accept   addressee only
 * - POST /friend-requests/:id/reject   addressee only
 * - POST /friend-requests/:id/cancel   requester only
 * - GET  /friends                      the caller's friends with their cached profiles
 *
 * A request the caller is not a party to is 404 (its existence is not
 * disclosed); the wrong party is 403; a request no longer pending is 409; a
 * second live relation between two users (pending either way, or friends) is
 * 409; a request to oneself is 400. Every change and its Friend* event are
 * committed in one transaction through the schema's outbox.
 *
 * With a consumer runtime, the service also runs friend-profile-cache-group,
 * which keeps `user_profiles` current from UserProfileUpdated (profiles.ts).
 */
import type pg from 'pg';
import {
  createFriendProfileCacheGroup,
  type FriendEventsEvent,
  friendEventsOutbox,
} from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requireAuth } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import { withTransaction } from '../shared/db.ts';
import { conflict, forbidden, notFound, uniqueViolation, validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import {
  cacheProfile,
  type ProfileSnapshot,
  resolveProfile,
  type UserDirectory,
} from '../shared/profile-cache.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams } from '../shared/validate.ts';
import { requestIdParamsSchema, sendRequestSchema } from './schemas.ts';

export const PROFILE_CACHE_GROUP = 'friend-profile-cache-group';

export interface FriendServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly users: UserDirectory;
  /** Runs friend-profile-cache-group when given (`createConsumerRuntime({ kafka, pool, deadLetterProducer })`). */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface FriendService extends BuiltService {
  readonly service: ServiceApp;
}

interface FriendshipRow {
  id: string;
  requester_id: string;
  addressee_id: string;
  status: 'pending' | 'accepted' | 'rejected' | 'cancelled';
  created_at: Date;
  responded_at: Date | null;
}

const COLUMNS = 'id, requester_id, addressee_id, status, created_at, responded_at';

function view(row: FriendshipRow) {
  return {
    id: Number(row.id),
    requester_id: Number(row.requester_id),
    addressee_id: Number(row.addressee_id),
    status: row.status,
    created_at: row.created_at.toISOString(),
    responded_at: row.responded_at?.toISOString() ?? null,
  };
}

type Action = 'accept' | 'reject' | 'cancel';
const TRANSITIONS: Record<
  Action,
  { status: FriendshipRow['status']; actor: 'requester' | 'addressee'; event: FriendEventsEvent['type'] }
> = {
  accept: { status: 'accepted', actor: 'addressee', event: 'FriendRequestAccepted' },
  reject: { status: 'rejected', actor: 'addressee', event: 'FriendRequestRejected' },
  cancel: { status: 'cancelled', actor: 'requester', event: 'FriendRequestCancelled' },
};

export function createFriendService(options: FriendServiceOptions): FriendService {
  const { pool, logger, users } = options;
  const service = createServiceApp({
    name: 'friend',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const friendEvents = friendEventsOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const auth = requireAuth(options.authSecret);

  const profileOf = async (userId: number, authorization: string, who: string): Promise<ProfileSnapshot> => {
    const profile = await resolveProfile(pool, users, userId, authorization);
    if (!profile) throw notFound(`${who} ${userId} does not exist`);
    return profile;
  };

  app.post('/friend-requests', auth, jsonBody(sendRequestSchema), async (c) => {
    const body = c.req.valid('json');
    const me = c.get('userId');
    if (body.addressee_id === me) {
      throw validationError([
        { path: '/body/addressee_id', message: 'cannot send a friend request to yourself' },
      ]);
    }
    const authorization = c.req.header('authorization') ?? '';
    const requester = await profileOf(me, authorization, 'user');
    const addressee = await profileOf(body.addressee_id, authorization, 'user');
    try {
      const row = await withTransaction(pool, async (db) => {
        const inserted = await db.query<FriendshipRow>(
          `INSERT INTO friendships (requester_id, addressee_id) VALUES ($1, $2) RETURNING ${COLUMNS}`,
          [me, body.addressee_id],
        );
        const request = inserted.rows[0]!;
        await friendEvents.write(db, {
          type: 'FriendRequestSent',
          payload: {
            friendship_id: Number(request.id),
            requester_id: me,
            requester_name: requester.display_name,
            addressee_id: body.addressee_id,
            addressee_name: addressee.display_name,
            timestamp: request.created_at.toISOString(),
          },
        });
        return request;
      });
      return c.json({ request: view(row) }, 201);
    } catch (err) {
      if (uniqueViolation(err) === 'friendships_active_pair') {
        throw conflict('a pending request or a friendship already exists between these users');
      }
      throw err;
    }
  });

  for (const action of Object.keys(TRANSITIONS) as Action[]) {
    const transition = TRANSITIONS[action];
    app.post(`/friend-requests/:id/${action}`, auth, pathParams(requestIdParamsSchema), async (c) => {
      const params = c.req.valid('param');
      const me = c.get('userId');
      const authorization = c.req.header('authorization') ?? '';
      const check = (row: FriendshipRow | undefined): FriendshipRow => {
        const party = row && (Number(row.requester_id) === me || Number(row.addressee_id) === me);
        if (!row || !party) throw notFound(`no friend request ${params.id}`);
        const actor = transition.actor === 'requester' ? row.requester_id : row.addressee_id;
        if (Number(actor) !== me) throw forbidden(`only the ${transition.actor} may ${action} this request`);
        if (row.status !== 'pending') throw conflict(`the request is ${row.status}, not pending`);
        return row;
      };
      // Names first (they may need the user service); no transaction is held open meanwhile.
      const first = check(
        (await pool.query<FriendshipRow>(`SELECT ${COLUMNS} FROM friendships WHERE id = $1`, [params.id]))
          .rows[0],
      );
      const requester = await profileOf(Number(first.requester_id), authorization, 'user');
      const addressee = await profileOf(Number(first.addressee_id), authorization, 'user');
      const row = await withTransaction(pool, async (db) => {
        check(
          (
            await db.query<FriendshipRow>(`SELECT ${COLUMNS} FROM friendships WHERE id = $1 FOR UPDATE`, [
              params.id,
            ])
          ).rows[0],
        );
        const updated = await db.query<FriendshipRow>(
          `UPDATE friendships SET status = $2, responded_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
          [params.id, transition.status],
        );
        const request = updated.rows[0]!;
        await friendEvents.write(db, {
          type: transition.event,
          payload: {
            friendship_id: Number(request.id),
            requester_id: Number(request.requester_id),
            requester_name: requester.display_name,
            addressee_id: Number(request.addressee_id),
            addressee_name: addressee.display_name,
            timestamp: (request.responded_at ?? new Date()).toISOString(),
          },
        });
        return request;
      });
      return c.json({ request: view(row) });
    });
  }

  app.get('/friend-requests', auth, async (c) => {
    const me = c.get('userId');
    const { rows } = await pool.query<
      FriendshipRow & { other_id: string; display_name: string | null; profile_image_url: string | null }
    >(
      `SELECT f.id, f.requester_id, f.addressee_id, f.status, f.created_at, f.responded_at,
              p.user_id AS other_id, p.display_name, p.profile_image_url
         FROM friendships f
         LEFT JOIN user_profiles p
           ON p.user_id = CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END
        WHERE f.status = 'pending' AND (f.requester_id = $1 OR f.addressee_id = $1)
        ORDER BY f.id`,
      [me],
    );
    const entry = (r: (typeof rows)[number]) => ({
      ...view(r),
      other: { display_name: r.display_name, profile_image_url: r.profile_image_url },
    });
    return c.json({
      incoming: rows.filter((r) => Number(r.addressee_id) === me).map(entry),
      outgoing: rows.filter((r) => Number(r.requester_id) === me).map(entry),
    });
  });

  app.get('/friends', auth, async (c) => {
    const me = c.get('userId');
    const { rows } = await pool.query<{
      friendship_id: string;
      user_id: string;
      since: Date;
      display_name: string | null;
      profile_image_url: string | null;
      status_message: string | null;
    }>(
      `SELECT f.id AS friendship_id, o.user_id, f.responded_at AS since,
              p.display_name, p.profile_image_url, p.status_message
         FROM friendships f
         CROSS JOIN LATERAL (SELECT CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END AS user_id) o
         LEFT JOIN user_profiles p ON p.user_id = o.user_id
        WHERE f.status = 'accepted' AND (f.requester_id = $1 OR f.addressee_id = $1)
        ORDER BY p.display_name NULLS LAST, o.user_id`,
      [me],
    );
    return c.json({
      friends: rows.map((r) => ({
        user_id: Number(r.user_id),
        friendship_id: Number(r.friendship_id),
        since: r.since.toISOString(),
        display_name: r.display_name,
        profile_image_url: r.profile_image_url,
        status_message: r.status_message,
      })),
    });
  });

  const consumer = startServiceConsumer(
    service,
    options,
    PROFILE_CACHE_GROUP,
    createFriendProfileCacheGroup,
    {
      userEvents: {
        // A full snapshot keyed by user_id: written through context.db, so it commits with the
        // processed-event record; a redelivery or an older snapshot changes nothing.
        UserProfileUpdated: async (event, { db }) => {
          await cacheProfile(db, {
            user_id: event.payload.user_id,
            display_name: event.payload.display_name,
            profile_image_url: event.payload.profile_image_url,
            status_message: event.payload.status_message,
            profile_time: event.payload.timestamp,
          });
        },
      },
    },
  );

  return {
    service,
    close: async () => {
      await consumer.stop();
    },
  };
}
