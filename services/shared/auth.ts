/**
 * Bearer-token auth: HS256 JWTs (hono/jwt), `sub` = the user id as a decimal
 * string. `requireAuth` answers 401 JSON when the token is missing, malformed,
 * badly signed or expired, and otherwise puts the caller's id in
 * `c.var.userId`, so handlers act only as the caller.
 */
import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import { unauthorized } from './errors.ts';
import type { ServiceLogger } from './logger.ts';

export const DEVELOPMENT_AUTH_SECRET = 'development-only-auth-secret-change-me';
const ALG = 'HS256';
/** Default token lifetime: 24 hours. */
export const TOKEN_TTL_SECONDS = 24 * 60 * 60;

export interface AuthVariables {
  /** The authenticated caller. */
  userId: number;
}

/** `AUTH_SECRET`, or the development default with a warning. */
export function authSecretFromEnv(env: NodeJS.ProcessEnv, logger: ServiceLogger): string {
  const secret = env.AUTH_SECRET;
  if (secret) return secret;
  logger.warn('AUTH_SECRET is not set: using the development default secret; never do this in production');
  return DEVELOPMENT_AUTH_SECRET;
}

export async function issueToken(
  secret: string,
  userId: number,
  ttlSeconds = TOKEN_TTL_SECONDS,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), iat: now, exp: now + ttlSeconds }, secret, ALG);
}

/** The user id of a valid token, or undefined. */
export async function verifyToken(secret: string, token: string): Promise<number | undefined> {
  try {
    const payload = await verify(token, secret, ALG);
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    if (!/^[1-9][0-9]{0,15}$/.test(sub)) return undefined;
    return Number(sub);
  } catch {
    return undefined;
  }
}

export function requireAuth(secret: string): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized();
    const userId = await verifyToken(secret, match[1]);
    if (userId === undefined) throw unauthorized();
    c.set('userId', userId);
    await next();
  };
}
