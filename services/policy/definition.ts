/** The policy service process: how `runService` builds it (`node services/policy/main.ts` runs it; PORT default 3102, schema `policy`). */
import path from 'node:path';
import type { RunServiceOptions } from '../shared/server.ts';
import { createPolicyService } from './service.ts';

export const POLICY_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the policy service (tests run it with their own env, schema and logger). */
export function policyService(): RunServiceOptions {
  return {
    name: 'policy',
    schema: 'policy',
    migrationsDir: POLICY_MIGRATIONS,
    defaultPort: 3102,
    async build({ config, schema, pool, logger }) {
      // PolicyBundleApplied goes through the schema's outbox: `OUTBOX_SCHEMA=policy npm run relay` publishes it.
      return createPolicyService({
        pool,
        schema,
        logger,
        authSecret: config.authSecret,
        schemaVersions: config.eventSchemaVersions,
      });
    },
  };
}
