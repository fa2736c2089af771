/**
 * The DW gateway: every data-warehouse query runs under the policy bundle
 * revision in force at that instant, and says which one.
 *
 * - GET  /policy/in-force      scope platform:read
 *        → { at, bundles: [{ bundleId, inForce: { bundleId, gitHash, effectiveAt, occurredAt } | null, pending: [...] }] }
 * - POST /queries              scope platform:read; { bundleId, dataset }
 *        → 201 { query: { queryId, bundleId, dataset, revision: { gitHash, effectiveAt }, principal, ranAt } }
 *        409 when no revision of the bundle is in force (the query does not run)
 * - GET  /queries/:queryId     scope platform:read → { query } (404 unknown)
 * Before the start-up rebuild is done, `/ready` is 503 and both policy routes
 * answer 503 (an incomplete schedule must not decide).
 *
 * The schedule (bundle-schedule.ts) is evaluated at query time: an
 * application with a future effectiveAt takes over exactly then, with no timer
 * and no further event; one arriving out of order (an earlier effectiveAt
 * after a later) never displaces the later once both are past.
 *
 * Consumer group `dw-gateway` (PolicyBundleApplied) adds each application to
 * the in-memory schedule (nothing written: the handler does not touch
 * `context.db`). At start-up the schedule is rebuilt from the policy service
 * (`GET /bundle-applications?from=now`, policy-client.ts) and `/ready` turns
 * 200 once that is done and the group has joined. Each query is recorded in
 * `dw_queries` with the revision it ran under.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createDwGatewayGroup } from '../../generated/index.ts';
import type { ConsumerOptions, EventConsumerFactory } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { startServiceConsumer } from '../shared/consumers.ts';
import { conflict, notFound } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import { BundleSchedule } from './bundle-schedule.ts';
import {
  BUNDLE_REBUILD,
  type BundleApplicationSource,
  notRebuiltYet,
  startBundleRebuild,
} from './policy-client.ts';
import { queryIdParamsSchema, querySchema } from './schemas.ts';

export const DW_GATEWAY_GROUP = 'dw-gateway';

export interface DwGatewayServiceOptions {
  readonly pool: pg.Pool;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  /** Where the schedule is rebuilt from at start-up (`httpPolicyService`). */
  readonly policy: BundleApplicationSource;
  /** Runs the `dw-gateway` consumer group when given. */
  readonly consumers?: EventConsumerFactory;
  readonly consumerOptions?: ConsumerOptions;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
  /** Epoch ms; tests move it. */
  readonly now?: () => number;
}

export interface DwGatewayService extends BuiltService {
  readonly service: ServiceApp;
  readonly schedule: BundleSchedule;
}

interface QueryRow {
  query_id: string;
  bundle_id: string;
  git_hash: string;
  effective_at: Date;
  dataset: string;
  principal: string;
  ran_at: Date;
}

const view = (row: QueryRow) => ({
  queryId: row.query_id,
  bundleId: row.bundle_id,
  dataset: row.dataset,
  revision: { gitHash: row.git_hash, effectiveAt: row.effective_at.toISOString() },
  principal: row.principal,
  ranAt: row.ran_at.toISOString(),
});

export function createDwGatewayService(options: DwGatewayServiceOptions): DwGatewayService {
  const { pool, logger } = options;
  const now = options.now ?? Date.now;
  const service = createServiceApp({
    name: 'dw-gateway',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const schedule = new BundleSchedule({ now });
  const auth = requirePrincipal(options.authSecret, PLATFORM_READ);

  const rebuild = startBundleRebuild(schedule, options.policy, { logger, now });
  service.addConsumer(BUNDLE_REBUILD, rebuild);
  const rebuilt = () => {
    if (!rebuild.done()) throw notRebuiltYet();
  };

  app.get('/policy/in-force', auth, queryParams(noQuerySchema), (c) => {
    rebuilt();
    return c.json({ at: new Date(now()).toISOString(), bundles: schedule.view() });
  });

  app.post('/queries', auth, jsonBody(querySchema), async (c) => {
    rebuilt();
    const body = c.req.valid('json');
    const ranAt = new Date(now());
    const revision = schedule.inForce(body.bundleId, ranAt.getTime());
    if (!revision) {
      throw conflict(`no revision of bundle ${body.bundleId} is in force; the query was not run`, {
        bundleId: body.bundleId,
      });
    }
    const { rows } = await pool.query<QueryRow>(
      `INSERT INTO dw_queries (query_id, bundle_id, git_hash, effective_at, dataset, principal, ran_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING query_id, bundle_id, git_hash, effective_at, dataset, principal, ran_at`,
      [
        randomUUID(),
        body.bundleId,
        revision.gitHash,
        revision.effectiveAt,
        body.dataset,
        c.get('principal').subject,
        ranAt,
      ],
    );
    return c.json({ query: view(rows[0]!) }, 201);
  });

  app.get('/queries/:queryId', auth, pathParams(queryIdParamsSchema), async (c) => {
    const { queryId } = c.req.valid('param');
    const { rows } = await pool.query<QueryRow>(
      `SELECT query_id, bundle_id, git_hash, effective_at, dataset, principal, ran_at
         FROM dw_queries WHERE query_id = $1`,
      [queryId],
    );
    if (!rows[0]) throw notFound(`no query ${queryId}`);
    return c.json({ query: view(rows[0]) });
  });

  const consumer = startServiceConsumer(service, options, DW_GATEWAY_GROUP, createDwGatewayGroup, {
    policyBundleApplied: { PolicyBundleApplied: (event) => void schedule.apply(event.payload) },
  });

  return {
    service,
    schedule,
    close: async () => {
      await rebuild.stop();
      await consumer.stop();
    },
  };
}
