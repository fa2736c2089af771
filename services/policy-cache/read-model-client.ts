/**
 * The read-model-worker as the permission caches' read-through source:
 * `GET {READ_MODEL_URL}/permissions/:userId` with the service's own token
 * (scope `platform:read`), answered `200 { userId, version, permissions,
 * occurredAt, updatedAt }` or `404` for a user it does not know.
 *
 * Anything else — unreachable, a timeout, another status, a body that is not
 * a permission set of the requested user as the PermissionChanged contract
 * defines one — is a 503 `HttpError`: the check is refused rather than
 * answered from a guess.
 */
import { permissionChangedEvent } from '../../generated/index.ts';
import { HttpError } from '../shared/errors.ts';
import type { PermissionSet, PermissionSource } from './permission-cache.ts';
import type { ServiceToken } from './service-token.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response> | Response;

export interface ReadModelClientOptions {
  /** e.g. http://127.0.0.1:3105 */
  readonly baseUrl: string;
  readonly token: ServiceToken;
  /** Default 2 000 ms: a check waits at most this long on a miss. */
  readonly timeoutMs?: number;
  readonly fetch?: Fetch;
}

const unavailable = (message: string) => new HttpError(503, 'unavailable', { message });

export function httpReadModel(options: ReadModelClientOptions): PermissionSource {
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    async fetch(userId) {
      let res: Response;
      let body: unknown;
      try {
        res = await fetchFn(`${base}/permissions/${encodeURIComponent(userId)}`, {
          headers: { authorization: `Bearer ${await options.token()}`, accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status === 404) return undefined;
        if (!res.ok) throw unavailable(`read model answered ${res.status}`);
        body = await res.json();
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw unavailable('read model unreachable');
      }
      const { userId: id, version, permissions, occurredAt } = (body ?? {}) as Record<string, unknown>;
      const set = { userId: id, version, permissions, occurredAt };
      if (id !== userId || !permissionChangedEvent.validatePayload(set)) {
        throw unavailable('read model answered something that is not the permission set of the user');
      }
      return set as PermissionSet;
    },
  };
}
