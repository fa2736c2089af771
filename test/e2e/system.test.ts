/**
 * The whole chat product as `npm start` runs it: every service and relay a
 * child process (scripts/system.ts), here with schemas, ports and consumer
 * group ids of this run's own, two notification instances, real Kafka,
 * PostgreSQL and Redis.
 *
 * The groups start from offset 0 of the shared topics (everything other tests
 * left there is handled first), so the replay at the end is exact: fresh
 * groups of notification, analytics and search replay every topic from offset
 * 0 into the same schemas and nothing changes. User, room and friendship ids
 * start at a random height, so they never meet ids other runs left on the topics.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSpecs } from '../../generated/index.ts';
import { probeKafka } from '../../infra/kafka/probe.ts';
import { quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { connectSse, type SseClient } from '../../scripts/demo/sse-client.ts';
import { type RunningProcess, type ServiceInstance, startSystem, stopSystem } from '../../scripts/system.ts';
import { useInfrastructure } from '../support/context.ts';
import { npmStartDefaultBrokers } from '../support/infrastructure.ts';
import { type Sample, sampleSum, samplesOf, scrape } from '../support/prometheus.ts';
import { dropSchemas, eventually, fetchJson, runId } from './support.ts';
import { caughtUp, contractGroupOf, freePorts, freeRange, topicsOf } from './system-support.ts';

const infra = useInfrastructure();
const root = path.resolve(import.meta.dirname, '../..');
const run = runId();
const schemas = {
  user: `user_${run}`,
  friend: `friend_${run}`,
  chat: `chat_${run}`,
  notification: `notification_${run}`,
  analytics: `analytics_${run}`,
  search: `search_indexer_${run}`,
};
const groups = {
  notification: `notification-consumer-group-e2e-${run}`,
  analytics: `analytics-consumer-group-e2e-${run}`,
  search: `search-indexer-group-e2e-${run}`,
  chatProfiles: `chat-profile-cache-group-e2e-${run}`,
  friendProfiles: `friend-profile-cache-group-e2e-${run}`,
};
const replayGroups = {
  notification: `notification-consumer-group-replay-${run}`,
  analytics: `analytics-consumer-group-replay-${run}`,
  search: `search-indexer-group-replay-${run}`,
};
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  DATABASE_URL: infra.databaseUrl,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  AUTH_SECRET: `system-secret-${run}`,
  // Its own push channels: a system running beside the tests handles the same events.
  NOTIFICATION_PUSH_CHANNEL_PREFIX: `${run}:user:notifications:`,
};
const running: RunningProcess[] = [];
const streams: SseClient[] = [];
const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 3 });
const admin: Admin = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-system-${run}` }).admin();
const url: Record<string, string> = {};

/** One request to a service of this run's system, by its name in the plan. */
const http = <T = Record<string, unknown>>(
  service: string,
  method: string,
  route: string,
  options: { body?: unknown; token?: string } = {},
) => fetchJson<T>(url[service]!, method, route, options);

const rows = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows;
const count = async (table: string) => Number((await rows(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

beforeAll(async () => {
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  await admin.connect();
  const ports = await freePorts(8);
  const port = () => ports.shift()!;
  const plan: ServiceInstance[] = [
    { name: 'user', service: 'user', port: port(), schema: schemas.user, outbox: true },
    {
      name: 'friend',
      service: 'friend',
      port: port(),
      schema: schemas.friend,
      outbox: true,
      env: { PROFILE_CACHE_GROUP_ID: groups.friendProfiles },
    },
    {
      name: 'chat',
      service: 'chat',
      port: port(),
      schema: schemas.chat,
      outbox: true,
      env: { PROFILE_CACHE_GROUP_ID: groups.chatProfiles },
    },
    ...[1, 2].map((n) => ({
      name: `notification-${n}`,
      service: 'notification',
      port: port(),
      schema: schemas.notification,
      outbox: true,
      env: { NOTIFICATION_GROUP_ID: groups.notification },
    })),
    {
      name: 'analytics',
      service: 'analytics',
      port: port(),
      schema: schemas.analytics,
      outbox: false,
      env: { ANALYTICS_GROUP_ID: groups.analytics },
    },
    {
      name: 'search-indexer',
      service: 'search-indexer',
      port: port(),
      schema: schemas.search,
      outbox: false,
      env: { SEARCH_INDEXER_GROUP_ID: groups.search },
    },
  ];
  for (const s of plan) url[s.name] = `http://127.0.0.1:${s.port}`;
  running.push(
    ...(await startSystem({
      root,
      env,
      services: plan,
      relayMetricsBasePort: await freeRange(4),
      logDir: path.join(root, '.cache', 'logs', `e2e-system-${run}`),
    })),
  );
  const high = () => 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000);
  await pool.query(`ALTER SEQUENCE ${quoteIdent(schemas.user)}.users_id_seq RESTART WITH ${high()}`);
  await pool.query(`ALTER SEQUENCE ${quoteIdent(schemas.chat)}.chat_rooms_id_seq RESTART WITH ${high()}`);
  await pool.query(`ALTER SEQUENCE ${quoteIdent(schemas.friend)}.friendships_id_seq RESTART WITH ${high()}`);
  // Everything other runs left on the topics is handled before the scenario starts.
  await caughtUp(admin, Object.values(groups));
}, 300_000);

afterAll(async () => {
  for (const s of streams) await s.close();
  await stopSystem(running);
  await admin.deleteGroups([...Object.values(groups), ...Object.values(replayGroups)]).catch(() => undefined);
  await admin.disconnect();
  await pool.end();
  await dropSchemas(infra.databaseUrl, Object.values(schemas));
}, 180_000);

interface User {
  id: number;
  token: string;
}
const people: Record<'alice' | 'bob' | 'carol', User> = {} as Record<'alice' | 'bob' | 'carol', User>;
let roomId = 0;
const word = `lantern${run}`;
let statsBefore: Record<string, number> = {};
const today = () => new Date().toISOString().slice(0, 10);
const totals = async (token: string) =>
  (
    await http<{ totals: Record<string, number> }>(
      'analytics',
      'GET',
      `/stats?from=${today()}&to=${today()}`,
      { token },
    )
  ).body.totals;

describe('the chat system (npm start’s processes)', () => {
  it('runs every service and relay; each service is ready with its consumer groups', async () => {
    expect(running.filter((r) => r.kind === 'relay').map((r) => r.name)).toEqual([
      'relay-user',
      'relay-friend',
      'relay-chat',
      'relay-notification',
    ]);
    const ready = await http<{ consumers: Record<string, string> }>('notification-2', 'GET', '/ready');
    expect(ready).toMatchObject({
      status: 200,
      body: { consumers: { [groups.notification]: 'ready', 'live-push': 'ready' } },
    });
    expect((await http('analytics', 'GET', '/ready')).body).toMatchObject({
      consumers: { [groups.analytics]: 'ready' },
    });
    const health = { method: 'GET', route: '/health', status: '200' };
    const before = sampleSum(await scrape(`${url.chat}/metrics`), 'http_requests_total', health);
    for (let i = 0; i < 2; i++) expect((await http('chat', 'GET', '/health')).status).toBe(200);
    expect(sampleSum(await scrape(`${url.chat}/metrics`), 'http_requests_total', health) - before).toBe(2);
    expect((await http('search-indexer', 'GET', '/nowhere')).status).toBe(404);
    expect(
      sampleSum(await scrape(`${url['search-indexer']}/metrics`), 'http_requests_total', {
        route: 'unmatched',
        status: '404',
      }),
    ).toBe(1);
  });

  it('runs the scenario: register, befriend, room, messages, read; notifications over SSE through two instances', async () => {
    // Counters before the scenario, for the analytics check.
    const admin0 = await http<{ user: { id: number } }>('user', 'POST', '/users', {
      body: { email: `stats-${run}@example.com`, username: `stats_${run}`, password: 'stats-password' },
    });
    expect(admin0.status).toBe(201);
    const statsLogin = await http<{ token: string }>('user', 'POST', '/sessions', {
      body: { email: `stats-${run}@example.com`, password: 'stats-password' },
    });
    // Its welcome notification (and so its NotificationSent) comes before the baseline.
    await eventually(
      async () =>
        (
          await http<{ notifications: unknown[] }>('notification-1', 'GET', '/notifications', {
            token: statsLogin.body.token,
          })
        ).body.notifications.length,
      (n) => n === 1,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await caughtUp(admin, Object.values(groups));
    statsBefore = await totals(statsLogin.body.token);

    for (const name of ['alice', 'bob', 'carol'] as const) {
      const reg = await http<{ user: { id: number } }>('user', 'POST', '/users', {
        body: {
          email: `${name}-${run}@example.com`,
          username: `${name}_${run}`,
          password: `${name}-password`,
        },
      });
      expect(reg.status).toBe(201);
      const login = await http<{ token: string }>('user', 'POST', '/sessions', {
        body: { email: `${name}-${run}@example.com`, password: `${name}-password` },
      });
      expect(login.status).toBe(200);
      people[name] = { id: reg.body.user.id, token: login.body.token };
    }
    const { alice, bob, carol } = people;
    // Their welcome notifications are stored (and pushed to nobody) before the streams open.
    for (const who of [alice, bob, carol]) {
      await eventually(
        async () =>
          (
            await http<{ notifications: unknown[] }>('notification-1', 'GET', '/notifications', {
              token: who.token,
            })
          ).body.notifications.length,
        (n) => n === 1,
      );
    }
    // Alice on one notification instance, Bob on the other: each gets only their own pushes.
    const aliceSse = await connectSse(`${url['notification-1']}/notifications/stream`, alice.token);
    const bobSse = await connectSse(`${url['notification-2']}/notifications/stream`, bob.token);
    streams.push(aliceSse, bobSse);
    const notified = (type: string) => (e: { event: string; data: Record<string, unknown> }) =>
      e.event === 'notification' && e.data.notification_type === type;

    const request = await http<{ request: { id: number } }>('friend', 'POST', '/friend-requests', {
      token: alice.token,
      body: { addressee_id: bob.id },
    });
    expect(request.status).toBe(201);
    const toBob = await bobSse.waitFor(notified('friend_request'), 30_000, 'friend_request for Bob');
    expect(toBob.data).toMatchObject({ user_id: bob.id, content: { requester_id: alice.id } });

    // Only the addressee accepts: the requester is refused, and to anyone else the request does not exist.
    for (const [who, status] of [
      [alice, 403],
      [carol, 404],
    ] as const) {
      const refused = await http('friend', 'POST', `/friend-requests/${request.body.request.id}/accept`, {
        token: who.token,
      });
      expect(refused.status).toBe(status);
    }
    expect(
      (
        await http('friend', 'POST', `/friend-requests/${request.body.request.id}/accept`, {
          token: bob.token,
        })
      ).status,
    ).toBe(200);
    await aliceSse.waitFor(notified('friend_request_accepted'), 30_000, 'friend_request_accepted for Alice');

    const room = await http<{ room: { id: number } }>('chat', 'POST', '/rooms', {
      token: alice.token,
      body: { type: 'direct', user_id: bob.id },
    });
    expect(room.status).toBe(201);
    roomId = room.body.room.id;
    await bobSse.waitFor(notified('chat_room_created'), 30_000, 'chat_room_created for Bob');

    const sent: string[] = [];
    for (const content of [`bring the ${word}`, 'and the map']) {
      const m = await http<{ message: { id: string } }>('chat', 'POST', `/rooms/${roomId}/messages`, {
        token: alice.token,
        body: { content, message_type: 'text' },
      });
      expect(m.status).toBe(201);
      sent.push(m.body.message.id);
    }
    const reply = await http('chat', 'POST', `/rooms/${roomId}/messages`, {
      token: bob.token,
      body: { content: `the ${word} is packed`, message_type: 'text' },
    });
    expect(reply.status).toBe(201);
    // Carol is not a member: she may neither post nor read.
    expect(
      (
        await http('chat', 'POST', `/rooms/${roomId}/messages`, {
          token: carol.token,
          body: { content: 'let me in', message_type: 'text' },
        })
      ).status,
    ).toBe(403);
    expect((await http('chat', 'GET', `/rooms/${roomId}/messages`, { token: carol.token })).status).toBe(403);

    await eventually(
      async () => bobSse.received.filter(notified('new_message')).length,
      (n) => n >= 2,
    );
    await aliceSse.waitFor(notified('new_message'), 30_000, 'new_message for Alice');

    const read = await http<{ read: string[] }>('chat', 'POST', `/rooms/${roomId}/read`, {
      token: bob.token,
      body: { message_ids: sent },
    });
    expect(read).toMatchObject({ status: 200 });
    const receipt = await aliceSse.waitFor((e) => e.event === 'read', 30_000, 'read receipt for Alice');
    expect(receipt.data).toMatchObject({ room_id: roomId, reader_id: bob.id });

    await caughtUp(admin, Object.values(groups));
    await new Promise((r) => setTimeout(r, 500));
    // Each user got their own pushes, through the instance they are connected to, once each.
    // A welcome push may trail its stored row by a few milliseconds, and a login's presence may be
    // handled after the friendship: both are timing, not what is checked here.
    const kinds = (c: SseClient) =>
      c.received
        .map((e) => `${e.event}:${e.data.notification_type ?? ''}`)
        .filter((k) => k !== 'notification:welcome' && k !== 'presence:')
        .sort();
    expect(kinds(aliceSse)).toEqual([
      'notification:friend_request_accepted',
      'notification:new_message',
      'read:',
    ]);
    expect(kinds(bobSse)).toEqual([
      'notification:chat_room_created',
      'notification:friend_request',
      'notification:new_message',
      'notification:new_message',
    ]);
    for (const [client, user] of [
      [aliceSse, alice],
      [bobSse, bob],
    ] as const) {
      for (const e of client.received.filter((x) => x.event === 'notification'))
        expect(e.data.user_id).toBe(user.id);
    }

    // Stored and listable.
    const listed = await http<{ notifications: { notification_type: string }[] }>(
      'notification-2',
      'GET',
      '/notifications',
      { token: alice.token },
    );
    expect(listed.body.notifications.map((n) => n.notification_type).sort()).toEqual([
      'friend_request_accepted',
      'new_message',
      'welcome',
    ]);
  }, 180_000);

  it('refuses bad input with the failing fields and writes nothing', async () => {
    const { alice } = people;
    const outbox = `${quoteIdent(schemas.friend)}.domain_event_outbox`;
    const before = await count(`${quoteIdent(schemas.friend)}.friendships`);
    const outboxBefore = await count(outbox);
    const bad = await http<{ fields: { path: string }[] }>('friend', 'POST', '/friend-requests', {
      token: alice.token,
      body: { addressee_id: 'bob' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f) => f.path)).toEqual(['/body/addressee_id']);
    expect(await count(`${quoteIdent(schemas.friend)}.friendships`)).toBe(before);
    expect(await count(outbox)).toBe(outboxBefore);

    const users = await count(`${quoteIdent(schemas.user)}.users`);
    const reg = await http<{ fields: { path: string }[] }>('user', 'POST', '/users', {
      body: { email: 'not-an-email', username: 'x', password: 'short' },
    });
    expect(reg.status).toBe(400);
    expect(reg.body.fields.map((f) => f.path).sort()).toEqual([
      '/body/email',
      '/body/password',
      '/body/username',
    ]);
    expect(await count(`${quoteIdent(schemas.user)}.users`)).toBe(users);

    const noToken = await http('chat', 'GET', '/rooms');
    expect(noToken.status).toBe(401);
    const forged = await http('chat', 'GET', '/rooms', { token: `${alice.token}x` });
    expect(forged.status).toBe(401);
    const badPage = await http('chat', 'GET', `/rooms/${roomId}/messages?limit=0`, { token: alice.token });
    expect(badPage.status).toBe(400);
  });

  it('searches only the caller’s rooms', async () => {
    const { bob, carol } = people;
    const found = await eventually(
      () =>
        http<{ results: { room_id: number; content: string }[] }>(
          'search-indexer',
          'GET',
          `/search?q=${word}`,
          { token: bob.token },
        ),
      (r) => r.body.results?.length === 2,
    );
    expect(found.body.results.map((r) => r.room_id)).toEqual([roomId, roomId]);
    const none = await http<{ results: unknown[] }>('search-indexer', 'GET', `/search?q=${word}`, {
      token: carol.token,
    });
    expect(none).toMatchObject({ status: 200, body: { results: [] } });
    expect(
      (await http('search-indexer', 'GET', `/search?q=${word}&room_id=${roomId}`, { token: carol.token }))
        .status,
    ).toBe(403);
  });

  it('counts the scenario’s events in analytics', async () => {
    const expected = {
      ChatRoomCreated: 1,
      FriendRequestAccepted: 1,
      FriendRequestSent: 1,
      MessageSent: 3,
      MessagesRead: 1,
      // welcome ×3, friend_request, friend_request_accepted, chat_room_created, new_message ×3
      NotificationSent: 9,
      // Each login marks the user online.
      UserOnlineStatusChanged: 3,
      UserRegistered: 3,
    };
    const delta = async () => {
      const after = await totals(people.alice.token);
      return Object.fromEntries(
        Object.entries(after)
          .map(([type, n]) => [type, n - (statsBefore[type] ?? 0)] as const)
          .filter(([, n]) => n !== 0)
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    };
    // The last NotificationSent may still be on its way through the notification outbox.
    expect(await eventually(delta, (d) => JSON.stringify(d) === JSON.stringify(expected))).toEqual(expected);
  }, 120_000);

  it('counts in /metrics what it published and consumed: relays per event type, consumers per group and outcome', async () => {
    // Each relay published exactly the outbox rows of the scenario (the schemas are this run's own);
    // the user service published presence directly, one per login.
    const published = async (name: string, via: 'outbox' | 'direct') => {
      const where = name.startsWith('relay-')
        ? running.find((r) => r.name === name)!.url
        : `${url[name]}/metrics`;
      const samples = samplesOf(await scrape(where), 'domain_events_published_total', { via });
      return Object.fromEntries(
        samples.filter((m) => m.value > 0).map((m) => [m.labels.event_type!, m.value] as const),
      );
    };
    expect(await published('relay-user', 'outbox')).toEqual({ UserRegistered: 4 }); // the stats user and three people
    expect(await published('relay-friend', 'outbox')).toEqual({
      FriendRequestSent: 1,
      FriendRequestAccepted: 1,
    });
    expect(await published('relay-chat', 'outbox')).toEqual({
      ChatRoomCreated: 1,
      MessageSent: 3,
      MessagesRead: 1,
    });
    // One NotificationSent per stored notification: the scenario's, and those of the events other
    // test files left on the topics (the groups started at offset 0).
    const stored = await count(`${quoteIdent(schemas.notification)}.notifications`);
    expect(stored).toBeGreaterThanOrEqual(10); // four welcomes, friend_request(_accepted), chat_room_created, new_message ×3
    expect(await published('relay-notification', 'outbox')).toEqual({ NotificationSent: stored });
    expect(await count(`${quoteIdent(schemas.notification)}.domain_event_outbox`)).toBe(0);
    expect(await published('user', 'direct')).toEqual({ UserOnlineStatusChanged: 4 });

    // The profile-cache groups handle UserProfileUpdated only, which the scenario does not publish:
    // one now, so each has handled something whatever other test files left on the topics.
    const patched = await http('user', 'PATCH', '/users/me', {
      token: people.alice.token,
      body: { status_message: 'counting' },
    });
    expect(patched.status).toBe(200);
    await eventually(
      () => published('relay-user', 'outbox'),
      (p) => p.UserProfileUpdated === 1,
    );

    // Every group read its topics from offset 0 and has caught up: it finished with every record on
    // them exactly once (handled; skipped, a type it does not subscribe to; duplicate, an event id seen
    // before: replays of earlier runs put NotificationSent ids on the topic again), and is 0 behind.
    await caughtUp(admin, Object.values(groups));
    const records = async (topics: readonly string[]) => {
      let n = 0;
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) n += Number(BigInt(p.high) - BigInt(p.low));
      }
      return n;
    };
    const finished = (samples: Sample[], group: string, outcome?: string) =>
      sampleSum(samples, 'domain_events_consumed_total', outcome ? { group, outcome } : { group });
    for (const [service, groupId] of [
      ['chat', groups.chatProfiles],
      ['friend', groups.friendProfiles],
      ['analytics', groups.analytics],
      ['search-indexer', groups.search],
    ] as const) {
      const samples = await scrape(`${url[service]}/metrics`);
      const topics = topicsOf(contractGroupOf(groupId));
      expect(finished(samples, groupId), `${groupId} finished`).toBe(await records(topics));
      expect(finished(samples, groupId, 'handled')).toBeGreaterThan(0);
      expect(sampleSum(samples, 'domain_events_dead_lettered_total', { group: groupId }), groupId).toBe(0);
      const lag = samplesOf(samples, 'consumer_lag', { group: groupId });
      expect(lag.length, `${groupId} lag samples`).toBeGreaterThan(0);
      expect(lag.filter((m) => m.value !== 0)).toEqual([]);
    }
    // The two notification instances share the group: together they finished every record; one handed
    // over in a rebalance may have been finished by both, the second time as a duplicate.
    const [n1, n2] = await Promise.all(
      ['notification-1', 'notification-2'].map((name) => scrape(`${url[name]}/metrics`)),
    );
    const both = (outcome?: string) =>
      finished(n1!, groups.notification, outcome) + finished(n2!, groups.notification, outcome);
    const onTopics = await records(topicsOf(contractGroupOf(groups.notification)));
    expect(both()).toBeGreaterThanOrEqual(onTopics);
    expect(both() - onTopics).toBeLessThanOrEqual(both('duplicate'));
    expect(both('handled')).toBeGreaterThan(0);
  });

  it('npm run demo drives its scenario against the system and exits 0', async () => {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['scripts/demo/main.ts'], {
        cwd: root,
        env: {
          ...env,
          NO_COLOR: '1',
          USER_SERVICE_URL: url.user,
          FRIEND_SERVICE_URL: url.friend,
          CHAT_SERVICE_URL: url.chat,
          NOTIFICATION_SERVICE_URL: url['notification-1'],
          ANALYTICS_SERVICE_URL: url.analytics,
          SEARCH_SERVICE_URL: url['search-indexer'],
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      child.on('exit', resolve);
    });
    const text = output.join('');
    expect(code, text).toBe(0);
    expect(text).toContain('Demo complete.');
    expect(text).toMatch(/SSE +→ Bob: notification friend_request: "\w+ sent you a friend request"/);
    expect(text).toMatch(/event MessageSent +message\.events +partition \d+ +offset \d+ +key "\d+"/);
    expect(text).toContain(`handled by ${groups.analytics}`);
  }, 120_000);

  it('replays every topic from offset 0 into fresh groups of notification, analytics and search: nothing changes', async () => {
    await caughtUp(admin, Object.values(groups));
    await new Promise((r) => setTimeout(r, 1_000)); // the relays publish the last NotificationSent
    const n = quoteIdent(schemas.notification);
    const snapshot = async () => ({
      notifications: await rows(
        `SELECT count(*)::int AS n, md5(string_agg(id::text || ':' || coalesce(read_at::text, ''), ',' ORDER BY id)) AS h FROM ${n}.notifications`,
      ),
      notificationState: [
        await count(`${n}.rooms`),
        await count(`${n}.friends`),
        await count(`${n}.message_senders`),
        await count(`${n}.pending_room_messages`),
        await count(`${n}.live_pushes`),
        await count(`${n}.domain_event_outbox`),
      ],
      notificationSent: (await admin.fetchTopicOffsets('notification.events')).map((p) => p.high),
      counters: await rows(
        `SELECT day::text, event_type, count::text FROM ${quoteIdent(schemas.analytics)}.event_counts ORDER BY day, event_type`,
      ),
      counted: await count(`${quoteIdent(schemas.analytics)}.counted_events`),
      indexed: await rows(
        `SELECT count(*)::int AS n, md5(string_agg(message_id::text, ',' ORDER BY message_id)) AS h FROM ${quoteIdent(schemas.search)}.indexed_messages`,
      ),
      pushes: streams.map((s) => s.received.length),
    });
    const before = await snapshot();
    expect(before.notifications[0]?.n).toBeGreaterThan(0);

    const ports = await freePorts(3);
    const replay = await startSystem({
      root,
      env,
      services: [
        {
          name: 'notification-replay',
          service: 'notification',
          port: ports[0]!,
          schema: schemas.notification,
          outbox: false,
          env: { NOTIFICATION_GROUP_ID: replayGroups.notification },
        },
        {
          name: 'analytics-replay',
          service: 'analytics',
          port: ports[1]!,
          schema: schemas.analytics,
          outbox: false,
          env: { ANALYTICS_GROUP_ID: replayGroups.analytics },
        },
        {
          name: 'search-indexer-replay',
          service: 'search-indexer',
          port: ports[2]!,
          schema: schemas.search,
          outbox: false,
          env: { SEARCH_INDEXER_GROUP_ID: replayGroups.search },
        },
      ],
      logDir: path.join(root, '.cache', 'logs', `e2e-system-${run}`),
    });
    running.push(...replay);
    await caughtUp(admin, Object.values(replayGroups));
    // Every record was handled by the fresh groups (their own processed-event records) ...
    for (const [schema, group] of [
      [schemas.notification, replayGroups.notification],
      [schemas.analytics, replayGroups.analytics],
      [schemas.search, replayGroups.search],
    ] as const) {
      const handled = await rows(
        `SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.consumer_processed_events WHERE group_id = $1`,
        [group],
      );
      expect(handled[0]?.n, group).toBeGreaterThan(0);
    }
    await new Promise((r) => setTimeout(r, 1_000));
    // ... and nothing changed: no notification, counter, index row, NotificationSent or live push a second time.
    expect(await snapshot()).toEqual(before);
    await stopSystem(replay);
  }, 240_000);

  it('kept every process on the test run’s broker: npm start’s broker knows none of its groups', async () => {
    // Every consumer group of this file exists on the test broker ...
    const described = await admin.describeGroups([...Object.values(groups), ...Object.values(replayGroups)]);
    expect(described.groups.filter((g) => g.state === 'Dead').map((g) => g.groupId)).toEqual([]);
    // ... and none of them exists on the broker `npm start` uses by default, when one runs there.
    const startBrokers = npmStartDefaultBrokers();
    const [ours, theirs] = await Promise.all([
      probeKafka(infra.kafkaBrokers),
      probeKafka(startBrokers, 2000),
    ]);
    if (!theirs.ok || (ours.ok && ours.clusterId === theirs.clusterId)) return; // nothing there, or told to share (test-broker.test.ts)
    const start = createKafka({ brokers: startBrokers, clientId: `e2e-system-check-${run}` }).admin();
    await start.connect();
    try {
      const there = await start.describeGroups([...Object.values(groups), ...Object.values(replayGroups)]);
      expect(there.groups.filter((g) => g.state !== 'Dead').map((g) => g.groupId)).toEqual([]);
    } finally {
      await start.disconnect();
    }
  });
});
