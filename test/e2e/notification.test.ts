/**
 * The notification service against the real PostgreSQL, Kafka and Redis:
 * two instances in one consumer group on one `notification_<random>` schema
 * (fresh group id, started at the end of the shared topics), events published
 * with the generated publishers, notifications stored once for the right
 * recipients with NotificationSent in the outbox (key = recipient), live
 * pushes over SSE through Redis to each user's own instance, and mark-as-read.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatEventsPublisher,
  friendEventsPublisher,
  messageEventsPublisher,
  notificationEventsOutbox,
  topicSpecs,
  userEventsPublisher,
  userOnlineStatusPublisher,
} from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter } from '../../runtime/outbox/write.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { connectSse } from '../../scripts/demo/sse-client.ts';
import { notificationId, storeNotifications } from '../../services/notification/notifications.ts';
import { createNotificationService, type NotificationService } from '../../services/notification/service.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService, withTransaction } from '../../services/shared/db.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  call,
  dropSchemas,
  eventually,
  outboxRows,
  runId,
  silent,
  startGroupAtEnd,
  TEST_SECRET,
} from './support.ts';

const infra = useInfrastructure();

const run = runId();
const schema = `notification_${run}`;
const groupId = `notification-consumer-group-e2e-${run}`;
const TOPICS = ['user.events', 'user.online_status', 'friend.events', 'chat.events', 'message.events'];

const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-notification-${run}` });
const deadLetterProducer = testKafkaClients().producer();
const producer = testKafkaClients().producer();
const events = createEventProducer({ producer });
const users = userEventsPublisher(events);
const presence = userOnlineStatusPublisher(events);
const friends = friendEventsPublisher(events);
const chats = chatEventsPublisher(events);
const messages = messageEventsPublisher(events);
const metrics = new RuntimeMetrics();

// Two instances, as two processes would be: each its own pool, both in one group, one schema.
const poolA = createServicePool(infra.databaseUrl, schema, 6);
const poolB = createServicePool(infra.databaseUrl, schema, 6);
let a: NotificationService;
let b: NotificationService;
const servers: ServerType[] = [];
const ports: number[] = [];

// User ids far from those other runs leave on the shared topics.
const base = 2_000_000_000 + Math.floor(Math.random() * 7_000_000_000);
const id = (n: number) => base + n;
const tokens = new Map<number, string>();
const token = async (userId: number) => {
  let t = tokens.get(userId);
  if (!t) {
    t = await issueToken(TEST_SECRET, userId);
    tokens.set(userId, t);
  }
  return t;
};

interface Listed {
  notifications: {
    notification_id: string;
    user_id: number;
    notification_type: string;
    title: string;
    content: Record<string, unknown>;
    read_at: string | null;
  }[];
  next_cursor: string | null;
}

async function list(userId: number, query = ''): Promise<Listed> {
  const res = await call<Listed>(a.service.app, 'GET', `/notifications${query}`, {
    token: await token(userId),
  });
  expect(res.status).toBe(200);
  return res.body;
}
const typesOf = async (userId: number) =>
  (await list(userId)).notifications.map((n) => n.notification_type).sort();
const waitTypes = (userId: number, n: number) =>
  eventually(
    () => typesOf(userId),
    (t) => t.length >= n,
  );

const build = (pool: pg.Pool) =>
  createNotificationService({
    pool,
    schema,
    logger: silent('notification'),
    authSecret: TEST_SECRET,
    redisUrl: infra.redisUrl,
    // Its own channels: a system running beside the tests handles the same events for the same users.
    pushChannelPrefix: `${schema}:user:notifications:`,
    consumers: createConsumerRuntime({ kafka: testKafkaClients(), pool, deadLetterProducer, metrics }),
    consumerOptions: { groupId },
    defaultMetrics: false,
  });

beforeAll(async () => {
  await migrateService(poolA, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/notification/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  await startGroupAtEnd(infra.kafkaBrokers, groupId, TOPICS);
  await producer.connect();
  a = build(poolA);
  b = build(poolB);
  for (const s of [a, b]) {
    const server: ServerType = await new Promise((resolve) => {
      const srv = serve({ fetch: s.service.app.fetch, port: 0 }, () => resolve(srv));
    });
    servers.push(server);
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await a?.close();
  await b?.close();
  await producer.disconnect();
  await deadLetterProducer.disconnect();
  await poolA.end();
  await poolB.end();
  await dropSchemas(infra.databaseUrl, [schema]);
}, 60_000);

const now = () => new Date().toISOString();

/** An SSE client on a real listener: its `notification`/`presence`/`read` events, once `ready` was seen. */
const sseOf = async (port: number, userId: number) =>
  connectSse(`http://127.0.0.1:${port}/notifications/stream`, await token(userId));

describe('notification service', () => {
  it('is ready once both instances joined the group and the push fan-out is up', async () => {
    for (const s of [a, b]) {
      const ready = await eventually(
        () => call(s.service.app, 'GET', '/ready'),
        (r) => r.status === 200,
      );
      expect(ready).toMatchObject({
        status: 200,
        body: { consumers: { [groupId]: 'ready', 'live-push': 'ready' } },
      });
    }
  });

  it('requires a valid token', async () => {
    expect(await call(a.service.app, 'GET', '/notifications')).toMatchObject({ status: 401 });
    expect(await call(a.service.app, 'GET', '/notifications/stream', { token: 'x.y.z' })).toMatchObject({
      status: 401,
    });
  });

  it('notifies the right recipients, stores each once, and writes NotificationSent keyed by the recipient', async () => {
    const [u1, u2, u3] = [id(1), id(2), id(3)];
    const room = base;
    await users.publish({
      type: 'UserRegistered',
      payload: {
        user_id: u1,
        email: `u1-${run}@example.com`,
        username: `u1_${run}`,
        display_name: 'Una',
        timestamp: now(),
      },
    });
    await friends.publish({
      type: 'FriendRequestSent',
      payload: {
        friendship_id: base,
        requester_id: u1,
        requester_name: 'Una',
        addressee_id: u2,
        addressee_name: 'Duo',
        timestamp: now(),
      },
    });
    await friends.publish({
      type: 'FriendRequestAccepted',
      payload: {
        friendship_id: base,
        requester_id: u1,
        requester_name: 'Una',
        addressee_id: u2,
        addressee_name: 'Duo',
        timestamp: now(),
      },
    });
    await chats.publish({
      type: 'ChatRoomCreated',
      payload: {
        room_id: room,
        user_1_id: u1,
        user_2_id: u2,
        room_type: 'group',
        member_ids: [u1, u2, u3],
        room_name: 'Trio',
        timestamp: now(),
      },
    });
    // MessageSent is on another topic: only once the room is known does it reach the members.
    expect(await waitTypes(u3, 1)).toEqual(['chat_room_created']);
    const messageId = randomUUID();
    await messages.publish({
      type: 'MessageSent',
      payload: {
        message_id: messageId,
        room_id: room,
        user_id: u2,
        username: `u2_${run}`,
        content: 'hello trio',
        message_type: 'text',
        created_at: now(),
      },
    });

    expect(await waitTypes(u1, 3)).toEqual(['friend_request_accepted', 'new_message', 'welcome']);
    expect(await waitTypes(u3, 2)).toEqual(['chat_room_created', 'new_message']);
    expect(await waitTypes(u2, 2)).toEqual(['chat_room_created', 'friend_request']);
    // The creator is not told about their own room, the sender not about their own message.
    const u1List = await list(u1);
    expect(u1List.notifications.find((n) => n.notification_type === 'new_message')).toMatchObject({
      user_id: u1,
      title: `New message from u2_${run}`,
      content: { room_id: room, message_id: messageId, sender_id: u2, content: 'hello trio' },
    });
    expect(
      (await list(u2)).notifications.find((n) => n.notification_type === 'friend_request'),
    ).toMatchObject({
      title: 'Una sent you a friend request',
      content: { requester_id: u1, requester_name: 'Una' },
    });

    const sent = (await outboxRows(poolA, schema)).filter((r) =>
      [u1, u2, u3].includes((r.payload as { user_id: number }).user_id),
    );
    expect(sent).toHaveLength(7);
    for (const row of sent) {
      const payload = row.payload as { user_id: number; notification_id: string };
      expect(row).toMatchObject({
        event_type: 'NotificationSent',
        topic: 'notification.events',
        key: String(payload.user_id),
      });
    }
    const stored = [
      ...(await list(u1)).notifications,
      ...(await list(u2)).notifications,
      ...(await list(u3)).notifications,
    ];
    expect(sent.map((r) => (r.payload as { notification_id: string }).notification_id).sort()).toEqual(
      stored.map((n) => n.notification_id).sort(),
    );

    // Pagination: newest first, cursor to the next page.
    const first = await list(u1, '?limit=2');
    expect(first.notifications).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list(u1, `?limit=2&cursor=${first.next_cursor}`);
    expect(second.notifications).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect(
      new Set([...first.notifications, ...second.notifications].map((n) => n.notification_id)).size,
    ).toBe(3);
    expect(
      await call(a.service.app, 'GET', '/notifications?limit=0', { token: await token(u1) }),
    ).toMatchObject({
      status: 400,
      body: { error: 'validation' },
    });
  }, 90_000);

  it('parks a message that arrives before its room and notifies it once the room is created', async () => {
    const [u5, u6] = [id(5), id(6)];
    const room = base + 5;
    const messageId = randomUUID();
    await messages.publish({
      type: 'MessageSent',
      payload: {
        message_id: messageId,
        room_id: room,
        user_id: u5,
        username: `u5_${run}`,
        content: 'first!',
        message_type: 'text',
        created_at: now(),
      },
    });
    const parked = () =>
      poolA
        .query<{ n: string }>('SELECT count(*) AS n FROM pending_room_messages WHERE room_id = $1', [room])
        .then((r) => Number(r.rows[0]?.n));
    expect(await eventually(parked, (n) => n === 1)).toBe(1);
    expect(await typesOf(u6)).toEqual([]);
    await chats.publish({
      type: 'ChatRoomCreated',
      payload: {
        room_id: room,
        user_1_id: u5,
        user_2_id: u6,
        room_type: 'direct',
        room_name: null,
        member_ids: [u5, u6],
        timestamp: now(),
      },
    });
    expect(await waitTypes(u6, 2)).toEqual(['chat_room_created', 'new_message']);
    expect((await list(u6)).notifications.find((n) => n.notification_type === 'new_message')).toMatchObject({
      content: { room_id: room, message_id: messageId, content: 'first!' },
    });
    expect(await parked()).toBe(0);
    expect(await typesOf(u5)).toEqual([]);
  });

  it('stores a notification once when the same event is delivered twice', async () => {
    const u4 = id(4);
    const eventId = randomUUID();
    const duplicatesBefore = await duplicates();
    const event = {
      type: 'UserRegistered' as const,
      payload: {
        user_id: u4,
        email: `u4-${run}@example.com`,
        username: `u4_${run}`,
        display_name: 'Quad',
        timestamp: now(),
      },
    };
    await users.publish(event, { id: eventId });
    await users.publish(event, { id: eventId });
    await eventually(
      duplicates,
      (n) => n > duplicatesBefore,
      30_000,
      'the second delivery handled as a duplicate',
    );
    expect(await typesOf(u4)).toEqual(['welcome']);
    const rows = (await outboxRows(poolA, schema)).filter(
      (r) => (r.payload as { user_id: number }).user_id === u4,
    );
    expect(rows).toHaveLength(1);
    expect((rows[0]!.payload as { notification_id: string }).notification_id).toBe(
      notificationId(eventId, u4),
    );

    // Even outside the group's processed-event record (a replay into another group id), the derived id refuses a second row.
    const outbox = notificationEventsOutbox(createOutboxWriter({ schema }));
    const again = await withTransaction(poolA, (db) =>
      storeNotifications(db, outbox, 'unused_channel', eventId, [
        { user_id: u4, notification_type: 'welcome', title: 'Welcome, Quad!', content: {}, timestamp: now() },
      ]),
    );
    expect(again).toEqual([]);
    expect(await typesOf(u4)).toEqual(['welcome']);
  }, 60_000);

  it('pushes each notification over SSE to its own user, through the instance that user is connected to', async () => {
    const [s1, s2, sender] = [id(11), id(12), id(13)];
    const onA = await sseOf(ports[0]!, s1);
    const onB = await sseOf(ports[1]!, s2);
    try {
      expect(a.push.clients()).toBe(1);
      expect(b.push.clients()).toBe(1);
      for (const addressee of [s1, s2]) {
        await friends.publish({
          type: 'FriendRequestSent',
          payload: {
            friendship_id: addressee,
            requester_id: sender,
            requester_name: 'Sender',
            addressee_id: addressee,
            addressee_name: `User ${addressee}`,
            timestamp: now(),
          },
        });
      }
      await eventually(
        async () => onA.received.length + onB.received.length,
        (n) => n >= 2,
      );
      // Give a stray cross-delivery the time to show up.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(onA.received).toHaveLength(1);
      expect(onB.received).toHaveLength(1);
      expect(onA.received[0]).toMatchObject({
        event: 'notification',
        data: { user_id: s1, notification_type: 'friend_request', content: { requester_id: sender } },
      });
      expect(onB.received[0]).toMatchObject({
        event: 'notification',
        data: { user_id: s2, notification_type: 'friend_request', content: { requester_id: sender } },
      });
      const [stored] = (await list(s1)).notifications;
      expect(onA.received[0]!.data.notification_id).toBe(stored!.notification_id);

      // Presence goes to the friends known from FriendRequestAccepted, not stored, nothing published.
      await friends.publish({
        type: 'FriendRequestAccepted',
        payload: {
          friendship_id: s2,
          requester_id: sender,
          requester_name: 'Sender',
          addressee_id: s2,
          addressee_name: `User ${s2}`,
          timestamp: now(),
        },
      });
      await eventually(
        async () => (await typesOf(sender)).length,
        (n) => n >= 1,
      );
      await presence.publish({
        type: 'UserOnlineStatusChanged',
        payload: { user_id: sender, is_online: true, timestamp: now() },
      });
      await eventually(
        async () => onB.received.filter((m) => m.event === 'presence').length,
        (n) => n >= 1,
      );
      expect(
        onB.received.filter((m) => m.event === 'presence').map(({ event, data }) => ({ event, data })),
      ).toEqual([{ event: 'presence', data: expect.objectContaining({ user_id: sender, is_online: true }) }]);
      expect(onA.received.filter((m) => m.event === 'presence')).toEqual([]);
    } finally {
      await onA.close();
      await onB.close();
    }
    await eventually(
      async () => a.push.clients() + b.push.clients(),
      (n) => n === 0,
      5_000,
    );
    expect(a.push.clients() + b.push.clients()).toBe(0);
  }, 90_000);

  it('marks only the caller’s own notifications read', async () => {
    const [owner, other] = [id(21), id(22)];
    await users.publish({
      type: 'UserRegistered',
      payload: {
        user_id: owner,
        email: `o-${run}@example.com`,
        username: `o_${run}`,
        display_name: 'Owner',
        timestamp: now(),
      },
    });
    await waitTypes(owner, 1);
    const [n] = (await list(owner)).notifications;
    const url = `/notifications/${n!.notification_id}/read`;
    expect(await call(a.service.app, 'POST', url)).toMatchObject({ status: 401 });
    expect(await call(a.service.app, 'POST', url, { token: await token(other) })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(
      await call(a.service.app, 'POST', '/notifications/not-a-uuid/read', { token: await token(owner) }),
    ).toMatchObject({
      status: 400,
      body: { error: 'validation' },
    });
    expect((await list(owner)).notifications[0]!.read_at).toBeNull();
    const read = await call<{ notification: { read_at: string } }>(b.service.app, 'POST', url, {
      token: await token(owner),
    });
    expect(read.status).toBe(200);
    expect(read.body.notification.read_at).toEqual(expect.any(String));
    expect((await list(owner, '?unread=true')).notifications).toEqual([]);
    expect((await list(owner)).notifications).toHaveLength(1);
  }, 60_000);
});

async function duplicates(): Promise<number> {
  const { values } = await metrics.consumed.get();
  return values
    .filter((v) => v.labels.group === groupId && v.labels.outcome === 'duplicate')
    .reduce((sum, v) => sum + v.value, 0);
}
