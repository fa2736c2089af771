/**
 * The search indexer: full-text search over chat messages (Search indexer context).
 *
 * - GET /search?q=...&room_id&limit   matching messages of the caller's rooms, best match first
 *
 * search-indexer-group consumes MessageSent from message.events and inserts
 * each message into `indexed_messages` (PostgreSQL full-text search: a
 * generated tsvector column with a GIN index) through `context.db`, so the row
 * commits with the processed-event record. Messages are immutable: an insert
 * keyed by message_id that ignores a conflict makes any redelivery (or a
 * replay of the topic into a fresh group) change nothing.
 *
 * Membership is not known here (MessageSent carries no members and the group
 * receives no room events): every search asks the chat service for the
 * caller's rooms with the caller's own token (rooms.ts) and returns only
 * messages of those rooms. A `room_id` the caller is not a member of is 403.
 */
import type pg from 'pg';
import { createSearchIndexerGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requireAuth } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import { forbidden } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { queryParams } from '../shared/validate.ts';
import type { RoomDirectory } from './rooms.ts';
import { searchQuerySchema } from './schemas.ts';

export const SEARCH_INDEXER_GROUP = 'search-indexer-group';

export interface SearchIndexerOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly rooms: RoomDirectory;
  /** Runs search-indexer-group when given (`createConsumerRuntime({ kafka, pool, deadLetterProducer })`). */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface SearchIndexerService extends BuiltService {
  readonly service: ServiceApp;
}

interface HitRow {
  message_id: string;
  room_id: string;
  user_id: string;
  username: string;
  content: string;
  message_type: string;
  created_at: Date;
  rank: number;
}

export function createSearchIndexerService(options: SearchIndexerOptions): SearchIndexerService {
  const { pool, logger, rooms } = options;
  const service = createServiceApp({
    name: 'search-indexer',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const auth = requireAuth(options.authSecret);

  app.get('/search', auth, queryParams(searchQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const mine = await rooms.roomsOf(c.req.header('authorization') ?? '');
    if (query.room_id !== undefined && !mine.includes(query.room_id))
      throw forbidden('only members of the room may search it');
    const scope = query.room_id !== undefined ? [query.room_id] : mine;
    if (scope.length === 0) return c.json({ results: [] });
    const { rows } = await pool.query<HitRow>(
      `SELECT message_id, room_id, user_id, username, content, message_type, created_at,
              ts_rank(search, q) AS rank
         FROM indexed_messages, websearch_to_tsquery('simple', $1) AS q
        WHERE room_id = ANY($2::bigint[]) AND search @@ q
        ORDER BY rank DESC, created_at DESC, message_id
        LIMIT $3`,
      [query.q, scope, query.limit],
    );
    return c.json({
      results: rows.map((r) => ({
        message_id: r.message_id,
        room_id: Number(r.room_id),
        user_id: Number(r.user_id),
        username: r.username,
        content: r.content,
        message_type: r.message_type,
        created_at: r.created_at.toISOString(),
      })),
    });
  });

  const consumer = startServiceConsumer(service, options, SEARCH_INDEXER_GROUP, createSearchIndexerGroup, {
    messageEvents: {
      // Through context.db: commits with the processed-event record. Messages never change,
      // so a redelivered or replayed MessageSent finds its row and writes nothing.
      MessageSent: async (event, { db }) => {
        const m = event.payload;
        await db.query(
          `INSERT INTO indexed_messages (message_id, room_id, user_id, username, content, message_type, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (message_id) DO NOTHING`,
          [m.message_id, m.room_id, m.user_id, m.username, m.content, m.message_type, m.created_at],
        );
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
