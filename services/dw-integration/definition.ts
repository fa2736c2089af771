/** The dw-integration service process: how `runService` builds it (`node services/dw-integration/main.ts` runs it; PORT default 3103, schema `dw_integration`). */
import path from 'node:path';
import type { RunServiceOptions } from '../shared/server.ts';
import { createDwIntegrationService } from './service.ts';

export const DW_INTEGRATION_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the dw-integration service (tests run it with their own env, schema and logger). */
export function dwIntegrationService(): RunServiceOptions {
  return {
    name: 'dw-integration',
    schema: 'dw_integration',
    migrationsDir: DW_INTEGRATION_MIGRATIONS,
    defaultPort: 3103,
    async build({ config, schema, pool, logger }) {
      // DwBatchCompleted goes through the schema's outbox: `OUTBOX_SCHEMA=dw_integration npm run relay` publishes it.
      return createDwIntegrationService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        schemaVersions: config.eventSchemaVersions,
      });
    },
  };
}
