/** The file-policy service process: how `runService` builds it (`node services/file-policy/main.ts` runs it; PORT default 3104, schema `file_policy`). */
import path from 'node:path';
import type { RunServiceOptions } from '../shared/server.ts';
import { createFilePolicyService } from './service.ts';

export const FILE_POLICY_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the file-policy service (tests run it with their own env, schema and logger). */
export function filePolicyService(): RunServiceOptions {
  return {
    name: 'file-policy',
    schema: 'file_policy',
    migrationsDir: FILE_POLICY_MIGRATIONS,
    defaultPort: 3104,
    async build({ config, schema, pool, logger }) {
      // FilePolicyUpdated goes through the schema's outbox: `OUTBOX_SCHEMA=file_policy npm run relay` publishes it.
      return createFilePolicyService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        schemaVersions: config.eventSchemaVersions,
      });
    },
  };
}
