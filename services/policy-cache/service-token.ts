/**
 * The token a platform service presents when it calls another one on its own
 * behalf (not a caller's): a principal token signed with the shared
 * AUTH_SECRET, subject the service's name, only the scopes it needs
 * (`platform:read` for the read model and the policy service). Minted once
 * and re-minted when less than a tenth of its lifetime is left, so no call
 * ever carries an expired token.
 */
import { issuePrincipalToken } from '../shared/auth.ts';

/** A function giving a valid bearer token for `subject` with `scopes`. */
export type ServiceToken = () => Promise<string>;

export function serviceToken(
  secret: string,
  subject: string,
  scopes: readonly string[],
  options: { ttlSeconds?: number; now?: () => number } = {},
): ServiceToken {
  const ttlSeconds = options.ttlSeconds ?? 3_600;
  const now = options.now ?? Date.now;
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || now() >= current.renewAt) {
      current = {
        token: issuePrincipalToken(secret, subject, scopes, ttlSeconds),
        renewAt: now() + ttlSeconds * 900,
      };
    }
    return current.token;
  };
}
