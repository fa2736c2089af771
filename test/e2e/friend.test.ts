/**
 * The friend service with the user service behind it, against the real
 * PostgreSQL and Kafka: the friend flow with its authorization refusals, the
 * Friend* events in the friend schema's outbox (same transaction, none for a
 * refused step), and friend-profile-cache-group keeping display names current
 * from UserProfileUpdated relayed out of the user schema's outbox.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { createFriendService, type FriendService } from '../../services/friend/service.ts';
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
const friendSchema = `friend_${run}`;
const groupId = `friend-profile-cache-group-e2e-${run}`;

const _kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-friend-${run}` });
const deadLetterProducer = testKafkaClients().producer();
const relayProducer = testKafkaClients().producer();
const friendPool = createServicePool(infra.databaseUrl, friendSchema, 5);

let user: TestUserService;
let friend: FriendService;
let relay: OutboxRelay;

interface Account {
  id: number;
  token: string;
}
interface RequestBody {
  request: { id: number; requester_id: number; addressee_id: number; status: string };
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

const app = () => friend.service.app;
const friendships = `"${friendSchema}".friendships`;
const outbox = `"${friendSchema}".domain_event_outbox`;

beforeAll(async () => {
  user = await startUserService(infra, userSchema);
  await randomizeUserIds(user.pool, userSchema);
  await migrateService(friendPool, {
    schema: friendSchema,
    dir: path.join(import.meta.dirname, '../../services/friend/migrations'),
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
  friend = createFriendService({
    pool: friendPool,
    schema: friendSchema,
    logger: silent('friend'),
    authSecret: TEST_SECRET,
    users: httpUserDirectory({
      baseUrl: 'http://user.test',
      fetch: (input, init) => user.app.request(input, init),
    }),
    consumers: createConsumerRuntime({ kafka: testKafkaClients(), pool: friendPool, deadLetterProducer }),
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
  try {
    await friend?.close();
    await relay?.stop();
    await Promise.allSettled([relayProducer.disconnect(), deadLetterProducer.disconnect(), friendPool.end()]);
    await user?.close();
  } finally {
    await dropSchemas(infra.databaseUrl, [userSchema, friendSchema]);
  }
});

const a = (name: string): Account => accounts[name]!;

describe('friend service', () => {
  it('is ready once the profile cache group has joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready).toMatchObject({ status: 200, body: { consumers: { [groupId]: 'ready' } } });
  });

  it('requires a valid token', async () => {
    expect(await call(app(), 'GET', '/friends')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(
      await call(app(), 'POST', '/friend-requests', { token: 'x.y.z', body: { addressee_id: 1 } }),
    ).toMatchObject({ status: 401 });
  });

  it('sends and accepts; only the addressee may accept; events land in the outbox with the row', async () => {
    const sent = await call<RequestBody>(app(), 'POST', '/friend-requests', {
      token: a('alice').token,
      body: { addressee_id: a('bob').id },
    });
    expect(sent.status).toBe(201);
    const id = sent.body.request.id;
    expect(sent.body.request).toMatchObject({
      requester_id: a('alice').id,
      addressee_id: a('bob').id,
      status: 'pending',
    });

    const pending = await call<{ incoming: unknown[]; outgoing: { id: number }[] }>(
      app(),
      'GET',
      '/friend-requests',
      {
        token: a('alice').token,
      },
    );
    expect(pending.body.outgoing.map((r) => r.id)).toEqual([id]);
    const bobPending = await call<{ incoming: { id: number; other: { display_name: string } }[] }>(
      app(),
      'GET',
      '/friend-requests',
      { token: a('bob').token },
    );
    expect(bobPending.body.incoming).toMatchObject([{ id, other: { display_name: 'Alice' } }]);

    const before = await count(friendPool, outbox);
    // The requester may not accept their own request; a stranger does not even see it.
    expect(
      await call(app(), 'POST', `/friend-requests/${id}/accept`, { token: a('alice').token }),
    ).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(
      await call(app(), 'POST', `/friend-requests/${id}/accept`, { token: a('carol').token }),
    ).toMatchObject({
      status: 404,
    });
    // Bob may not cancel Alice's request.
    expect(
      await call(app(), 'POST', `/friend-requests/${id}/cancel`, { token: a('bob').token }),
    ).toMatchObject({
      status: 403,
    });
    // A duplicate, either direction, is a conflict.
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('bob').token,
        body: { addressee_id: a('alice').id },
      }),
    ).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('alice').token,
        body: { addressee_id: a('bob').id },
      }),
    ).toMatchObject({ status: 409 });
    expect(await count(friendPool, outbox)).toBe(before);

    const accepted = await call<RequestBody>(app(), 'POST', `/friend-requests/${id}/accept`, {
      token: a('bob').token,
    });
    expect(accepted).toMatchObject({ status: 200, body: { request: { id, status: 'accepted' } } });
    // Accepting twice: no longer pending.
    expect(
      await call(app(), 'POST', `/friend-requests/${id}/accept`, { token: a('bob').token }),
    ).toMatchObject({
      status: 409,
    });
    // Friends cannot send each other a new request.
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('bob').token,
        body: { addressee_id: a('alice').id },
      }),
    ).toMatchObject({ status: 409 });

    const events = (await outboxRows(friendPool, friendSchema)).filter(
      (e) => (e.payload as { friendship_id: number }).friendship_id === id,
    );
    expect(events.map((e) => e.event_type)).toEqual(['FriendRequestSent', 'FriendRequestAccepted']);
    for (const e of events) {
      expect(e).toMatchObject({
        topic: 'friend.events',
        key: String(a('alice').id),
        payload: {
          friendship_id: id,
          requester_id: a('alice').id,
          requester_name: 'Alice',
          addressee_id: a('bob').id,
          addressee_name: 'Bob',
        },
      });
    }
    // Same transaction as the row's last change (accept).
    const { rows } = await friendPool.query<{ xmin: string }>(
      `SELECT xmin::text AS xmin FROM ${friendships} WHERE id = $1`,
      [id],
    );
    expect(rows[0]?.xmin).toBe(events[1]?.xmin);

    const friends = await call<{ friends: { user_id: number; display_name: string }[] }>(
      app(),
      'GET',
      '/friends',
      {
        token: a('bob').token,
      },
    );
    expect(friends.body.friends).toMatchObject([{ user_id: a('alice').id, display_name: 'Alice' }]);
  });

  it('rejects (addressee only) and cancels (requester only), each with its event', async () => {
    const toCarol = await call<RequestBody>(app(), 'POST', '/friend-requests', {
      token: a('alice').token,
      body: { addressee_id: a('carol').id },
    });
    const toDave = await call<RequestBody>(app(), 'POST', '/friend-requests', {
      token: a('alice').token,
      body: { addressee_id: a('dave').id },
    });
    expect(
      await call(app(), 'POST', `/friend-requests/${toCarol.body.request.id}/reject`, {
        token: a('alice').token,
      }),
    ).toMatchObject({ status: 403 });
    expect(
      await call(app(), 'POST', `/friend-requests/${toCarol.body.request.id}/reject`, {
        token: a('carol').token,
      }),
    ).toMatchObject({ status: 200, body: { request: { status: 'rejected' } } });
    expect(
      await call(app(), 'POST', `/friend-requests/${toDave.body.request.id}/cancel`, {
        token: a('dave').token,
      }),
    ).toMatchObject({ status: 403 });
    expect(
      await call(app(), 'POST', `/friend-requests/${toDave.body.request.id}/cancel`, {
        token: a('alice').token,
      }),
    ).toMatchObject({ status: 200, body: { request: { status: 'cancelled' } } });
    // Cancelled: neither party can act on it any more.
    expect(
      await call(app(), 'POST', `/friend-requests/${toDave.body.request.id}/accept`, {
        token: a('dave').token,
      }),
    ).toMatchObject({ status: 409 });

    const types = (await outboxRows(friendPool, friendSchema))
      .filter((e) =>
        [toCarol.body.request.id, toDave.body.request.id].includes(
          (e.payload as { friendship_id: number }).friendship_id,
        ),
      )
      .map((e) => `${e.event_type}:${e.key}`);
    const alice = String(a('alice').id);
    expect(types).toEqual([
      `FriendRequestSent:${alice}`,
      `FriendRequestSent:${alice}`,
      `FriendRequestRejected:${alice}`,
      `FriendRequestCancelled:${alice}`,
    ]);

    // A rejected request may be sent again.
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('alice').token,
        body: { addressee_id: a('carol').id },
      }),
    ).toMatchObject({ status: 201 });
  });

  it('refuses a request to oneself (400), to an unknown user (404) and an invalid body (400), writing nothing', async () => {
    const before = [await count(friendPool, friendships), await count(friendPool, outbox)];
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('dave').token,
        body: { addressee_id: a('dave').id },
      }),
    ).toMatchObject({ status: 400, body: { error: 'validation', fields: [{ path: '/body/addressee_id' }] } });
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('dave').token,
        body: { addressee_id: 999_999_999 },
      }),
    ).toMatchObject({ status: 404 });
    expect(
      await call(app(), 'POST', '/friend-requests', {
        token: a('dave').token,
        body: { addressee_id: 'bob' },
      }),
    ).toMatchObject({ status: 400, body: { fields: [{ path: '/body/addressee_id' }] } });
    expect(
      await call(app(), 'POST', '/friend-requests/abc/accept', { token: a('dave').token }),
    ).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/params/id' }] },
    });
    expect(
      await call(app(), 'POST', '/friend-requests/999999/accept', { token: a('dave').token }),
    ).toMatchObject({
      status: 404,
    });
    expect([await count(friendPool, friendships), await count(friendPool, outbox)]).toEqual(before);
  });

  it('refreshes cached display names from UserProfileUpdated (user outbox → relay → Kafka → consumer)', async () => {
    const patched = await call(user.app, 'PATCH', '/users/me', {
      token: a('alice').token,
      body: { display_name: 'Alice Kim', status_message: 'hello' },
    });
    expect(patched.status).toBe(200);
    const friends = await eventually(
      () =>
        call<{ friends: { user_id: number; display_name: string; status_message: string }[] }>(
          app(),
          'GET',
          '/friends',
          {
            token: a('bob').token,
          },
        ),
      (r) => r.body.friends[0]?.display_name === 'Alice Kim',
    );
    expect(friends.body.friends).toMatchObject([
      { user_id: a('alice').id, display_name: 'Alice Kim', status_message: 'hello' },
    ]);
    const processed = await count(friendPool, `"${friendSchema}".consumer_processed_events`);
    expect(processed).toBeGreaterThanOrEqual(1);
  });
});
