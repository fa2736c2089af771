/**
 * The chat service with the user service behind it, against the real
 * PostgreSQL and Kafka: room creation rules and refusals, membership checks,
 * cursor pagination, the ChatRoomCreated / MessageSent / MessagesRead events in
 * the chat schema's outbox (same transaction as the rows, right keys, none for a
 * refused request), and chat-profile-cache-group keeping sender names current
 * from UserProfileUpdated relayed out of the user schema's outbox.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { type ChatService, createChatService } from '../../services/chat/service.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { httpUserDirectory } from '../../services/shared/profile-cache.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  call,
  count,
  dropSchemas,
  eventually,
  outboxRows,
  randomizeUserIds,
  runId,
  silent,
  startGroupAtEnd,
  startUserService,
  TEST_SECRET,
  type TestUserService,
} from './support.ts';

const infra = useInfrastructure();
const run = runId();
const userSchema = `user_${run}`;
const chatSchema = `chat_${run}`;
const groupId = `chat-profile-cache-group-e2e-${run}`;

const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-chat-${run}` });
const deadLetterProducer = testKafkaClients().producer();
const relayProducer = testKafkaClients().producer();
const chatPool = createServicePool(infra.databaseUrl, chatSchema, 5);

let user: TestUserService;
let chat: ChatService;
let relay: OutboxRelay;

interface Account {
  id: number;
  token: string;
}
interface RoomBody {
  room: { id: number; room_type: string; name: string | null; member_ids: number[] };
}
interface MessageBody {
  message: { id: string; room_id: number; user_id: number; username: string; content: string };
}
interface PageBody {
  messages: { id: string; content: string }[];
  next_cursor: string | null;
}

const accounts: Record<string, Account> = {};

async function signUp(name: string, displayName: string): Promise<Account> {
  const reg = await call<{ user: { id: number } }>(user.app, 'POST', '/users', {
    body: {
      email: `${name}-${run}@example.com`,
      username: `${name}_${run}`,
      password: `${name}-password`,
      display_name: displayName,
    },
  });
  expect(reg.status).toBe(201);
  const login = await call<{ token: string }>(user.app, 'POST', '/sessions', {
    body: { email: `${name}-${run}@example.com`, password: `${name}-password` },
  });
  return { id: reg.body.user.id, token: login.body.token };
}

const app = () => chat.service.app;
const a = (name: string): Account => accounts[name]!;
const tables = ['chat_rooms', 'room_members', 'messages', 'message_reads', 'domain_event_outbox'];
const snapshot = async () => Promise.all(tables.map((t) => count(chatPool, `"${chatSchema}".${t}`)));

async function send(token: string, roomId: number, content: string, type = 'text') {
  return call<MessageBody>(app(), 'POST', `/rooms/${roomId}/messages`, {
    token,
    body: { content, message_type: type },
  });
}

beforeAll(async () => {
  user = await startUserService(infra, userSchema);
  await randomizeUserIds(user.pool, userSchema);
  await migrateService(chatPool, {
    schema: chatSchema,
    dir: path.join(import.meta.dirname, '../../services/chat/migrations'),
  });
  await startGroupAtEnd(infra.kafkaBrokers, groupId, 'user.events');
  await relayProducer.connect();
  relay = new OutboxRelay({
    database: infra.databaseUrl,
    schema: userSchema,
    producer: relayProducer,
    retentionMs: 60_000,
    pollIntervalMs: 200,
  });
  await relay.start();
  chat = createChatService({
    pool: chatPool,
    schema: chatSchema,
    logger: silent('chat'),
    authSecret: TEST_SECRET,
    users: httpUserDirectory({
      baseUrl: 'http://user.test',
      fetch: (input, init) => user.app.request(input, init),
    }),
    consumers: createConsumerRuntime({ kafka: testKafkaClients(), pool: chatPool, deadLetterProducer }),
    consumerOptions: { groupId },
    defaultMetrics: false,
  });
  for (const [name, display] of [
    ['alice', 'Alice'],
    ['bob', 'Bob'],
    ['carol', 'Carol'],
    ['dave', 'Dave'],
  ] as const) {
    accounts[name] = await signUp(name, display);
  }
});

afterAll(async () => {
  await chat?.close();
  await relay?.stop();
  await relayProducer.disconnect();
  await deadLetterProducer.disconnect();
  await chatPool.end();
  await user?.close();
  await dropSchemas(infra.databaseUrl, [userSchema, chatSchema]);
});

let direct: number;
let group: number;

describe('chat service', () => {
  it('is ready once the profile cache group has joined, and requires a valid token', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready).toMatchObject({ status: 200, body: { consumers: { [groupId]: 'ready' } } });
    expect(await call(app(), 'GET', '/rooms')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(
      await call(app(), 'POST', '/rooms', { token: 'x.y.z', body: { type: 'direct', user_id: 1 } }),
    ).toMatchObject({ status: 401 });
  });

  it('creates a direct room once per pair; ChatRoomCreated keyed by the creator, same transaction', async () => {
    const created = await call<RoomBody>(app(), 'POST', '/rooms', {
      token: a('alice').token,
      body: { type: 'direct', user_id: a('bob').id },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { room: { room_type: 'direct', name: null, member_ids: [a('alice').id, a('bob').id] } },
    });
    direct = created.body.room.id;

    const before = await snapshot();
    // The same pair, either way round, is a conflict that names the existing room.
    for (const [from, to] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      expect(
        await call(app(), 'POST', '/rooms', {
          token: a(from).token,
          body: { type: 'direct', user_id: a(to).id },
        }),
      ).toMatchObject({ status: 409, body: { error: 'conflict', room_id: direct } });
    }
    expect(await snapshot()).toEqual(before);

    const events = (await outboxRows(chatPool, chatSchema)).filter(
      (e) => (e.payload as { room_id: number }).room_id === direct,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'ChatRoomCreated',
      topic: 'chat.events',
      key: String(a('alice').id),
      payload: {
        room_id: direct,
        user_1_id: a('alice').id,
        user_2_id: a('bob').id,
        room_type: 'direct',
        member_ids: [a('alice').id, a('bob').id],
        room_name: null,
      },
    });
    const { rows } = await chatPool.query<{ xmin: string }>(
      `SELECT xmin::text AS xmin FROM "${chatSchema}".chat_rooms WHERE id = $1`,
      [direct],
    );
    expect(rows[0]?.xmin).toBe(events[0]?.xmin);
  });

  it('creates a group room with a name and the creator as a member', async () => {
    const created = await call<RoomBody>(app(), 'POST', '/rooms', {
      token: a('alice').token,
      body: { type: 'group', name: 'Weekend hike', member_ids: [a('bob').id, a('carol').id] },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        room: {
          room_type: 'group',
          name: 'Weekend hike',
          member_ids: [a('alice').id, a('bob').id, a('carol').id],
        },
      },
    });
    group = created.body.room.id;
    const event = (await outboxRows(chatPool, chatSchema)).find(
      (e) => (e.payload as { room_id: number }).room_id === group,
    );
    expect(event).toMatchObject({
      event_type: 'ChatRoomCreated',
      key: String(a('alice').id),
      payload: {
        user_1_id: a('alice').id,
        user_2_id: a('bob').id,
        room_type: 'group',
        room_name: 'Weekend hike',
      },
    });
    // A second group with the same people is allowed (only direct rooms are unique per pair).
    expect(
      await call(app(), 'POST', '/rooms', {
        token: a('bob').token,
        body: { type: 'group', name: 'Again', member_ids: [a('alice').id] },
      }),
    ).toMatchObject({ status: 201 });
  });

  it('refuses invalid rooms (400 with fields, 404 for an unknown user), writing nothing', async () => {
    const before = await snapshot();
    const token = a('dave').token;
    const refusals: [unknown, number, string?][] = [
      [{ type: 'direct', user_id: a('dave').id }, 400, '/body/user_id'],
      [{ type: 'direct', user_id: 'bob' }, 400],
      [{ type: 'direct' }, 400],
      [{ type: 'group', member_ids: [a('bob').id] }, 400],
      [{ type: 'group', name: 'x', member_ids: [] }, 400],
      [{ type: 'group', name: '   ', member_ids: [a('bob').id] }, 400],
      [{ type: 'group', name: 'x', member_ids: [a('bob').id, a('bob').id] }, 400],
      [{ type: 'group', name: 'x', member_ids: [a('bob').id, a('dave').id] }, 400, '/body/member_ids/1'],
      [{ type: 'channel', name: 'x' }, 400],
      [{ type: 'direct', user_id: 999_999_999 }, 404],
      [{ type: 'group', name: 'x', member_ids: [a('bob').id, 999_999_999] }, 404],
    ];
    for (const [body, status, field] of refusals) {
      const res = await call<{ fields?: { path: string }[] }>(app(), 'POST', '/rooms', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (status === 400) expect(res.body).toMatchObject({ error: 'validation' });
      if (field) expect(res.body.fields?.map((f) => f.path)).toContain(field);
    }
    expect(await call(app(), 'POST', '/rooms', { token, body: 'not json' })).toMatchObject({ status: 400 });
    expect(await snapshot()).toEqual(before);
  });

  it('sends messages (members only); MessageSent keyed by room_id with the display name, same transaction', async () => {
    const sent = await send(a('alice').token, group, 'Who brings the tent?');
    expect(sent).toMatchObject({
      status: 201,
      body: {
        message: {
          room_id: group,
          user_id: a('alice').id,
          username: 'Alice',
          content: 'Who brings the tent?',
        },
      },
    });
    expect(sent.body.message.id).toMatch(/^[0-9a-f-]{36}$/);
    const image = await send(a('bob').token, group, 'https://cdn.example.com/tent.jpg', 'image');
    expect(image).toMatchObject({ status: 201, body: { message: { username: 'Bob' } } });

    const events = (await outboxRows(chatPool, chatSchema)).filter((e) => e.event_type === 'MessageSent');
    const event = events.find(
      (e) => (e.payload as { message_id: string }).message_id === sent.body.message.id,
    );
    expect(event).toMatchObject({
      topic: 'message.events',
      key: String(group),
      payload: {
        message_id: sent.body.message.id,
        room_id: group,
        user_id: a('alice').id,
        username: 'Alice',
        content: 'Who brings the tent?',
        message_type: 'text',
      },
    });
    const { rows } = await chatPool.query<{ xmin: string }>(
      `SELECT xmin::text AS xmin FROM "${chatSchema}".messages WHERE id = $1`,
      [sent.body.message.id],
    );
    expect(rows[0]?.xmin).toBe(event?.xmin);

    const before = await snapshot();
    // Dave is not a member: he may neither post nor read.
    expect(await send(a('dave').token, group, 'hi')).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(await call(app(), 'GET', `/rooms/${group}/messages`, { token: a('dave').token })).toMatchObject({
      status: 403,
    });
    expect(
      await call(app(), 'POST', `/rooms/${group}/read`, {
        token: a('dave').token,
        body: { message_ids: [sent.body.message.id] },
      }),
    ).toMatchObject({ status: 403 });
    // Carol is not in the direct room of Alice and Bob.
    expect(await send(a('carol').token, direct, 'hi')).toMatchObject({ status: 403 });
    expect(await send(a('alice').token, 999_999_999, 'hi')).toMatchObject({ status: 404 });
    // Invalid bodies.
    for (const body of [
      { content: '', message_type: 'text' },
      { content: '  \n ', message_type: 'text' },
      { content: 'x'.repeat(10_001), message_type: 'text' },
      { content: 'hello', message_type: 'video' },
      { content: 'not a url', message_type: 'image' },
      { content: 'ftp://files.example.com/a.pdf', message_type: 'file' },
      { content: 'hello' },
      { content: 'hello', message_type: 'text', extra: 1 },
    ]) {
      const res = await call(app(), 'POST', `/rooms/${group}/messages`, { token: a('alice').token, body });
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: 'validation' } });
    }
    expect(
      await call(app(), 'POST', '/rooms/abc/messages', {
        token: a('alice').token,
        body: { content: 'hi', message_type: 'text' },
      }),
    ).toMatchObject({ status: 400, body: { fields: [{ path: '/params/id' }] } });
    expect(await snapshot()).toEqual(before);
  });

  it('pages through a room newest first with a cursor', async () => {
    const sent: string[] = [];
    for (let i = 1; i <= 5; i++)
      sent.push((await send(a('bob').token, direct, `message ${i}`)).body.message.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const url: string = `/rooms/${direct}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { status: number; body: PageBody } = await call<PageBody>(app(), 'GET', url, {
        token: a('alice').token,
      });
      expect(page.status).toBe(200);
      sizes.push(page.body.messages.length);
      seen.push(...page.body.messages.map((m) => m.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...sent].reverse());
    expect(
      await call(app(), 'GET', `/rooms/${direct}/messages?limit=0`, { token: a('alice').token }),
    ).toMatchObject({ status: 400, body: { fields: [{ path: '/query/limit' }] } });
    expect(
      await call(app(), 'GET', `/rooms/${direct}/messages?cursor=abc`, { token: a('alice').token }),
    ).toMatchObject({ status: 400, body: { fields: [{ path: '/query/cursor' }] } });
  });

  it('marks messages read (members only, ids of the room); MessagesRead keyed by room_id', async () => {
    const page = await call<PageBody>(app(), 'GET', `/rooms/${direct}/messages?limit=2`, {
      token: a('alice').token,
    });
    const ids = page.body.messages.map((m) => m.id);
    const foreign = (await send(a('alice').token, group, 'elsewhere')).body.message.id;

    const before = await snapshot();
    const refused = await call<{ fields: { path: string }[] }>(app(), 'POST', `/rooms/${direct}/read`, {
      token: a('alice').token,
      body: { message_ids: [ids[0], foreign] },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: 'validation', fields: [{ path: '/body/message_ids/1' }] },
    });
    for (const body of [{ message_ids: [] }, { message_ids: ['nope'] }, {}]) {
      expect(
        await call(app(), 'POST', `/rooms/${direct}/read`, { token: a('alice').token, body }),
      ).toMatchObject({ status: 400 });
    }
    expect(await snapshot()).toEqual(before);

    const read = await call<{ read: string[] }>(app(), 'POST', `/rooms/${direct}/read`, {
      token: a('alice').token,
      body: { message_ids: ids },
    });
    expect(read).toMatchObject({ status: 200, body: { read: ids } });
    const events = (await outboxRows(chatPool, chatSchema)).filter((e) => e.event_type === 'MessagesRead');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      topic: 'message.events',
      key: String(direct),
      payload: { room_id: direct, user_id: a('alice').id, message_ids: ids },
    });
    // Read again, or one's own messages: nothing becomes read, no event.
    expect(
      await call(app(), 'POST', `/rooms/${direct}/read`, {
        token: a('alice').token,
        body: { message_ids: ids },
      }),
    ).toMatchObject({ status: 200, body: { read: [] } });
    expect(
      await call(app(), 'POST', `/rooms/${direct}/read`, {
        token: a('bob').token,
        body: { message_ids: ids },
      }),
    ).toMatchObject({ status: 200, body: { read: [] } });
    expect(
      (await outboxRows(chatPool, chatSchema)).filter((e) => e.event_type === 'MessagesRead'),
    ).toHaveLength(1);
  });

  it("lists the caller's rooms with members and the last message", async () => {
    const carol = await call<{ rooms: { id: number }[] }>(app(), 'GET', '/rooms', {
      token: a('carol').token,
    });
    expect(carol.body.rooms.map((r) => r.id)).toEqual([group]);
    expect(await call(app(), 'GET', '/rooms', { token: a('dave').token })).toMatchObject({
      status: 200,
      body: { rooms: [] },
    });
    const alice = await call<{
      rooms: { id: number; members: { user_id: number; display_name: string }[]; last_message: unknown }[];
    }>(app(), 'GET', '/rooms', { token: a('alice').token });
    expect(alice.body.rooms.map((r) => r.id)).toContain(direct);
    expect(alice.body.rooms.find((r) => r.id === direct)).toMatchObject({
      members: [
        { user_id: a('alice').id, display_name: 'Alice' },
        { user_id: a('bob').id, display_name: 'Bob' },
      ],
      last_message: { content: 'message 5', user_id: a('bob').id },
    });
  });

  it('uses display names refreshed by UserProfileUpdated (user outbox → relay → Kafka → consumer)', async () => {
    expect(
      await call(user.app, 'PATCH', '/users/me', {
        token: a('bob').token,
        body: { display_name: 'Bob Lee' },
      }),
    ).toMatchObject({ status: 200 });
    const rooms = await eventually(
      () =>
        call<{ rooms: { id: number; members: { user_id: number; display_name: string }[] }[] }>(
          app(),
          'GET',
          '/rooms',
          { token: a('alice').token },
        ),
      (r) =>
        r.body.rooms.find((room) => room.id === direct)?.members.some((m) => m.display_name === 'Bob Lee') ??
        false,
    );
    expect(rooms.body.rooms.find((room) => room.id === direct)?.members).toContainEqual(
      expect.objectContaining({ user_id: a('bob').id, display_name: 'Bob Lee' }),
    );
    expect(await send(a('bob').token, direct, 'new name')).toMatchObject({
      status: 201,
      body: { message: { username: 'Bob Lee' } },
    });
    expect(await count(chatPool, `"${chatSchema}".consumer_processed_events`)).toBeGreaterThanOrEqual(1);
  });
});
