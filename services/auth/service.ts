/**
 * The auth service (platform Auth module, `backend/auth`): users'
 * feature/action permissions, published as PermissionChanged.
 *
 * - GET  /users/:userId/permissions              platform:read
 *        → { userId, version, permissions: [{ feature, actions }], updatedAt }
 * - POST /users/:userId/permissions/grants       permissions:write  { feature, actions: [..] }
 * - POST /users/:userId/permissions/revocations  permissions:write  { feature, actions?: [..] } (no actions: the whole feature)
 * - PUT  /users/:userId/permissions              permissions:write  { permissions: [{ feature, actions }] } (the whole set: a role change, [] for a leaver)
 *   Each write answers 200 { userId, version, changed, permissions, updatedAt }.
 *
 * Every change bumps the user's version by one and writes PermissionChanged
 * (the complete set after the change, features and actions sorted by name,
 * and that version) into the schema's outbox in the same transaction. A
 * request that changes nothing (granting what is held, revoking what is not)
 * writes nothing: 200 with `changed: false` and the unchanged version. A user
 * nobody ever changed has version 0 and no permission (auth does not keep a
 * user directory: ids come from the identity provider).
 *
 * Changes of one user are serialized by a row lock on the user's
 * `permission_sets` row, taken before the set is read, so versions are
 * consecutive and the outbox rows of one user are inserted (and published by
 * the relay, which keeps id order per key) in version order.
 *
 * Limits: at most 200 features per user, 20 actions per feature (400 naming
 * the field, nothing written).
 */
import type pg from 'pg';
import { permissionChangedOutbox } from '../../generated/index.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import type { SchemaVersionPins } from '../../runtime/produce/schema-versions.ts';
import { createServiceApp, type ServiceApp } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { withTransaction } from '../shared/db.ts';
import { validationError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import { noQuerySchema } from '../shared/schemas.ts';
import type { BuiltService } from '../shared/server.ts';
import { jsonBody, pathParams, queryParams } from '../shared/validate.ts';
import {
  applyChange,
  duplicateFeatureErrors,
  type FeaturePermission,
  limitErrors,
  type PermissionChange,
  type PermissionSet,
  pairsMissingFrom,
  sameSet,
  setFromRows,
  sortedPermissions,
} from './permissions.ts';
import { grantSchema, replacementSchema, revocationSchema, userParamsSchema } from './schemas.ts';

export const READ_SCOPE = 'platform:read';
export const WRITE_SCOPE = 'permissions:write';

export interface AuthServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Events to publish in an earlier major version during a migration window (`EVENT_SCHEMA_VERSIONS`, ServiceConfig). */
  readonly schemaVersions?: SchemaVersionPins;
  readonly logger: ServiceLogger;
  readonly authSecret: string;
  readonly runtimeMetrics?: RuntimeMetrics;
  readonly defaultMetrics?: boolean;
}

export interface AuthService extends BuiltService {
  readonly service: ServiceApp;
}

/** A user's permissions as the API answers them. */
export interface UserPermissions {
  userId: string;
  version: number;
  permissions: FeaturePermission[];
  /** When the last change was made (the event's occurredAt); null for version 0. */
  updatedAt: string | null;
}

export interface PermissionChangeResult extends UserPermissions {
  /** False when the request changed nothing (no version bump, no event). */
  changed: boolean;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

async function readGrants(db: Queryable, userId: string): Promise<PermissionSet> {
  const { rows } = await db.query<{ feature: string; action: string }>(
    'SELECT feature, action FROM permission_grants WHERE user_id = $1',
    [userId],
  );
  return setFromRows(rows);
}

interface VersionRow {
  readonly version: number;
  readonly updatedAt: Date | null;
}

/** The user's version row, locked until the transaction ends; undefined when the user has none (version 0). */
async function lockedVersion(db: Queryable, userId: string): Promise<VersionRow | undefined> {
  const { rows } = await db.query<{ version: string; updated_at: Date | null }>(
    'SELECT version, updated_at FROM permission_sets WHERE user_id = $1 FOR UPDATE',
    [userId],
  );
  const row = rows[0];
  return row && { version: Number(row.version), updatedAt: row.updated_at };
}

/**
 * Creates the user's version row (version 0) and returns it locked. When a
 * concurrent first change of the same user inserted it first, ON CONFLICT
 * waits for that transaction, and the committed row is locked instead.
 */
async function createVersion(db: Queryable, userId: string): Promise<VersionRow> {
  const created = await db.query(
    'INSERT INTO permission_sets (user_id, version) VALUES ($1, 0) ON CONFLICT (user_id) DO NOTHING',
    [userId],
  );
  if (created.rowCount === 1) return { version: 0, updatedAt: null };
  const row = await lockedVersion(db, userId);
  if (!row)
    throw new Error(`auth: the permission_sets row of ${JSON.stringify(userId)} vanished while locking it`);
  return row;
}

const EMPTY: PermissionSet = new Map();

export function createAuthService(options: AuthServiceOptions): AuthService {
  const { pool, logger } = options;
  const service = createServiceApp({
    name: 'auth',
    logger,
    pool,
    runtimeMetrics: options.runtimeMetrics,
    defaultMetrics: options.defaultMetrics,
  });
  const { app } = service;
  const permissionEvents = permissionChangedOutbox(
    createOutboxWriter({ schema: options.schema, schemaVersions: options.schemaVersions }),
  );
  const read = requirePrincipal(options.authSecret, READ_SCOPE);
  const write = requirePrincipal(options.authSecret, WRITE_SCOPE);

  /** Reads the version and the set in one statement (one snapshot). */
  async function current(userId: string): Promise<UserPermissions> {
    const { rows } = await pool.query<{
      version: string;
      updated_at: Date | null;
      feature: string | null;
      action: string | null;
    }>(
      `SELECT s.version, s.updated_at, g.feature, g.action
         FROM permission_sets s LEFT JOIN permission_grants g ON g.user_id = s.user_id
        WHERE s.user_id = $1`,
      [userId],
    );
    const grants = rows.flatMap((r) =>
      r.feature !== null && r.action !== null ? [{ feature: r.feature, action: r.action }] : [],
    );
    return {
      userId,
      version: Number(rows[0]?.version ?? 0),
      permissions: sortedPermissions(setFromRows(grants)),
      updatedAt: rows[0]?.updated_at?.toISOString() ?? null,
    };
  }

  /**
   * Applies `change` to the user's set in one transaction: lock, read, store
   * the difference and the next version, write PermissionChanged; or nothing
   * when the set stays the same.
   */
  async function applyToUser(
    userId: string,
    request: PermissionChange,
    by: string,
  ): Promise<PermissionChangeResult> {
    return withTransaction(pool, async (db): Promise<PermissionChangeResult> => {
      let locked = await lockedVersion(db, userId);
      if (!locked) {
        // Nobody ever changed this user: the set is empty. A change that keeps it empty writes nothing.
        if (sameSet(EMPTY, applyChange(EMPTY, request))) {
          return { userId, version: 0, permissions: [], updatedAt: null, changed: false };
        }
        locked = await createVersion(db, userId);
      }
      // Read after the lock: in READ COMMITTED every statement takes a new snapshot, so this sees
      // the previous holder's committed grants (a join in the locking statement would not).
      const before = await readGrants(db, userId);
      const after = applyChange(before, request);
      const tooMany = limitErrors(after, request);
      if (tooMany.length > 0) throw validationError(tooMany);
      if (sameSet(before, after)) {
        return {
          userId,
          version: locked.version,
          permissions: sortedPermissions(before),
          updatedAt: locked.updatedAt?.toISOString() ?? null,
          changed: false,
        };
      }

      const added = pairsMissingFrom(after, before);
      const removed = pairsMissingFrom(before, after);
      const { rows } = await db.query<{ version: string; updated_at: Date }>(
        `WITH removed AS (
           DELETE FROM permission_grants g
            USING unnest($3::text[], $4::text[]) AS r(feature, action)
            WHERE g.user_id = $1 AND g.feature = r.feature AND g.action = r.action
         ), stamp AS (
           SELECT date_trunc('milliseconds', clock_timestamp()) AS at
         ), added AS (
           INSERT INTO permission_grants (user_id, feature, action, granted_at)
           SELECT $1, a.feature, a.action, stamp.at FROM unnest($5::text[], $6::text[]) AS a(feature, action), stamp
         )
         UPDATE permission_sets SET version = version + 1, updated_at = stamp.at, updated_by = $2
           FROM stamp
          WHERE user_id = $1
         RETURNING version, updated_at`,
        [
          userId,
          by,
          removed.map((p) => p.feature),
          removed.map((p) => p.action),
          added.map((p) => p.feature),
          added.map((p) => p.action),
        ],
      );
      const stored = rows[0]!;
      const permissions = sortedPermissions(after);
      await permissionEvents.write(
        db,
        {
          type: 'PermissionChanged',
          payload: {
            userId,
            permissions,
            version: Number(stored.version),
            occurredAt: stored.updated_at.toISOString(),
          },
        },
        { time: stored.updated_at },
      );
      return {
        userId,
        version: Number(stored.version),
        permissions,
        updatedAt: stored.updated_at.toISOString(),
        changed: true,
      };
    });
  }

  app.get(
    '/users/:userId/permissions',
    read,
    pathParams(userParamsSchema),
    queryParams(noQuerySchema),
    async (c) => {
      const { userId } = c.req.valid('param');
      return c.json(await current(userId));
    },
  );

  app.post(
    '/users/:userId/permissions/grants',
    write,
    pathParams(userParamsSchema),
    jsonBody(grantSchema),
    async (c) => {
      const { userId } = c.req.valid('param');
      const body = c.req.valid('json');
      const by = c.get('principal').subject;
      return c.json(
        await applyToUser(userId, { kind: 'grant', feature: body.feature, actions: body.actions }, by),
      );
    },
  );

  app.post(
    '/users/:userId/permissions/revocations',
    write,
    pathParams(userParamsSchema),
    jsonBody(revocationSchema),
    async (c) => {
      const { userId } = c.req.valid('param');
      const body = c.req.valid('json');
      const by = c.get('principal').subject;
      return c.json(
        await applyToUser(userId, { kind: 'revoke', feature: body.feature, actions: body.actions }, by),
      );
    },
  );

  app.put(
    '/users/:userId/permissions',
    write,
    pathParams(userParamsSchema),
    jsonBody(replacementSchema),
    async (c) => {
      const { userId } = c.req.valid('param');
      const body = c.req.valid('json');
      const duplicates = duplicateFeatureErrors(body.permissions);
      if (duplicates.length > 0) throw validationError(duplicates);
      const by = c.get('principal').subject;
      return c.json(await applyToUser(userId, { kind: 'replace', permissions: body.permissions }, by));
    },
  );

  return { service, close: async () => {} };
}
