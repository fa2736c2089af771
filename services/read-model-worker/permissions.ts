/**
 * The permission read model: `user_permissions`, one row per user at the
 * highest version seen. A PermissionChanged is applied only when its version
 * is higher than the row's (`ON CONFLICT … WHERE user_permissions.version <
 * EXCLUDED.version`): a redelivery, a replay into another group, or an older
 * version arriving after a newer one leaves the row exactly as it was.
 */
import type pg from 'pg';
import type { PermissionChanged } from '../../generated/index.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface UserPermissionsView {
  readonly userId: string;
  readonly version: number;
  readonly permissions: PermissionChanged['permissions'];
  readonly occurredAt: string;
  readonly updatedAt: string;
}

interface Row {
  user_id: string;
  version: string;
  permissions: PermissionChanged['permissions'];
  occurred_at: Date;
  updated_at: Date;
}

const COLUMNS = 'user_id, version, permissions, occurred_at, updated_at';

function view(row: Row): UserPermissionsView {
  return {
    userId: row.user_id,
    version: Number(row.version),
    permissions: row.permissions,
    occurredAt: row.occurred_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Stores the event's set unless the row already holds this version or a newer one; returns whether it did. */
export async function applyPermissionChanged(
  db: Queryable,
  event: { readonly id: string; readonly payload: PermissionChanged },
): Promise<boolean> {
  const p = event.payload;
  const { rowCount } = await db.query(
    `INSERT INTO user_permissions (user_id, version, permissions, occurred_at, event_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, clock_timestamp())
     ON CONFLICT (user_id) DO UPDATE SET
       version = EXCLUDED.version,
       permissions = EXCLUDED.permissions,
       occurred_at = EXCLUDED.occurred_at,
       event_id = EXCLUDED.event_id,
       updated_at = EXCLUDED.updated_at
     WHERE user_permissions.version < EXCLUDED.version`,
    [p.userId, p.version, JSON.stringify(p.permissions), p.occurredAt, event.id],
  );
  return rowCount === 1;
}

export async function userPermissions(
  db: Queryable,
  userId: string,
): Promise<UserPermissionsView | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM user_permissions WHERE user_id = $1`, [
    userId,
  ]);
  return rows[0] ? view(rows[0]) : undefined;
}

/** One page in user id order (byte order), after `after` when given. */
export async function permissionsPage(
  db: Queryable,
  after: string | undefined,
  limit: number,
): Promise<UserPermissionsView[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM user_permissions
      WHERE $1::text IS NULL OR user_id > $1::text
      ORDER BY user_id LIMIT $2`,
    [after ?? null, limit],
  );
  return rows.map(view);
}
