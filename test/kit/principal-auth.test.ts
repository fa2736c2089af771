/** Platform principals: string subjects and scopes; forged, expired and malformed tokens are 401, a missing scope 403. */
import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import {
  issuePrincipalToken,
  type PrincipalVariables,
  requirePrincipal,
} from '../../services/shared/auth.ts';
import { HttpError } from '../../services/shared/errors.ts';

const SECRET = 'kit-test-secret';

function app() {
  const a = new Hono<{ Variables: PrincipalVariables }>();
  a.onError((err, c) => (err instanceof HttpError ? c.json(err.body, err.status) : c.json({}, 500)));
  a.get('/write', requirePrincipal(SECRET, 'things:write'), (c) =>
    c.json({ subject: c.var.principal.subject, scopes: [...c.var.principal.scopes] }),
  );
  return a;
}

const call = (token: string) =>
  app().request('/write', { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('requirePrincipal', () => {
  it('accepts a token with the scope and exposes the principal', async () => {
    const res = await call(await issuePrincipalToken(SECRET, 'u-1029', ['things:write', 'things:read']));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'u-1029', scopes: ['things:write', 'things:read'] });
  });

  it('answers 403 naming the missing scope', async () => {
    const res = await call(await issuePrincipalToken(SECRET, 'u-1', ['things:read']));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('things:write');
  });

  it.each([
    ['no token', async () => ''],
    ['another secret', () => issuePrincipalToken('other-secret', 'u-1', ['things:write'])],
    ['expired', () => issuePrincipalToken(SECRET, 'u-1', ['things:write'], -10)],
    [
      'a subject with a NUL',
      () => sign({ sub: 'u\u00001', scope: 'things:write', exp: 2e9 }, SECRET, 'HS256'),
    ],
    ['a numeric scope claim', () => sign({ sub: 'u-1', scope: 7, exp: 2e9 }, SECRET, 'HS256')],
    [
      'alg none',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u-1","scope":"things:write"}').toString('base64url')}.`,
    ],
  ])('answers 401 for %s', async (_what, token) => {
    const res = await call(await token());
    expect(res.status).toBe(401);
  });

  it('refuses to issue malformed subjects or scopes', async () => {
    await expect(issuePrincipalToken(SECRET, '', ['a'])).rejects.toThrow(/subject/);
    await expect(issuePrincipalToken(SECRET, 'u-1', ['Bad Scope'])).rejects.toThrow(/scope/);
  });
});
