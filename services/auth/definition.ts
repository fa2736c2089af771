/** The auth service process: how `runService` builds it (`node services/auth/main.ts` runs it; PORT default 3101, schema `auth`). */
import path from 'node:path';
import type { RunServiceOptions } from '../shared/server.ts';
import { createAuthService } from './service.ts';

export const AUTH_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the auth service (tests run it with their own env, schema and logger). */
export function authService(): RunServiceOptions {
  return {
    name: 'auth',
    schema: 'auth',
    migrationsDir: AUTH_MIGRATIONS,
    defaultPort: 3101,
    async build({ config, schema, pool, logger }) {
      // PermissionChanged goes through the schema's outbox: `OUTBOX_SCHEMA=auth npm run relay` publishes it.
      return createAuthService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        schemaVersions: config.eventSchemaVersions,
      });
    },
  };
}
