/**
 * The chat service: chat rooms, their members and messages (Chat context).
 *
 * - POST /rooms                      { type: 'direct', user_id } or { type: 'group', name, member_ids } → 201 { room }
 * - GET  /rooms                      the caller's rooms, newest activity first, members with cached profiles
 * - POST /rooms/:id/messages         { content, message_type } → 201 { message } (members only)
 * - GET  /rooms/:id/messages         ?limit&cursor: newest first, `next_cursor` for the older page (members only)
 * - POST /rooms/:id/read             { message_ids } → { read } the ids that became read (members only)
 *
 * A direct room has exactly two members and one pair has at most one direct
 * room (409 with the existing room's id); a group room has a name and at least
 * two members, creator included. Members are checked against the user service
 * (404 for an unknown id). A room that does not exist is 404; a room the
 * caller is not a member of is 403. Every change and its event (ChatRoomCreated
 * on chat.events, MessageSent / MessagesRead on message.events) are committed
 * in one transaction through the schema's outbox.
 *
 * With a consumer runtime, the service also runs chat-profile-cache-group,
 * which keeps `user_profiles` current from UserProfileUpdated (profiles.ts).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { chatEventsOutbox, createChatProfileCacheGroup, messageEventsOutbox } from '../../generated/index.ts';
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
import { cachedProfiles, cacheProfile, resolveProfile, type UserDirectory } from '../shared/profile-cache.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import { senderName } from './profiles.ts';
import {
  createRoomSchema,
  listMessagesQuerySchema,
  markReadSchema,
  roomIdParamsSchema,
  sendMessageSchema,
} from './schemas.ts';

export const PROFILE_CACHE_GROUP = 'chat-profile-cache-group';

export interface ChatServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly users: UserDirectory;
  /** Runs chat-profile-cache-group when given (`createConsumerRuntime({ kafka, pool, deadLetterProducer })`). */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface ChatService extends BuiltService {
  readonly service: ServiceApp;
}

interface RoomRow {
  id: string;
  room_type: 'direct' | 'group';
  name: string | null;
  created_by: string;
  created_at: Date;
}

interface MessageRow {
  id: string;
  seq: string;
  room_id: string;
  user_id: string;
  username: string;
  content: string;
  message_type: 'text' | 'image' | 'file';
  created_at: Date;
}

const MESSAGE_COLUMNS = 'id, seq, room_id, user_id, username, content, message_type, created_at';

function messageView(row: MessageRow) {
  return {
    id: row.id,
    room_id: Number(row.room_id),
    user_id: Number(row.user_id),
    username: row.username,
    content: row.content,
    message_type: row.message_type,
    created_at: row.created_at.toISOString(),
  };
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** 404 when the room does not exist, 403 when the caller is not a member. */
async function requireMember(db: Queryable, roomId: number, userId: number): Promise<void> {
  const { rows } = await db.query<{ member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM room_members WHERE room_id = r.id AND user_id = $2) AS member
       FROM chat_rooms r WHERE r.id = $1`,
    [roomId, userId],
  );
  const row = rows[0];
  if (!row) throw notFound(`no room ${roomId}`);
  if (!row.member) throw forbidden('only members of the room may do this');
}

export function createChatService(options: ChatServiceOptions): ChatService {
  const { pool, logger, users } = options;
  const service = createServiceApp({
    name: 'chat',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const writer = createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions });
  const chatEvents = chatEventsOutbox(writer);
  const messageEvents = messageEventsOutbox(writer);
  const auth = requireAuth(options.authSecret);

  app.post('/rooms', auth, jsonBody(createRoomSchema), async (c) => {
    const body = c.req.valid('json');
    const me = c.get('userId');
    const authorization = c.req.header('authorization') ?? '';
    const invited = body.type === 'direct' ? [body.user_id] : body.member_ids;
    const self = invited.indexOf(me);
    if (self >= 0) {
      const path = body.type === 'direct' ? '/body/user_id' : `/body/member_ids/${self}`;
      throw validationError([{ path, message: 'must not be yourself: the creator is a member already' }]);
    }
    // Every invited user must exist (cache, else the user service); no transaction is held open meanwhile.
    const unknown: number[] = [];
    for (const userId of invited) {
      if (!(await resolveProfile(pool, users, userId, authorization))) unknown.push(userId);
    }
    if (unknown.length > 0) throw notFound(`no user ${unknown.join(', ')}`);

    const memberIds = [me, ...invited];
    const [low, high] = me < invited[0]! ? [me, invited[0]!] : [invited[0]!, me];
    try {
      const room = await withTransaction(pool, async (db) => {
        const inserted = await db.query<RoomRow>(
          `INSERT INTO chat_rooms (room_type, name, created_by, direct_low, direct_high)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING id, room_type, name, created_by, created_at`,
          body.type === 'direct'
            ? ['direct', null, me, low, high]
            : ['group', body.name.trim(), me, null, null],
        );
        const row = inserted.rows[0]!;
        await db.query(
          `INSERT INTO room_members (room_id, user_id, joined_at)
           SELECT $1, m, $3 FROM unnest($2::bigint[]) AS m`,
          [row.id, memberIds, row.created_at],
        );
        await chatEvents.write(db, {
          type: 'ChatRoomCreated',
          payload: {
            room_id: Number(row.id),
            user_1_id: me,
            user_2_id: invited[0]!,
            room_type: row.room_type,
            member_ids: memberIds,
            room_name: row.name,
            timestamp: row.created_at.toISOString(),
          },
        });
        return row;
      });
      return c.json(
        {
          room: {
            id: Number(room.id),
            room_type: room.room_type,
            name: room.name,
            created_by: me,
            member_ids: memberIds,
            created_at: room.created_at.toISOString(),
          },
        },
        201,
      );
    } catch (err) {
      if (uniqueViolation(err) === 'chat_rooms_direct_pair') {
        const existing = await pool.query<{ id: string }>(
          `SELECT id FROM chat_rooms WHERE room_type = 'direct' AND direct_low = $1 AND direct_high = $2`,
          [low, high],
        );
        throw conflict('a direct room between these users exists already', {
          room_id: Number(existing.rows[0]?.id),
        });
      }
      throw err;
    }
  });

  app.get('/rooms', auth, async (c) => {
    const me = c.get('userId');
    const { rows } = await pool.query<
      RoomRow & {
        member_ids: string[];
        last_id: string | null;
        last_user_id: string | null;
        last_username: string | null;
        last_content: string | null;
        last_type: string | null;
        last_at: Date | null;
      }
    >(
      `SELECT r.id, r.room_type, r.name, r.created_by, r.created_at,
              (SELECT array_agg(x.user_id ORDER BY x.joined_at, x.user_id)
                 FROM room_members x WHERE x.room_id = r.id) AS member_ids,
              l.id AS last_id, l.user_id AS last_user_id, l.username AS last_username,
              l.content AS last_content, l.message_type AS last_type, l.created_at AS last_at
         FROM room_members m
         JOIN chat_rooms r ON r.id = m.room_id
         LEFT JOIN LATERAL (
           SELECT id, user_id, username, content, message_type, created_at
             FROM messages WHERE room_id = r.id ORDER BY seq DESC LIMIT 1
         ) l ON true
        WHERE m.user_id = $1
        ORDER BY COALESCE(l.created_at, r.created_at) DESC, r.id DESC`,
      [me],
    );
    const everyone = [...new Set(rows.flatMap((r) => r.member_ids.map(Number)))];
    const profiles = await cachedProfiles(pool, everyone);
    return c.json({
      rooms: rows.map((r) => ({
        id: Number(r.id),
        room_type: r.room_type,
        name: r.name,
        created_by: Number(r.created_by),
        created_at: r.created_at.toISOString(),
        members: r.member_ids.map(Number).map((userId) => ({
          user_id: userId,
          display_name: profiles.get(userId)?.display_name ?? null,
          profile_image_url: profiles.get(userId)?.profile_image_url ?? null,
        })),
        last_message:
          r.last_id === null
            ? null
            : {
                id: r.last_id,
                user_id: Number(r.last_user_id),
                username: r.last_username,
                content: r.last_content,
                message_type: r.last_type,
                created_at: r.last_at?.toISOString() ?? null,
              },
      })),
    });
  });

  app.post(
    '/rooms/:id/messages',
    auth,
    pathParams(roomIdParamsSchema),
    jsonBody(sendMessageSchema),
    async (c) => {
      const params = c.req.valid('param');
      const body = c.req.valid('json');
      const me = c.get('userId');
      await requireMember(pool, params.id, me);
      const username = await senderName(pool, users, me, c.req.header('authorization') ?? '');
      const message = await withTransaction(pool, async (db) => {
        await requireMember(db, params.id, me);
        const inserted = await db.query<MessageRow>(
          `INSERT INTO messages (id, room_id, user_id, username, content, message_type)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${MESSAGE_COLUMNS}`,
          [randomUUID(), params.id, me, username, body.content, body.message_type],
        );
        const row = inserted.rows[0]!;
        await messageEvents.write(db, {
          type: 'MessageSent',
          payload: {
            message_id: row.id,
            room_id: Number(row.room_id),
            user_id: me,
            username: row.username,
            content: row.content,
            message_type: row.message_type,
            created_at: row.created_at.toISOString(),
          },
        });
        return row;
      });
      return c.json({ message: messageView(message) }, 201);
    },
  );

  app.get(
    '/rooms/:id/messages',
    auth,
    pathParams(roomIdParamsSchema),
    queryParams(listMessagesQuerySchema),
    async (c) => {
      const params = c.req.valid('param');
      const query = c.req.valid('query');
      const me = c.get('userId');
      await requireMember(pool, params.id, me);
      const { rows } = await pool.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
          WHERE room_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
          ORDER BY seq DESC LIMIT $3`,
        [params.id, query.cursor ?? null, query.limit + 1],
      );
      const page = rows.slice(0, query.limit);
      const more = rows.length > query.limit;
      return c.json({
        messages: page.map(messageView),
        next_cursor: more ? (page.at(-1)?.seq ?? null) : null,
      });
    },
  );

  app.post('/rooms/:id/read', auth, pathParams(roomIdParamsSchema), jsonBody(markReadSchema), async (c) => {
    const params = c.req.valid('param');
    const body = c.req.valid('json');
    const me = c.get('userId');
    const read = await withTransaction(pool, async (db) => {
      await requireMember(db, params.id, me);
      const found = await db.query<{ id: string }>(
        'SELECT id FROM messages WHERE room_id = $1 AND id = ANY($2::uuid[])',
        [params.id, body.message_ids],
      );
      const inRoom = new Set(found.rows.map((r) => r.id));
      const foreign = body.message_ids.flatMap((messageId, i) =>
        inRoom.has(messageId.toLowerCase())
          ? []
          : [{ path: `/body/message_ids/${i}`, message: 'is not a message of this room' }],
      );
      if (foreign.length > 0) throw validationError(foreign);
      // One's own messages are not "read"; a message read before is not read again.
      const inserted = await db.query<{ message_id: string }>(
        `INSERT INTO message_reads (message_id, user_id)
           SELECT id, $2 FROM messages WHERE room_id = $1 AND id = ANY($3::uuid[]) AND user_id <> $2
           ON CONFLICT DO NOTHING RETURNING message_id`,
        [params.id, me, body.message_ids],
      );
      const fresh = new Set(inserted.rows.map((r) => r.message_id));
      const ids = [...new Set(body.message_ids.map((m) => m.toLowerCase()))].filter((m) => fresh.has(m));
      if (ids.length > 0) {
        await messageEvents.write(db, {
          type: 'MessagesRead',
          payload: {
            room_id: params.id,
            user_id: me,
            message_ids: ids,
            timestamp: new Date().toISOString(),
          },
        });
      }
      return ids;
    });
    return c.json({ read });
  });

  const consumer = startServiceConsumer(service, options, PROFILE_CACHE_GROUP, createChatProfileCacheGroup, {
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
  });

  return {
    service,
    close: async () => {
      await consumer.stop();
    },
  };
}
