/**
 * `GET /permissions/check?userId=&feature=&action=` (scope `platform:read`)
 * → `{ allowed, version, source: 'event' | 'read-model' }`, answered from a
 * `PermissionCache`; the same route in policy-cache and server. 503 when the
 * user is not cached (or due for a re-read) and the read model cannot answer.
 */
import type { Hono } from 'hono';
import type { ServiceEnv } from '../shared/app.ts';
import { requirePrincipal } from '../shared/auth.ts';
import { queryParams } from '../shared/validate.ts';
import type { PermissionCache } from './permission-cache.ts';
import { permissionCheckQuerySchema } from './schemas.ts';

export const PLATFORM_READ = 'platform:read';

export function addPermissionCheckRoute(
  app: Hono<ServiceEnv>,
  authSecret: string,
  cache: PermissionCache,
): void {
  app.get(
    '/permissions/check',
    requirePrincipal(authSecret, PLATFORM_READ),
    queryParams(permissionCheckQuerySchema),
    async (c) => {
      const { userId, feature, action } = c.req.valid('query');
      return c.json(await cache.check(userId, feature, action));
    },
  );
}
