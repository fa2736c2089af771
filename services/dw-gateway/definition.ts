/**
 * The DW gateway process: how `runService` builds it (`node services/dw-gateway/main.ts` runs
 * it; PORT default 3108, POLICY_SERVICE_URL, DW_GATEWAY_GROUP_ID).
 */
import path from 'node:path';
import { PLATFORM_READ } from '../policy-cache/check-route.ts';
import { serviceToken } from '../policy-cache/service-token.ts';
import { buildConsumingService } from '../shared/consumers.ts';
import type { RunServiceOptions } from '../shared/server.ts';
import { httpPolicyService } from './policy-client.ts';
import { createDwGatewayService } from './service.ts';

export const DW_GATEWAY_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** How `runService` builds the DW gateway (tests run it with their own env, schema and logger). */
export function dwGatewayService(): RunServiceOptions {
  return {
    name: 'dw-gateway',
    schema: 'dw_gateway',
    migrationsDir: DW_GATEWAY_MIGRATIONS,
    defaultPort: 3108,
    async build({ config, pool, logger, env }) {
      return buildConsumingService(
        {
          config,
          pool,
          logger,
          clientId: 'dw-gateway',
          // Another group id replays domain.policy-bundle-applied into a fresh group (the schedule ignores repeats).
          groupId: env.DW_GATEWAY_GROUP_ID,
        },
        (wiring) =>
          createDwGatewayService({
            pool,
            logger,
            authSecret: config.authSecret,
            policy: httpPolicyService({
              baseUrl: env.POLICY_SERVICE_URL || 'http://127.0.0.1:3102',
              token: serviceToken(config.authSecret, 'dw-gateway', [PLATFORM_READ]),
            }),
            ...wiring,
          }),
      );
    },
  };
}
