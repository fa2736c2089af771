/**
 * The read-model-worker: the platform's read models in PostgreSQL, kept by
 * events, for reads that must not call the owning modules (and for the
 * permission caches' read-through and rebuilds).
 *
 * Every route needs scope platform:read.
 * - GET /permissions/:userId   → { userId, version, permissions, occurredAt, updatedAt } (404 unknown)
 * - GET /permissions?cursor&limit
 *       → { permissions: [same shape], nextCursor } in user id order (byte order), 1–1000 per page
 *       (default 100). Each row carries its version: a cache rebuilt from the pages merges
 *       them with the events it consumes meanwhile by keeping the higher version.
 * - GET /batches/:batchId      → { batchId, orgRange: { from, to }, status, occurredAt, updatedAt } (404)
 * - GET /batches?status&orgCode&limit&cursor
 *       → { batches, nextCursor }; orgCode keeps the batches whose orgRange covers it
 *       (from ≤ orgCode ≤ to, compared as strings in byte order)
 * - GET /bundles/:bundleId     → { bundleId, inForce, applications: [{ gitHash, effectiveAt, occurredAt, receivedAt }] } (404)
 *
 * Consumer group `read-model-worker`, every write through `context.db` (it
 * commits with the idempotency claim):
 * - PermissionChanged: the user's row is replaced only when the event's
 *   version is higher (permissions.ts) — the version guard, not the claim,
 *   decides between two different events of one user;
 * - DwBatchCompleted: the batch's row is replaced only by a later run
 *   (occurredAt, then ce_time; batches.ts);
 * - PolicyBundleApplied: the application is recorded once (bundles.ts).
 * A replay of the topics into a fresh group therefore changes nothing.
 */
import type pg from 'pg';
import { createReadModelWorkerGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import { notFound } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { pathParams, queryParams } from '../shared/validate.ts';
import { applyBatchCompleted, batch, batchesPage } from './batches.ts';
import { bundle, recordBundleApplication } from './bundles.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { applyPermissionChanged, permissionsPage, userPermissions } from './permissions.ts';
import {
  batchesQuerySchema,
  batchIdParamsSchema,
  bundleIdParamsSchema,
  pageQuerySchema,
  userIdParamsSchema,
} from './schemas.ts';

export const READ_MODEL_WORKER_GROUP = 'read-model-worker';

export interface ReadModelWorkerServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Runs the `read-model-worker` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface ReadModelWorkerService extends BuiltService {
  readonly service: ServiceApp;
}

/** The next page's cursor: the last key when the page is full. */
function nextCursor<T>(items: readonly T[], limit: number, key: (item: T) => string): string | null {
  const last = items.at(-1);
  return items.length === limit && last !== undefined ? encodeCursor(key(last)) : null;
}

export function createReadModelWorkerService(options: ReadModelWorkerServiceOptions): ReadModelWorkerService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'read-model-worker',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const auth = requirePrincipal(options.authSecret, PLATFORM_READ);

  app.get('/permissions', auth, queryParams(pageQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const permissions = await permissionsPage(pool, after, query.limit);
    return c.json({ permissions, nextCursor: nextCursor(permissions, query.limit, (p) => p.userId) });
  });

  app.get('/permissions/:userId', auth, pathParams(userIdParamsSchema), async (c) => {
    const { userId } = c.req.valid('param');
    const found = await userPermissions(pool, userId);
    if (!found) throw notFound(`no permissions known for user ${userId}`);
    return c.json(found);
  });

  app.get('/batches', auth, queryParams(batchesQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const batches = await batchesPage(pool, {
      status: query.status,
      orgCode: query.orgCode,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit,
    });
    return c.json({ batches, nextCursor: nextCursor(batches, query.limit, (b) => b.batchId) });
  });

  app.get('/batches/:batchId', auth, pathParams(batchIdParamsSchema), async (c) => {
    const { batchId } = c.req.valid('param');
    const found = await batch(pool, batchId);
    if (!found) throw notFound(`no batch ${batchId}`);
    return c.json(found);
  });

  app.get('/bundles/:bundleId', auth, pathParams(bundleIdParamsSchema), async (c) => {
    const { bundleId } = c.req.valid('param');
    const found = await bundle(pool, bundleId);
    if (!found) throw notFound(`no application of bundle ${bundleId} seen`);
    return c.json(found);
  });

  const consumer = startServiceConsumer(
    service,
    options,
    READ_MODEL_WORKER_GROUP,
    createReadModelWorkerGroup,
    {
      permissionChanged: {
        PermissionChanged: async (event, { db }) => {
          await applyPermissionChanged(db, event);
        },
      },
      dwBatchCompleted: {
        DwBatchCompleted: async (event, { db }) => {
          await applyBatchCompleted(db, event);
        },
      },
      policyBundleApplied: {
        PolicyBundleApplied: async (event, { db }) => {
          await recordBundleApplication(db, event);
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
