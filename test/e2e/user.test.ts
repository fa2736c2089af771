/** The user service against the real PostgreSQL and Kafka, in-process through `app.request`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp } from '../../services/shared/app.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { useInfrastructure } from '../support/context.ts';
import { startReader } from '../support/kafka-reader.ts';
import { parsePrometheusText, sampleSum } from '../support/prometheus.ts';
import {
  call,
  count,
  dropSchemas,
  outboxRows,
  runId,
  silent,
  startUserService,
  type TestUserService,
} from './support.ts';

const infra = useInfrastructure();
const schema = `user_${runId()}`;
let user: TestUserService;

interface UserBody {
  user: { id: number; email: string; username: string; display_name: string; is_online: boolean };
  token?: string;
}

const users = () => `"${schema}".users`;
const outbox = () => `"${schema}".domain_event_outbox`;

beforeAll(async () => {
  user = await startUserService(infra, schema);
});

afterAll(async () => {
  try {
    await user?.close();
  } finally {
    await dropSchemas(infra.databaseUrl, [schema]);
  }
});

describe('service kit', () => {
  it('answers /health, /ready and /metrics, which counts the requests by route and status', async () => {
    const scrape = async () => {
      const res = await user.app.request('/metrics');
      expect(res.status).toBe(200);
      return parsePrometheusText(await res.text());
    };
    const health = { method: 'GET', route: '/health', status: '200' };
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      expect(await call(user.app, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    }
    expect(await call(user.app, 'GET', '/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready', database: true },
    });
    expect((await call(user.app, 'GET', '/users/me')).status).toBe(401);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleSum(after, name, labels) - sampleSum(before, name, labels);
    expect(delta('http_requests_total', health)).toBe(3);
    expect(delta('http_requests_total', { method: 'GET', route: '/ready', status: '200' })).toBe(1);
    expect(delta('http_requests_total', { method: 'GET', route: '/users/me', status: '401' })).toBe(1);
    expect(delta('http_requests_total', { route: '/users/me', status: '200' })).toBe(0);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/health' })).toBe(3);
    // The scrape before counts as one /metrics request.
    expect(delta('http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
  });

  it('answers an unknown route with 404 JSON, counted as route "unmatched"', async () => {
    const unmatched = async () =>
      sampleSum(
        parsePrometheusText(await (await user.app.request('/metrics')).text()),
        'http_requests_total',
        { method: 'GET', route: 'unmatched', status: '404' },
      );
    const before = await unmatched();
    const res = await call(user.app, 'GET', '/no/such/route');
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(user.app, 'GET', '/another/one')).toMatchObject({ status: 404 });
    expect((await unmatched()) - before).toBe(2);
  });

  it('answers an unexpected error with 500 JSON and no detail', async () => {
    const kit = createServiceApp({
      name: 'kit',
      logger: silent('kit'),
      pool: user.pool,
      defaultMetrics: false,
    });
    kit.app.get('/__boom', () => {
      throw new Error('secret internal detail');
    });
    const res = await kit.app.request('/__boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal', message: 'internal server error' });
    expect(text).not.toContain('secret');
  });

  it('propagates a caller request id', async () => {
    const res = await user.app.request('/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('register and login', () => {
  it('registers, writes UserRegistered to the outbox in the same transaction, and logs in', async () => {
    const reg = await call<UserBody>(user.app, 'POST', '/users', {
      body: {
        email: 'Alice@Example.com',
        username: 'alice',
        password: 'correct horse',
        display_name: 'Alice',
      },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({
      email: 'alice@example.com',
      username: 'alice',
      display_name: 'Alice',
    });
    expect(reg.body.user).not.toHaveProperty('password_hash');
    const id = reg.body.user.id;

    const events = (await outboxRows(user.pool, schema)).filter((e) => e.key === String(id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'UserRegistered',
      topic: 'user.events',
      key: String(id),
      payload: { user_id: id, email: 'alice@example.com', username: 'alice', display_name: 'Alice' },
    });
    // Same transaction: the outbox row and the user row were written by one transaction id.
    const { rows } = await user.pool.query<{ xmin: string }>(
      `SELECT xmin::text AS xmin FROM ${users()} WHERE id = $1`,
      [id],
    );
    expect(rows[0]?.xmin).toBe(events[0]?.xmin);

    const login = await call<UserBody>(user.app, 'POST', '/sessions', {
      body: { email: 'alice@example.com', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    expect(login.body.token).toEqual(expect.any(String));
    expect(login.body.user.is_online).toBe(true);
    // Presence is published directly to Kafka, never through the outbox.
    expect((await outboxRows(user.pool, schema)).map((e) => e.event_type)).not.toContain(
      'UserOnlineStatusChanged',
    );

    const me = await call<UserBody>(user.app, 'GET', '/users/me', { token: login.body.token });
    expect(me).toMatchObject({ status: 200, body: { user: { id, username: 'alice' } } });
  });

  it('refuses a wrong password with 401', async () => {
    await call(user.app, 'POST', '/users', {
      body: { email: 'bob@example.com', username: 'bob', password: 'bob-password' },
    });
    const bad = await call(user.app, 'POST', '/sessions', {
      body: { email: 'bob@example.com', password: 'not-bobs-password' },
    });
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
    const unknown = await call(user.app, 'POST', '/sessions', {
      body: { email: 'nobody@example.com', password: 'whatever1' },
    });
    expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
  });

  it('answers a duplicate email (any case) or username with 409 and writes nothing', async () => {
    await call(user.app, 'POST', '/users', {
      body: { email: 'carol@example.com', username: 'carol', password: 'carol-password' },
    });
    const before = [await count(user.pool, users()), await count(user.pool, outbox())];
    const email = await call(user.app, 'POST', '/users', {
      body: { email: 'CAROL@example.com', username: 'carol2', password: 'carol-password' },
    });
    expect(email).toMatchObject({ status: 409, body: { error: 'conflict', field: 'email' } });
    const username = await call(user.app, 'POST', '/users', {
      body: { email: 'carol2@example.com', username: 'Carol', password: 'carol-password' },
    });
    expect(username).toMatchObject({ status: 409, body: { error: 'conflict', field: 'username' } });
    expect([await count(user.pool, users()), await count(user.pool, outbox())]).toEqual(before);
  });

  it('answers an invalid body with 400, the failing fields, and writes nothing', async () => {
    const before = [await count(user.pool, users()), await count(user.pool, outbox())];
    const res = await call<{ error: string; fields: { path: string; message: string }[] }>(
      user.app,
      'POST',
      '/users',
      { body: { email: 'not-an-email', username: 'x', password: 'short', extra: 1 } },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation');
    expect(res.body.fields.map((f) => f.path).sort()).toEqual([
      '/body/email',
      '/body/extra',
      '/body/password',
      '/body/username',
    ]);
    const notJson = await call(user.app, 'POST', '/users', { body: '{"email":' });
    expect(notJson).toMatchObject({
      status: 400,
      body: { error: 'validation', fields: [{ path: '/body' }] },
    });
    expect([await count(user.pool, users()), await count(user.pool, outbox())]).toEqual(before);
  });
});

describe('authentication', () => {
  it('answers a missing, malformed, badly signed or expired token with 401', async () => {
    expect(await call(user.app, 'GET', '/users/me')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await call(user.app, 'GET', '/users/me', { token: 'not.a.jwt' })).toMatchObject({ status: 401 });
    const forged = await issueToken('another-secret', 1);
    expect(await call(user.app, 'GET', '/users/me', { token: forged })).toMatchObject({ status: 401 });
    const expired = await issueToken('e2e-test-secret', 1, -60);
    expect(await call(user.app, 'GET', '/users/me', { token: expired })).toMatchObject({ status: 401 });
  });
});

describe('profile and presence', () => {
  it('writes a UserProfileUpdated snapshot with the row change; invalid updates write nothing', async () => {
    await call(user.app, 'POST', '/users', {
      body: { email: 'dave@example.com', username: 'dave', password: 'dave-password' },
    });
    const login = await call<UserBody>(user.app, 'POST', '/sessions', {
      body: { email: 'dave@example.com', password: 'dave-password' },
    });
    const token = login.body.token!;
    const id = login.body.user.id;

    const bad = await call(user.app, 'PATCH', '/users/me', {
      token,
      body: { profile_image_url: 'not a url' },
    });
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ path: '/body/profile_image_url' }] } });
    const empty = await call(user.app, 'PATCH', '/users/me', { token, body: {} });
    expect(empty.status).toBe(400);

    const res = await call<UserBody>(user.app, 'PATCH', '/users/me', {
      token,
      body: { display_name: 'Dave D.', profile_image_url: 'https://cdn.example.com/d.png' },
    });
    expect(res).toMatchObject({ status: 200, body: { user: { display_name: 'Dave D.' } } });

    const events = (await outboxRows(user.pool, schema)).filter((e) => e.key === String(id));
    expect(events.map((e) => e.event_type)).toEqual(['UserRegistered', 'UserProfileUpdated']);
    expect(events[1]?.payload).toMatchObject({
      user_id: id,
      display_name: 'Dave D.',
      profile_image_url: 'https://cdn.example.com/d.png',
      status_message: '',
    });
    const { rows } = await user.pool.query<{ xmin: string }>(
      `SELECT xmin::text AS xmin FROM ${users()} WHERE id = $1`,
      [id],
    );
    expect(rows[0]?.xmin).toBe(events[1]?.xmin);

    const cleared = await call(user.app, 'PATCH', '/users/me', {
      token,
      body: { profile_image_url: null, status_message: '' },
    });
    expect(cleared).toMatchObject({
      status: 200,
      body: { user: { profile_image_url: null, display_name: 'Dave D.' } },
    });
    const last = (await outboxRows(user.pool, schema)).filter((e) => e.key === String(id)).at(-1);
    expect(last?.payload).toMatchObject({
      profile_image_url: null,
      status_message: '',
      display_name: 'Dave D.',
    });

    const offline = await call<UserBody>(user.app, 'PUT', '/users/me/online-status', {
      token,
      body: { is_online: false },
    });
    expect(offline).toMatchObject({ status: 200, body: { user: { is_online: false } } });

    const other = await call(user.app, 'GET', `/users/${id}`, { token });
    expect(other).toMatchObject({ status: 200, body: { user: { id, display_name: 'Dave D.' } } });
    expect(other.body.user).not.toHaveProperty('email');
    expect(await call(user.app, 'GET', '/users/999999999', { token })).toMatchObject({ status: 404 });
    expect(await call(user.app, 'GET', '/users/abc', { token })).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/params/id' }] },
    });
  });
});

describe('presence', () => {
  it('publishes UserOnlineStatusChanged directly to user.online_status, keyed by user id, only on change', async () => {
    await call(user.app, 'POST', '/users', {
      body: { email: 'erin@example.com', username: 'erin', password: 'erin-password' },
    });
    const reader = await startReader(infra.kafkaBrokers, ['user.online_status']);
    try {
      const login = await call<UserBody>(user.app, 'POST', '/sessions', {
        body: { email: 'erin@example.com', password: 'erin-password' },
      });
      const token = login.body.token!;
      const key = String(login.body.user.id);
      // Already online: no second event.
      await call(user.app, 'PUT', '/users/me/online-status', { token, body: { is_online: true } });
      await call(user.app, 'PUT', '/users/me/online-status', { token, body: { is_online: false } });
      const mine = () => reader.records.filter((r) => r.key === key);
      await reader.waitFor(() => mine().length >= 2, 20_000, 'two presence events');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(mine().map((r) => r.headers.ce_type)).toEqual([
        'UserOnlineStatusChanged',
        'UserOnlineStatusChanged',
      ]);
      expect(mine().map((r) => (JSON.parse(r.value ?? '{}') as { is_online: boolean }).is_online)).toEqual([
        true,
        false,
      ]);
    } finally {
      await reader.stop();
    }
  });
});
