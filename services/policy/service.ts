/**
 * The policy service (platform Policy module, `backend/policy`): policy
 * bundle revisions and their applications, published as PolicyBundleApplied.
 *
 * - POST /bundles                                policy:write  { bundleId, gitHash, description? }
 *        → 201 { revision } (new), 200 { revision } (the same revision again); 409 when it is
 *          registered with another description (revisions are immutable)
 * - GET  /bundles                                platform:read → { bundles: [{ bundleId, createdAt, inForce }] }
 * - GET  /bundles/:bundleId                      platform:read → { bundle: { bundleId, createdAt, revisions, applications, inForce } }
 * - POST /bundles/:bundleId/applications         policy:write  { gitHash, effectiveAt? }
 *        → 201 { application, changed: true } and PolicyBundleApplied;
 *          200 { application, changed: false } when that revision is already in force at effectiveAt
 *          (nothing written); 404 unknown bundle; 409 revision not registered for the bundle
 * - GET  /bundles/:bundleId/in-force?at=         platform:read → { bundleId, at, application | null }
 * - GET  /bundle-applications?from=              platform:read → { from, bundles: [{ bundleId, inForce, scheduled }] }
 *        what a subscriber (dw-gateway, server) needs to rebuild its state after a restart: per
 *        bundle, the application in force at `from` and every one that comes into force later.
 *
 * **In force.** For a bundle at time t: the application with the latest
 * `effectiveAt` ≤ t; of several with the same `effectiveAt`, the later
 * applied. An application scheduled for later does not end the one in force
 * before its `effectiveAt`.
 *
 * **Effective time.** `effectiveAt` absent means now. One in the past (before
 * the request's transaction began) is refused with 400, never clamped: a
 * caller asking for "earlier" must not silently get "now"; omit it for now.
 * At most one year ahead (400 beyond). When waiting for the bundle's lock
 * carried the application's own time past the requested `effectiveAt`, it is
 * raised to that time, so `effectiveAt` ≥ `occurredAt` always holds (as the
 * contract says). Times are normalized to UTC with millisecond precision
 * (what `toISOString` and the events carry); finer digits are cut.
 *
 * Applications of one bundle are serialized by a lock on its `bundles` row:
 * their ids, applied times and outbox rows (and so the relay's order per key
 * `bundleId`) agree.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { policyBundleAppliedOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { conflict, notFound, validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import {
  applySchema,
  bundleParamsSchema,
  inForceQuerySchema,
  registerSchema,
  timelineQuerySchema,
} from './schemas.ts';

export const READ_SCOPE = 'platform:read';
export const WRITE_SCOPE = 'policy:write';
/** How far ahead an application may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;

export interface PolicyServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface PolicyService extends BuiltService {
  readonly service: ServiceApp;
}

export interface Revision {
  bundleId: string;
  gitHash: string;
  description: string | null;
  registeredAt: string;
  registeredBy: string;
}

export interface Application {
  applicationId: number;
  bundleId: string;
  gitHash: string;
  effectiveAt: string;
  appliedAt: string;
  appliedBy: string;
  /** ce_id of its PolicyBundleApplied event. */
  eventId: string;
}

interface RevisionRow {
  bundle_id: string;
  git_hash: string;
  description: string | null;
  registered_at: Date;
  registered_by: string;
}

interface ApplicationRow {
  id: string;
  bundle_id: string;
  git_hash: string;
  effective_at: Date;
  applied_at: Date;
  applied_by: string;
  event_id: string;
}

const REVISION_COLUMNS = 'bundle_id, git_hash, description, registered_at, registered_by';
const APPLICATION_COLUMNS = 'id, bundle_id, git_hash, effective_at, applied_at, applied_by, event_id';

const revisionView = (r: RevisionRow): Revision => ({
  bundleId: r.bundle_id,
  gitHash: r.git_hash,
  description: r.description,
  registeredAt: r.registered_at.toISOString(),
  registeredBy: r.registered_by,
});

const applicationView = (r: ApplicationRow): Application => ({
  applicationId: Number(r.id),
  bundleId: r.bundle_id,
  gitHash: r.git_hash,
  effectiveAt: r.effective_at.toISOString(),
  appliedAt: r.applied_at.toISOString(),
  appliedBy: r.applied_by,
  eventId: r.event_id,
});

/** An RFC 3339 value (already checked by the schema) as an instant with millisecond precision. */
const instant = (value: string): Date => new Date(value);

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The application of `bundleId` in force at `at`, if any (the rule in the header). */
async function inForceAt(db: Queryable, bundleId: string, at: Date): Promise<ApplicationRow | undefined> {
  const { rows } = await db.query<ApplicationRow>(
    `SELECT ${APPLICATION_COLUMNS} FROM bundle_applications
      WHERE bundle_id = $1 AND effective_at <= $2
      ORDER BY effective_at DESC, id DESC LIMIT 1`,
    [bundleId, at],
  );
  return rows[0];
}

/** The application in force at `at` of every bundle that has one. */
async function inForceOfEveryBundle(db: Queryable, at: Date): Promise<Map<string, ApplicationRow>> {
  const { rows } = await db.query<ApplicationRow>(
    `SELECT DISTINCT ON (bundle_id) ${APPLICATION_COLUMNS} FROM bundle_applications
      WHERE effective_at <= $1
      ORDER BY bundle_id, effective_at DESC, id DESC`,
    [at],
  );
  return new Map(rows.map((r) => [r.bundle_id, r]));
}

export function createPolicyService(options: PolicyServiceOptions): PolicyService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'policy',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const bundleEvents = policyBundleAppliedOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const read = requirePrincipal(options.authSecret, READ_SCOPE);
  const write = requirePrincipal(options.authSecret, WRITE_SCOPE);

  app.post('/bundles', write, jsonBody(registerSchema), async (c) => {
    const body = c.req.valid('json');
    const by = c.get('principal').subject;
    const description = body.description ?? null;
    const { revision, created } = await withTransaction(pool, async (db) => {
      await db.query(
        `INSERT INTO bundles (bundle_id, created_at) VALUES ($1, date_trunc('milliseconds', clock_timestamp()))
         ON CONFLICT (bundle_id) DO NOTHING`,
        [body.bundleId],
      );
      const inserted = await db.query<RevisionRow>(
        `INSERT INTO bundle_revisions (bundle_id, git_hash, description, registered_at, registered_by)
         VALUES ($1, $2, $3, date_trunc('milliseconds', clock_timestamp()), $4)
         ON CONFLICT (bundle_id, git_hash) DO NOTHING
         RETURNING ${REVISION_COLUMNS}`,
        [body.bundleId, body.gitHash, description, by],
      );
      if (inserted.rows[0]) return { revision: inserted.rows[0], created: true };
      const existing = await db.query<RevisionRow>(
        `SELECT ${REVISION_COLUMNS} FROM bundle_revisions WHERE bundle_id = $1 AND git_hash = $2`,
        [body.bundleId, body.gitHash],
      );
      return { revision: existing.rows[0]!, created: false };
    });
    if (!created && revision.description !== description) {
      throw conflict(
        `revision ${body.gitHash} of bundle ${body.bundleId} is already registered with another description; revisions are immutable`,
        { revision: revisionView(revision) },
      );
    }
    return c.json({ revision: revisionView(revision) }, created ? 201 : 200);
  });

  app.get('/bundles', read, queryParams(noQuerySchema), async (c) => {
    const now = new Date();
    const [bundles, inForce] = await Promise.all([
      pool.query<{ bundle_id: string; created_at: Date }>(
        'SELECT bundle_id, created_at FROM bundles ORDER BY bundle_id',
      ),
      inForceOfEveryBundle(pool, now),
    ]);
    return c.json({
      bundles: bundles.rows.map((r) => {
        const current = inForce.get(r.bundle_id);
        return {
          bundleId: r.bundle_id,
          createdAt: r.created_at.toISOString(),
          inForce: current ? applicationView(current) : null,
        };
      }),
    });
  });

  app.get(
    '/bundles/:bundleId',
    read,
    pathParams(bundleParamsSchema),
    queryParams(noQuerySchema),
    async (c) => {
      const { bundleId } = c.req.valid('param');
      // One snapshot for the bundle, its revisions and its applications.
      const bundle = await withTransaction(pool, async (db) => {
        await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const found = await db.query<{ created_at: Date }>(
          'SELECT created_at FROM bundles WHERE bundle_id = $1',
          [bundleId],
        );
        const row = found.rows[0];
        if (!row) throw notFound(`no bundle ${bundleId}`);
        const revisions = await db.query<RevisionRow>(
          `SELECT ${REVISION_COLUMNS} FROM bundle_revisions WHERE bundle_id = $1 ORDER BY registered_at, git_hash`,
          [bundleId],
        );
        const applications = await db.query<ApplicationRow>(
          `SELECT ${APPLICATION_COLUMNS} FROM bundle_applications WHERE bundle_id = $1 ORDER BY id`,
          [bundleId],
        );
        const inForce = await inForceAt(db, bundleId, new Date());
        return {
          bundleId,
          createdAt: row.created_at.toISOString(),
          revisions: revisions.rows.map(revisionView),
          applications: applications.rows.map(applicationView),
          inForce: inForce ? applicationView(inForce) : null,
        };
      });
      return c.json({ bundle });
    },
  );

  app.post(
    '/bundles/:bundleId/applications',
    write,
    pathParams(bundleParamsSchema),
    jsonBody(applySchema),
    async (c) => {
      const { bundleId } = c.req.valid('param');
      const body = c.req.valid('json');
      const by = c.get('principal').subject;
      const requested = body.effectiveAt === undefined ? undefined : instant(body.effectiveAt);
      const outcome = await withTransaction(pool, async (db) => {
        const locked = await db.query('SELECT 1 FROM bundles WHERE bundle_id = $1 FOR UPDATE', [bundleId]);
        if (locked.rowCount === 0) throw notFound(`no bundle ${bundleId}`);
        const revision = await db.query(
          'SELECT 1 FROM bundle_revisions WHERE bundle_id = $1 AND git_hash = $2',
          [bundleId, body.gitHash],
        );
        if (revision.rowCount === 0) {
          throw conflict(
            `revision ${body.gitHash} is not registered for bundle ${bundleId}; register it with POST /bundles first`,
          );
        }
        // `began`: when this request's transaction started (before any lock wait); `now`: after the lock.
        const clock = await db.query<{ began: Date; now: Date }>(
          `SELECT date_trunc('milliseconds', now()) AS began, date_trunc('milliseconds', clock_timestamp()) AS now`,
        );
        const { began, now } = clock.rows[0]!;
        if (requested && requested < began) {
          throw validationError([
            {
              path: '/body/effectiveAt',
              message: `must not be in the past (it is ${began.toISOString()}); omit it to apply now`,
            },
          ]);
        }
        if (requested && requested.getTime() > began.getTime() + MAX_SCHEDULE_AHEAD_MS) {
          throw validationError([{ path: '/body/effectiveAt', message: 'must be at most one year ahead' }]);
        }
        const effectiveAt = requested && requested > now ? requested : now;
        const current = await inForceAt(db, bundleId, effectiveAt);
        if (current?.git_hash === body.gitHash) return { changed: false as const, row: current };

        const eventId = randomUUID();
        const inserted = await db.query<ApplicationRow>(
          `INSERT INTO bundle_applications (bundle_id, git_hash, effective_at, applied_at, applied_by, event_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING ${APPLICATION_COLUMNS}`,
          [bundleId, body.gitHash, effectiveAt, now, by, eventId],
        );
        await bundleEvents.write(
          db,
          {
            type: 'PolicyBundleApplied',
            payload: {
              bundleId,
              gitHash: body.gitHash,
              effectiveAt: effectiveAt.toISOString(),
              occurredAt: now.toISOString(),
            },
          },
          { id: eventId, time: now },
        );
        return { changed: true as const, row: inserted.rows[0]! };
      });
      return c.json(
        { application: applicationView(outcome.row), changed: outcome.changed },
        outcome.changed ? 201 : 200,
      );
    },
  );

  app.get(
    '/bundles/:bundleId/in-force',
    read,
    pathParams(bundleParamsSchema),
    queryParams(inForceQuerySchema),
    async (c) => {
      const { bundleId } = c.req.valid('param');
      const { at } = c.req.valid('query');
      const when = at === undefined ? new Date() : instant(at);
      // Bundles are never deleted: once found, the second read cannot contradict the first.
      const found = await pool.query('SELECT 1 FROM bundles WHERE bundle_id = $1', [bundleId]);
      if (found.rowCount === 0) throw notFound(`no bundle ${bundleId}`);
      const row = await inForceAt(pool, bundleId, when);
      return c.json({ bundleId, at: when.toISOString(), application: row ? applicationView(row) : null });
    },
  );

  app.get('/bundle-applications', read, queryParams(timelineQuerySchema), async (c) => {
    const { from } = c.req.valid('query');
    const fromAt = from === undefined ? new Date() : instant(from);
    // One statement, one snapshot: per bundle the application in force at `from`, then for each
    // later effective time the application that wins it (the later applied of equal times).
    const { rows } = await pool.query<ApplicationRow & { kind: 'in_force' | 'scheduled' }>(
      `WITH t AS (SELECT $1::timestamptz AS from_at),
       in_force AS (
         SELECT DISTINCT ON (a.bundle_id) 'in_force' AS kind, a.*
           FROM bundle_applications a, t WHERE a.effective_at <= t.from_at
          ORDER BY a.bundle_id, a.effective_at DESC, a.id DESC
       ), scheduled AS (
         SELECT DISTINCT ON (a.bundle_id, a.effective_at) 'scheduled' AS kind, a.*
           FROM bundle_applications a, t WHERE a.effective_at > t.from_at
          ORDER BY a.bundle_id, a.effective_at, a.id DESC
       )
       SELECT u.kind, u.id, u.bundle_id, u.git_hash, u.effective_at, u.applied_at, u.applied_by, u.event_id
         FROM (SELECT * FROM in_force UNION ALL SELECT * FROM scheduled) u
        ORDER BY u.bundle_id, u.effective_at, u.id`,
      [fromAt],
    );
    const bundles = new Map<
      string,
      { bundleId: string; inForce: Application | null; scheduled: Application[] }
    >();
    for (const row of rows) {
      const entry = bundles.get(row.bundle_id) ?? { bundleId: row.bundle_id, inForce: null, scheduled: [] };
      bundles.set(row.bundle_id, entry);
      if (row.kind === 'in_force') entry.inForce = applicationView(row);
      else entry.scheduled.push(applicationView(row));
    }
    return c.json({ from: fromAt.toISOString(), bundles: [...bundles.values()] });
  });

  return { service, close: async () => {} };
}
