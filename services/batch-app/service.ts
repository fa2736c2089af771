/**
 * The batch application: what follows a data-warehouse batch run.
 *
 * Every route needs scope platform:read.
 * - GET /jobs?batchId&status&kind&limit&cursor
 *       → { jobs: [{ jobId, batchId, runOccurredAt, kind, status, orgRange, sourceEventId, createdAt }], nextCursor }
 * - GET /failed-batches?batchId&limit&cursor
 *       → { failedBatches: [{ failureId, batchId, runOccurredAt, orgRange, sourceEventId, recordedAt,
 *           resolvedByRunAt }], nextCursor }
 * Pages in id order, 1–1000 items (default 100); `cursor` is the previous page's `nextCursor`.
 *
 * Consumer group `batch-app` (DwBatchCompleted), written through
 * `context.db`: SUCCEEDED schedules a `full-follow-up` job, PARTIALLY_SUCCEEDED
 * a `partial-retry` job, FAILED is recorded in `failed_batches` (jobs.ts).
 * One row per batch run, the run being (batchId, occurredAt): redelivery, a
 * replay into a fresh group and the same run under another ce_id add nothing;
 * a rerun (same batchId, later occurredAt) is a run of its own. A failed run
 * shows `resolvedByRunAt` once a later run of the batch got a job.
 */
import type pg from 'pg';
import { createBatchAppGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BuiltService } from '../shared/server.ts';
import { queryParams } from '../shared/validate.ts';
import { failedBatchesPage, handleBatchCompleted, jobsPage } from './jobs.ts';
import { failedBatchesQuerySchema, jobsQuerySchema } from './schemas.ts';

export const BATCH_APP_GROUP = 'batch-app';

export interface BatchAppServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Runs the `batch-app` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface BatchAppService extends BuiltService {
  readonly service: ServiceApp;
}

const nextCursor = (ids: readonly number[], limit: number): number | null =>
  ids.length === limit ? (ids.at(-1) ?? null) : null;

export function createBatchAppService(options: BatchAppServiceOptions): BatchAppService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'batch-app',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const auth = requirePrincipal(options.authSecret, PLATFORM_READ);

  app.get('/jobs', auth, queryParams(jobsQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const jobs = await jobsPage(pool, {
      batchId: query.batchId,
      status: query.status,
      kind: query.kind,
      after: query.cursor,
      limit: query.limit,
    });
    return c.json({
      jobs,
      nextCursor: nextCursor(
        jobs.map((j) => j.jobId),
        query.limit,
      ),
    });
  });

  app.get('/failed-batches', auth, queryParams(failedBatchesQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const failedBatches = await failedBatchesPage(pool, {
      batchId: query.batchId,
      after: query.cursor,
      limit: query.limit,
    });
    return c.json({
      failedBatches,
      nextCursor: nextCursor(
        failedBatches.map((f) => f.failureId),
        query.limit,
      ),
    });
  });

  const consumer = startServiceConsumer(service, options, BATCH_APP_GROUP, createBatchAppGroup, {
    dwBatchCompleted: {
      DwBatchCompleted: async (event, { db }) => {
        await handleBatchCompleted(db, event);
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
