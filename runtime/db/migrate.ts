/**
 * A tiny migration runner for the tables the runtime itself needs (outbox,
 * processed events): the `.sql` files of `runtime/db/migrations`, applied in
 * name order, each in its own transaction together with its row in
 * `schema_migrations`. Runs are serialized across processes by a PostgreSQL
 * advisory lock, so any number of instances may call `migrate` at start-up;
 * a file already applied is skipped, and one that changed since it was
 * applied stops the run (write a new migration instead).
 *
 * The files use unqualified names; each runs with `search_path` set to the
 * target schema (default `public`), so tests can apply the same files to a
 * schema of their own.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../core/logger.ts';

/** Where the runtime's CLIs connect without DATABASE_URL: the local PostgreSQL of the development setup. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/** First key of the runner's advisory lock (the second is the schema's hash). */
const MIGRATION_LOCK_CLASS = 0x4d494752; // 'MIGR'

export interface MigrateOptions {
  /** Folder of `.sql` files; default `runtime/db/migrations`. */
  readonly dir?: string;
  /** Schema to migrate (created if missing); default `public`. */
  readonly schema?: string;
  readonly logger?: Logger;
}

export interface MigrateResult {
  readonly schema: string;
  /** Files applied by this run, in order. */
  readonly applied: readonly string[];
  /** Files found already applied. */
  readonly skipped: readonly string[];
}

export type Database = string | pg.Pool | pg.ClientBase;

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A 31-bit FNV-1a hash of a string: stable advisory-lock keys from names. */
export function lockKeyOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}

/** Applies every migration not yet applied to the schema; see the module comment. */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = options.schema ?? 'public';
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return withClient(db, async (client) => {
    const lockKey = lockKeyOf(schema);
    await client.query('SELECT pg_advisory_lock($1, $2)', [MIGRATION_LOCK_CLASS, lockKey]);
    try {
      const s = quoteIdent(schema);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           name text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = new Map(
        (
          await client.query<{ name: string; checksum: string; applied_at: Date }>(
            `SELECT name, checksum, applied_at FROM ${s}.schema_migrations`,
          )
        ).rows.map((r) => [r.name, r]),
      );
      const applied: string[] = [];
      const skipped: string[] = [];
      for (const file of files) {
        const sql = await readFile(path.join(dir, file), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const previous = done.get(file);
        if (previous) {
          if (previous.checksum !== checksum) {
            throw new Error(
              `migration ${file} changed after it was applied to schema ${schema} on ${previous.applied_at.toISOString()}: ` +
                'add a new migration instead of editing an applied one (in development, drop the schema)',
            );
          }
          skipped.push(file);
          continue;
        }
        await client.query('BEGIN');
        try {
          const searchPath = schema === 'public' ? s : `${s}, public`;
          await client.query(`SET LOCAL search_path TO ${searchPath}`);
          await client.query(sql);
          await client.query(`INSERT INTO ${s}.schema_migrations (name, checksum) VALUES ($1, $2)`, [
            file,
            checksum,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(
            `migration ${file} failed on schema ${schema}: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
        }
        options.logger?.info(`applied migration ${file}`, { schema });
        applied.push(file);
      }
      return { schema, applied, skipped };
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [MIGRATION_LOCK_CLASS, lockKey])
        .catch(() => {});
    }
  });
}

async function withClient<T>(db: Database, use: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (typeof db === 'string') {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }
  if (db instanceof pg.Pool) {
    const client = await db.connect();
    try {
      return await use(client);
    } finally {
      client.release();
    }
  }
  return use(db);
}
