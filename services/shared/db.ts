/**
 * Each service owns one PostgreSQL schema: its own `domain_event_outbox` and
 * `consumer_processed_events` (the runtime's migrations, applied into that
 * schema) and its own tables (`services/<name>/migrations`). Service
 * migration files are named `<service>_NNN_*.sql` so they never collide with
 * the runtime's names in the schema's shared `schema_migrations`.
 */
import pg from 'pg';
import type { Logger } from '../../runtime/core/logger.ts';
import { type Database, migrate, quoteIdent } from '../../runtime/db/migrate.ts';

/** A pool whose sessions resolve unqualified names in the service schema (the consumer runtime relies on it). */
export function createServicePool(
  databaseUrl: string,
  schema: string,
  max = 10,
  extra: Pick<pg.PoolConfig, 'connectionTimeoutMillis' | 'idleTimeoutMillis'> = {},
): pg.Pool {
  return new pg.Pool({
    ...extra,
    connectionString: databaseUrl,
    max,
    options: `-c search_path=${quoteIdent(schema)}`,
    application_name: schema,
  });
}

export interface MigrateServiceOptions {
  readonly schema: string;
  /** The service's own `.sql` folder. */
  readonly dir: string;
  readonly logger?: Logger;
}

/** The runtime's migrations, then the service's, both into the service schema. */
export async function migrateService(db: Database, options: MigrateServiceOptions): Promise<string[]> {
  const logger = options.logger ? { logger: options.logger } : {};
  const runtime = await migrate(db, { schema: options.schema, ...logger });
  const own = await migrate(db, { schema: options.schema, dir: options.dir, ...logger });
  return [...runtime.applied, ...own.applied];
}

/** Runs `work` in one transaction on a pooled client: COMMIT when it returns, ROLLBACK when it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Whether the database answers (readiness). */
export async function databaseReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
