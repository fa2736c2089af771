/**
 * Bearer-token auth: HS256 JWTs (hono/jwt), `sub` = the user id as a decimal
 * string. `requireAuth` answers 401 JSON when the token is missing, malformed,
 * badly signed or expired, and otherwise puts the caller's id in
 * `c.var.userId`, so handlers act only as the caller.
 */
import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import { forbidden, unauthorized } from './errors.ts';
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

/**
 * Principals of the platform services: `sub` is an identity-provider id (a
 * string, not assumed numeric) and `scope` the OAuth 2.0 space-separated
 * scopes the caller was granted (`permissions:write`, …). Same HS256 secret.
 */
export interface Principal {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
}

export interface PrincipalVariables {
  principal: Principal;
}

const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const SCOPE = /^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$/;

export async function issuePrincipalToken(
  secret: string,
  subject: string,
  scopes: readonly string[],
  ttlSeconds = TOKEN_TTL_SECONDS,
): Promise<string> {
  if (!SUBJECT.test(subject)) throw new Error(`not a principal subject: ${JSON.stringify(subject)}`);
  const bad = scopes.find((s) => !SCOPE.test(s));
  if (bad !== undefined) throw new Error(`not a scope: ${JSON.stringify(bad)}`);
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: subject, scope: scopes.join(' '), iat: now, exp: now + ttlSeconds }, secret, ALG);
}

/** The principal of a valid token, or undefined (bad signature, expired, malformed subject or scopes). */
export async function verifyPrincipalToken(secret: string, token: string): Promise<Principal | undefined> {
  try {
    const payload = await verify(token, secret, ALG);
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    if (!SUBJECT.test(sub)) return undefined;
    const scope = payload.scope === undefined ? '' : payload.scope;
    if (typeof scope !== 'string') return undefined;
    const scopes = scope.split(' ').filter(Boolean);
    if (scopes.some((s) => !SCOPE.test(s))) return undefined;
    return { subject: sub, scopes: new Set(scopes) };
  } catch {
    return undefined;
  }
}

/**
 * 401 without a valid token; 403 when the token lacks any of `scopes`.
 * Otherwise `c.var.principal` is the caller.
 */
export function requirePrincipal(
  secret: string,
  ...scopes: readonly string[]
): MiddlewareHandler<{ Variables: PrincipalVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized();
    const principal = await verifyPrincipalToken(secret, match[1]);
    if (principal === undefined) throw unauthorized();
    const missing = scopes.filter((s) => !principal.scopes.has(s));
    if (missing.length > 0) throw forbidden(`the token lacks the scope(s): ${missing.join(', ')}`);
    c.set('principal', principal);
    await next();
  };
}
