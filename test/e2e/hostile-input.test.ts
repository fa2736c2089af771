/**
 * Every chat service as a process runs it (`runService`, real listeners), fed
 * hostile input class by class: non-finite and out-of-range numbers, NUL and
 * control characters, impossible dates and cursors, oversized bodies. Each
 * answer is a 4xx JSON body naming the field, never a 500, and nothing is
 * written (table and outbox counts unchanged).
 */
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSpecs } from '../../generated/index.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { analyticsService } from '../../services/analytics/definition.ts';
import { chatService } from '../../services/chat/definition.ts';
import { friendService } from '../../services/friend/definition.ts';
import { notificationService } from '../../services/notification/definition.ts';
import { searchIndexerService } from '../../services/search-indexer/definition.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { type RunningService, type RunServiceOptions, runService } from '../../services/shared/server.ts';
import { userService } from '../../services/user/definition.ts';
import { useInfrastructure } from '../support/context.ts';
import { dropSchemas, fetchJson, runId, silent } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const secret = `hostile-${run}`;
const schemas = {
  user: `user_h${run}`,
  friend: `friend_h${run}`,
  chat: `chat_h${run}`,
  notification: `notification_h${run}`,
  analytics: `analytics_h${run}`,
  search: `search_h${run}`,
};
const port: Record<string, number> = {};
const running: RunningService[] = [];
let pool: pg.Pool;
let token: string;
let userId: number;

async function start(
  name: keyof typeof schemas,
  options: RunServiceOptions,
  extra: Record<string, string> = {},
) {
  const service = await runService({
    ...options,
    schema: schemas[name],
    logger: silent(name),
    env: {
      PORT: '0',
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      REDIS_URL: infra.redisUrl,
      AUTH_SECRET: secret,
      NOTIFICATION_PUSH_CHANNEL_PREFIX: `hostile-${run}:`,
      USER_SERVICE_URL: port.user ? `http://127.0.0.1:${port.user}` : '',
      CHAT_SERVICE_URL: port.chat ? `http://127.0.0.1:${port.chat}` : '',
      // Groups of their own, started where the topics end: nothing of other runs is consumed.
      PROFILE_CACHE_GROUP_ID: `hostile-${name}-${run}`,
      NOTIFICATION_GROUP_ID: `hostile-notification-${run}`,
      ANALYTICS_GROUP_ID: `hostile-analytics-${run}`,
      SEARCH_INDEXER_GROUP_ID: `hostile-search-${run}`,
      ...extra,
    },
  });
  running.push(service);
  port[name] = service.port;
}

beforeAll(async () => {
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 2 });
  await start('user', userService());
  await start('friend', friendService());
  await start('chat', chatService());
  await start('notification', notificationService());
  await start('analytics', analyticsService());
  await start('search', searchIndexerService());
  const registered = await fetchJson<{ user: { id: number } }>(
    `http://127.0.0.1:${port.user}`,
    'POST',
    '/users',
    {
      body: { email: `h${run}@example.com`, username: `h${run}`, password: 'correct horse battery' },
    },
  );
  expect(registered.status).toBe(201);
  userId = registered.body.user.id;
  token = await issueToken(secret, userId);
}, 180_000);

afterAll(async () => {
  try {
    await Promise.allSettled(running.map((s) => s.stop()));
    await pool?.end();
  } finally {
    await dropSchemas(infra.databaseUrl, Object.values(schemas));
  }
});

/** Rows of every table a hostile request could write to. */
async function writes(): Promise<Record<string, number>> {
  const tables = [
    `"${schemas.user}".users`,
    `"${schemas.user}".domain_event_outbox`,
    `"${schemas.friend}".friendships`,
    `"${schemas.friend}".domain_event_outbox`,
    `"${schemas.chat}".chat_rooms`,
    `"${schemas.chat}".messages`,
    `"${schemas.chat}".domain_event_outbox`,
  ];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await pool.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

const cursorOf = (time: string) =>
  Buffer.from(`${time}|00000000-0000-4000-8000-000000000000`).toString('base64url');

type Case = [service: string, method: string, path: string, body: unknown, field: string];
const cases: Case[] = [
  // Non-finite and out-of-range numbers in paths and queries.
  ['user', 'GET', '/users/Infinity', undefined, '/params/id'],
  ['user', 'GET', '/users/1e400', undefined, '/params/id'],
  ['user', 'GET', '/users/-Infinity', undefined, '/params/id'],
  ['user', 'GET', '/users/9007199254740993', undefined, '/params/id'],
  ['friend', 'POST', '/friend-requests/Infinity/accept', undefined, '/params/id'],
  ['friend', 'POST', '/friend-requests/1e400/cancel', undefined, '/params/id'],
  ['chat', 'POST', '/rooms/Infinity/messages', { content: 'hi', message_type: 'text' }, '/params/id'],
  ['chat', 'GET', '/rooms/1/messages?limit=Infinity', undefined, '/query/limit'],
  ['chat', 'GET', '/rooms/1/messages?limit=1e400', undefined, '/query/limit'],
  ['chat', 'GET', '/rooms/1/messages?cursor=Infinity', undefined, '/query/cursor'],
  ['notification', 'GET', '/notifications?limit=Infinity', undefined, '/query/limit'],
  ['notification', 'GET', '/notifications?limit=1e400', undefined, '/query/limit'],
  ['search', 'GET', '/search?q=hello&limit=Infinity', undefined, '/query/limit'],
  ['search', 'GET', '/search?q=hello&room_id=1e400', undefined, '/query/room_id'],
  // Non-finite numbers in JSON bodies (1e400 parses to Infinity).
  ['friend', 'POST', '/friend-requests', '{"addressee_id":1e400}', '/body/addressee_id'],
  ['chat', 'POST', '/rooms', '{"type":"direct","user_id":1e400}', '/body'],
  // NUL and control characters in text fields.
  [
    'user',
    'POST',
    '/users',
    { email: 'n@example.com', username: 'nul', password: 'pass\u0000word1' },
    '/body/password',
  ],
  [
    'user',
    'POST',
    '/users',
    { email: 'n@example.com', username: 'nul', password: 'password1', display_name: 'N\u0000' },
    '/body/display_name',
  ],
  ['user', 'PATCH', '/users/me', { status_message: 'away\u0000' }, '/body/status_message'],
  ['user', 'PATCH', '/users/me', { display_name: 'bell\u0007' }, '/body/display_name'],
  ['chat', 'POST', '/rooms', { type: 'group', name: 'room\u0000', member_ids: [2] }, '/body/name'],
  ['chat', 'POST', '/rooms/1/messages', { content: 'hello\u0000', message_type: 'text' }, '/body/content'],
  ['search', 'GET', '/search?q=hel%00lo', undefined, '/query/q'],
  ['analytics', 'GET', '/stats?type=Message%00Sent', undefined, '/query/type'],
  // Cursors and dates that Date.parse accepts and PostgreSQL does not.
  ['notification', 'GET', `/notifications?cursor=${cursorOf('1')}`, undefined, '/query/cursor'],
  [
    'notification',
    'GET',
    `/notifications?cursor=${cursorOf('2020-02-30T00:00:00.000Z')}`,
    undefined,
    '/query/cursor',
  ],
  [
    'notification',
    'GET',
    `/notifications?cursor=${cursorOf('0000-01-01T00:00:00.000Z')}`,
    undefined,
    '/query/cursor',
  ],
  ['notification', 'POST', '/notifications/not-a-uuid/read', undefined, '/params/id'],
  ['analytics', 'GET', '/stats?from=0000-01-01', undefined, '/query/from'],
  ['analytics', 'GET', '/stats?from=2020-02-30', undefined, '/query/from'],
  ['analytics', 'GET', '/stats?to=1', undefined, '/query/to'],
];

describe('hostile input on every chat service', () => {
  it.each(cases)('%s %s %s → 400, nothing written', async (service, method, path, body, field) => {
    const before = await writes();
    const res = await fetch(`http://127.0.0.1:${port[service]}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const json = (await res.json()) as { error?: string; fields?: { path: string }[] };
    expect({ status: res.status, error: json.error }).toEqual({ status: 400, error: 'validation' });
    expect(json.fields?.map((f) => f.path)).toContain(field);
    expect(await writes()).toEqual(before);
  });

  it.each(['user', 'friend', 'chat'])('%s refuses a body over 1 MiB with 413 JSON', async (service) => {
    const before = await writes();
    // node:http on a connection of its own: the server answers before the body is read whole and closes it.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: port[service],
          path: '/rooms',
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        },
        (r) => {
          let body = '';
          r.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ type: 'group', name: 'x'.repeat(2 * 1024 * 1024), member_ids: [2] }));
    });
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as { error: string }).error).toBe('payload_too_large');
    expect(await writes()).toEqual(before);
  });

  it.each(['user', 'friend', 'chat', 'notification', 'analytics', 'search'])(
    '%s answers a forged token with 401 JSON',
    async (service) => {
      const forged = await issueToken('not-the-secret', userId);
      const path = {
        user: '/users/me',
        friend: '/friends',
        chat: '/rooms',
        notification: '/notifications',
        analytics: '/stats',
        search: '/search?q=a',
      }[service]!;
      const res = await fetch(`http://127.0.0.1:${port[service]}${path}`, {
        headers: { authorization: `Bearer ${forged}` },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('unauthorized');
    },
  );
});
