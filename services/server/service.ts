/**
 * The platform server's read model (backend/server): users' permissions and
 * the policy bundle revisions in force, in memory, to answer authorization
 * questions without calling Auth or Policy.
 *
 * - GET /permissions/check?userId=&feature=&action=   scope platform:read
 *       → { allowed, version, source: 'event' | 'read-model' }
 *       (the same route and cache as policy-cache: ../policy-cache/permission-cache.ts)
 * - GET /policy/bundles                              scope platform:read
 *       → { at, bundles: [{ bundleId, inForce, pending }] } (the revision in force per
 *       bundle now, and the applications that take over later)
 *       503 until the start-up rebuild is done
 *
 * Consumer group `server`: PermissionChanged replaces a user's cached set
 * when its version is newer; PolicyBundleApplied adds the application to the
 * bundle schedule (../dw-gateway/bundle-schedule.ts: in force = the last
 * application with effectiveAt ≤ now, evaluated when asked). Nothing is
 * written to PostgreSQL.
 *
 * After a restart: permissions start empty and are read through from the
 * read-model-worker on a miss (re-read after the TTL unless a newer event
 * supersedes them); bundles are rebuilt from the policy service
 * (`GET /bundle-applications?from=now`) before `/ready` turns 200, then kept
 * by events.
 */
import type pg from 'pg';
import { createServerGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { BundleSchedule } from '../dw-gateway/bundle-schedule.ts';
import {
  BUNDLE_REBUILD,
  type BundleApplicationSource,
  notRebuiltYet,
  startBundleRebuild,
} from '../dw-gateway/policy-client.ts';
import { addPermissionCheckRoute, PLATFORM_READ } from '../policy-cache/check-route.ts';
import type { PermissionCache, PermissionSource } from '../policy-cache/permission-cache.ts';
import { permissionCacheOf } from '../policy-cache/service.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { queryParams } from '../shared/validate.ts';

export const SERVER_GROUP = 'server';

export interface ServerServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Where permission misses are read through (`httpReadModel`). */
  readonly readModel: PermissionSource;
  /** Where the bundle schedule is rebuilt from at start-up (`httpPolicyService`). */
  readonly policy: BundleApplicationSource;
  readonly readThroughTtlMs?: number;
  readonly eventMaxAgeMs?: number;
  readonly maxEntries?: number;
  /** Runs the `server` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
  /** Epoch ms; tests move it. */
  readonly now?: () => number;
}

export interface ServerService extends BuiltService {
  readonly service: ServiceApp;
  readonly cache: PermissionCache;
  readonly bundles: BundleSchedule;
}

export function createServerService(options: ServerServiceOptions): ServerService {
  const { pool, logger } = options;
  const now = options.now ?? Date.now;
  const service = createServiceApp({
    name: 'server',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const cache = permissionCacheOf(options, service.registry);
  const bundles = new BundleSchedule({ now });
  addPermissionCheckRoute(app, options.authSecret, cache);

  const rebuild = startBundleRebuild(bundles, options.policy, { logger, now });
  service.addConsumer(BUNDLE_REBUILD, rebuild);

  app.get(
    '/policy/bundles',
    requirePrincipal(options.authSecret, PLATFORM_READ),
    queryParams(noQuerySchema),
    (c) => {
      if (!rebuild.done()) throw notRebuiltYet();
      return c.json({ at: new Date(now()).toISOString(), bundles: bundles.view() });
    },
  );

  const consumer = startServiceConsumer(service, options, SERVER_GROUP, createServerGroup, {
    permissionChanged: { PermissionChanged: (event) => void cache.applyEvent(event.payload) },
    policyBundleApplied: { PolicyBundleApplied: (event) => void bundles.apply(event.payload) },
  });

  return {
    service,
    cache,
    bundles,
    close: async () => {
      await rebuild.stop();
      await consumer.stop();
    },
  };
}
