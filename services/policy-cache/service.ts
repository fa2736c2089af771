/**
 * The policy cache (the seed's "policy cache" subscriber of
 * PermissionChanged): users' feature/action permissions in memory, for
 * permission checks that call neither Auth nor a database.
 *
 * - GET /permissions/check?userId=&feature=&action=   scope platform:read
 *       → { allowed, version, source: 'event' | 'read-model' }
 *       400 on a bad query (field paths), 503 when the user is not cached and
 *       the read model cannot answer
 *
 * Consumer group `policy-cache` (PermissionChanged): the event's complete set
 * replaces the cached one when its version is newer (permission-cache.ts);
 * nothing is written to PostgreSQL, so the handler does not touch
 * `context.db` and costs the claim only.
 *
 * After a restart the cache starts empty and fills itself: a user not cached
 * is read through from the read-model-worker (`GET /permissions/:userId` with
 * this service's own `platform:read` token) and re-read after the TTL unless a
 * newer event superseded it. Events consumed since the committed offsets
 * replace what they are newer than. No start-up rebuild, so `/ready` waits
 * only for the consumer group.
 */
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { createPolicyCacheGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { addPermissionCheckRoute } from './check-route.ts';
import { PermissionCache, type PermissionSource } from './permission-cache.ts';

export const POLICY_CACHE_GROUP = 'policy-cache';

export interface PolicyCacheServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Where misses are read through (`httpReadModel`). */
  readonly readModel: PermissionSource;
  readonly readThroughTtlMs?: number;
  readonly eventMaxAgeMs?: number;
  readonly maxEntries?: number;
  /** Runs the `policy-cache` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
  readonly now?: () => number;
}

export interface PolicyCacheService extends BuiltService {
  readonly service: ServiceApp;
  readonly cache: PermissionCache;
}

/** The cache with the service's options; `registry` gets its metrics. */
export function permissionCacheOf(
  options: Pick<
    PolicyCacheServiceOptions,
    'readModel' | 'readThroughTtlMs' | 'eventMaxAgeMs' | 'maxEntries' | 'now'
  >,
  registry: Registry,
): PermissionCache {
  return new PermissionCache({
    source: options.readModel,
    registry,
    ...(options.readThroughTtlMs !== undefined ? { readThroughTtlMs: options.readThroughTtlMs } : {}),
    ...(options.eventMaxAgeMs !== undefined ? { eventMaxAgeMs: options.eventMaxAgeMs } : {}),
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

export function createPolicyCacheService(options: PolicyCacheServiceOptions): PolicyCacheService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'policy-cache',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const cache = permissionCacheOf(options, service.registry);
  addPermissionCheckRoute(service.app, options.authSecret, cache);

  const consumer = startServiceConsumer(service, options, POLICY_CACHE_GROUP, createPolicyCacheGroup, {
    permissionChanged: { PermissionChanged: (event) => void cache.applyEvent(event.payload) },
  });

  return {
    service,
    cache,
    close: async () => {
      await consumer.stop();
    },
  };
}
