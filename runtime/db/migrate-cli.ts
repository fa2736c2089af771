/**
 * Applies the runtime's migrations: `node runtime/db/migrate-cli.ts [--schema <name>]`.
 * Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and
 * DB_SCHEMA (default public; `--schema` wins). Exit code 1 on failure.
 */
import { parseArgs } from 'node:util';
import { jsonLineLogger, logLevelFromEnv } from '../core/logger.ts';
import { DEFAULT_DATABASE_URL, migrate } from './migrate.ts';

const { values } = parseArgs({ options: { schema: { type: 'string' }, dir: { type: 'string' } } });
const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const schema = values.schema ?? (process.env.DB_SCHEMA || 'public');

try {
  const result = await migrate(databaseUrl, {
    schema,
    ...(values.dir ? { dir: values.dir } : {}),
    logger: jsonLineLogger(logLevelFromEnv()),
  });
  const what = result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'nothing to apply';
  process.stdout.write(`schema ${result.schema}: ${what} (${result.skipped.length} already applied)\n`);
} catch (err) {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
