/**
 * The chat product's scenario (`npm run demo`, `npm run demo -- chat`),
 * against the running system (`npm start` in another terminal).
 *
 * Two users register and log in, open their notification streams (SSE),
 * befriend, open a direct room, exchange messages and read them; then a
 * search and the analytics counters. Each event is printed once every consumer
 * group that subscribes to its topic has committed past it: topic, partition,
 * offset, key, type, and which groups handled it how soon. Each notification
 * the notification service pushes over SSE is printed as it arrives.
 *
 * Where the services are: USER_SERVICE_URL, FRIEND_SERVICE_URL,
 * CHAT_SERVICE_URL, NOTIFICATION_SERVICE_URL, ANALYTICS_SERVICE_URL,
 * SEARCH_SERVICE_URL (default: npm start's ports 3001–3006), KAFKA_BROKERS.
 */
import { randomBytes } from 'node:crypto';
import { catalog } from '../../generated/index.ts';
import type { TappedEvent } from './event-tap.ts';
import { connectSse, type SseClient, type SseEvent } from './sse-client.ts';
import { bold, clock, createHttp, DemoFailure, say, startScenario } from './support.ts';

const env = process.env;
const urls = {
  user: env.USER_SERVICE_URL ?? 'http://127.0.0.1:3001',
  friend: env.FRIEND_SERVICE_URL ?? 'http://127.0.0.1:3002',
  chat: env.CHAT_SERVICE_URL ?? 'http://127.0.0.1:3003',
  notification: env.NOTIFICATION_SERVICE_URL ?? 'http://127.0.0.1:3004',
  analytics: env.ANALYTICS_SERVICE_URL ?? 'http://127.0.0.1:3005',
  search: env.SEARCH_SERVICE_URL ?? 'http://127.0.0.1:3006',
};
const http = createHttp(urls);

const CHAT_TOPICS = catalog.topics
  .filter((t) => t.kind === 'event' && ['user', 'friend', 'chat', 'notification'].includes(t.owner))
  .map((t) => t.name);

function describe(e: TappedEvent): string {
  const p = e.payload;
  switch (e.type) {
    case 'UserRegistered':
      return `${p.username} <${p.email}>`;
    case 'UserOnlineStatusChanged':
      return `user ${p.user_id} ${p.is_online ? 'online' : 'offline'}`;
    case 'FriendRequestSent':
    case 'FriendRequestAccepted':
      return `${p.requester_name} → ${p.addressee_name}`;
    case 'ChatRoomCreated':
      return `${p.room_type} room ${p.room_id}, members ${JSON.stringify(p.member_ids)}`;
    case 'MessageSent':
      return `${p.username} in room ${p.room_id}: "${p.content}"`;
    case 'MessagesRead':
      return `user ${p.user_id} read ${(p.message_ids as unknown[]).length} in room ${p.room_id}`;
    case 'NotificationSent':
      return `${p.notification_type} for user ${p.user_id}: "${p.title}"`;
    default:
      return JSON.stringify(p).slice(0, 100);
  }
}

function printSse(user: string, e: SseEvent): void {
  const d = e.data;
  const what =
    e.event === 'notification'
      ? `${d.notification_type}: "${d.title}"`
      : e.event === 'presence'
        ? `user ${d.user_id} is ${d.is_online ? 'online' : 'offline'}`
        : e.event === 'read'
          ? `user ${d.reader_id} read ${(d.message_ids as unknown[]).length} of your messages`
          : JSON.stringify(d);
  say(`  ${clock()} ${bold('SSE')}   → ${user}: ${e.event} ${what}`);
}

export async function chatDemo(): Promise<void> {
  say(bold('Chat product demo'));
  const scenario = await startScenario({ urls, topics: CHAT_TOPICS, describe });
  const streams: SseClient[] = [];
  try {
    const run = randomBytes(3).toString('hex');
    const people = [
      { name: 'alice', display: 'Alice' },
      { name: 'bob', display: 'Bob' },
    ].map((p) => ({
      ...p,
      email: `${p.name}.${run}@example.com`,
      username: `${p.name}_${run}`,
      password: `${p.name}-demo-password`,
    }));
    const ids: number[] = [];
    const tokens: string[] = [];
    const sse: SseClient[] = [];

    await scenario.step('1. Alice and Bob register, log in and open their notification streams', async () => {
      for (const p of people) {
        const reg = await http<{ user: { id: number } }>('user', 'POST', '/users', {
          body: { email: p.email, username: p.username, password: p.password, display_name: p.display },
        });
        ids.push(reg.user.id);
        const login = await http<{ token: string }>('user', 'POST', '/sessions', {
          body: { email: p.email, password: p.password },
        });
        tokens.push(login.token);
        const client = await connectSse(`${urls.notification}/notifications/stream`, login.token, (e) =>
          printSse(p.display, e),
        );
        sse.push(client);
        streams.push(client);
        say(`  ${clock()} SSE   ${p.display} connected to ${urls.notification}/notifications/stream`);
      }
    });
    const [alice, bob] = [0, 1] as const;
    const expectSse = async (who: 0 | 1, what: string, match: (e: SseEvent) => boolean) => {
      try {
        await sse[who]!.waitFor(match, 20_000, what);
      } catch (err) {
        scenario.fail(`${people[who]!.display}: ${(err as Error).message}`);
      }
    };
    const notified = (type: string) => (e: SseEvent) =>
      e.event === 'notification' && e.data.notification_type === type;

    let requestId = 0;
    await scenario.step('2. Alice sends Bob a friend request', async () => {
      const r = await http<{ request: { id: number } }>('friend', 'POST', '/friend-requests', {
        token: tokens[alice],
        body: { addressee_id: ids[bob] },
      });
      requestId = r.request.id;
      await expectSse(bob, 'friend_request notification for Bob', notified('friend_request'));
    });

    await scenario.step('3. Bob accepts', async () => {
      await http('friend', 'POST', `/friend-requests/${requestId}/accept`, { token: tokens[bob] });
      await expectSse(
        alice,
        'friend_request_accepted notification for Alice',
        notified('friend_request_accepted'),
      );
    });

    await scenario.step('4. Alice goes offline and back online; Bob, her friend, sees it live', async () => {
      await http('user', 'PUT', '/users/me/online-status', {
        token: tokens[alice],
        body: { is_online: false },
      });
      await http('user', 'PUT', '/users/me/online-status', {
        token: tokens[alice],
        body: { is_online: true },
      });
      await expectSse(
        bob,
        'presence of Alice',
        (e) => e.event === 'presence' && e.data.user_id === ids[alice] && e.data.is_online === true,
      );
    });

    let roomId = 0;
    await scenario.step('5. Alice opens a direct room with Bob', async () => {
      const r = await http<{ room: { id: number } }>('chat', 'POST', '/rooms', {
        token: tokens[alice],
        body: { type: 'direct', user_id: ids[bob] },
      });
      roomId = r.room.id;
      await expectSse(bob, 'chat_room_created notification for Bob', notified('chat_room_created'));
    });

    const aliceMessages: string[] = [];
    await scenario.step('6. They exchange messages', async () => {
      for (const content of ['hello Bob, lunch today?', 'the usual noodle place']) {
        const m = await http<{ message: { id: string } }>('chat', 'POST', `/rooms/${roomId}/messages`, {
          token: tokens[alice],
          body: { content, message_type: 'text' },
        });
        aliceMessages.push(m.message.id);
      }
      await http('chat', 'POST', `/rooms/${roomId}/messages`, {
        token: tokens[bob],
        body: { content: 'hello Alice! noodles sound great', message_type: 'text' },
      });
      await expectSse(bob, 'new_message notification for Bob', notified('new_message'));
      await expectSse(alice, 'new_message notification for Alice', notified('new_message'));
    });

    await scenario.step('7. Bob reads Alice’s messages', async () => {
      await http('chat', 'POST', `/rooms/${roomId}/read`, {
        token: tokens[bob],
        body: { message_ids: aliceMessages },
      });
      await expectSse(
        alice,
        'read receipt for Alice',
        (e) => e.event === 'read' && e.data.reader_id === ids[bob],
      );
    });

    say(`\n${bold('8. What the read side made of it')}`);
    const found = await http<{ results: { username: string; content: string }[] }>(
      'search',
      'GET',
      '/search?q=hello',
      {
        token: tokens[bob],
      },
    );
    for (const r of found.results) say(`           search "hello" (as Bob): ${r.username}: "${r.content}"`);
    const listed = await http<{ notifications: { notification_type: string; title: string }[] }>(
      'notification',
      'GET',
      '/notifications?limit=5',
      { token: tokens[alice] },
    );
    for (const n of listed.notifications)
      say(`           Alice's notification: ${n.notification_type}: "${n.title}"`);
    const today = new Date().toISOString().slice(0, 10);
    const stats = await http<{ totals: Record<string, number> }>(
      'analytics',
      'GET',
      `/stats?from=${today}&to=${today}`,
      {
        token: tokens[alice],
      },
    );
    say(
      `           analytics today: ${Object.entries(stats.totals)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
    if (found.results.length !== 2) {
      scenario.fail(`search found ${found.results.length} messages, expected 2`);
    }

    const byTopic = new Map<string, number>();
    for (const e of scenario.tap.events) byTopic.set(e.topic, (byTopic.get(e.topic) ?? 0) + 1);
    const pushes = sse.map((c) => c.received.length);
    say(
      `\n${bold('Summary')}: ${scenario.tap.events.length} events (${[...byTopic].map(([t, n]) => `${t} ${n}`).join(', ')}); SSE pushes: Alice ${pushes[alice]}, Bob ${pushes[bob]}.`,
    );
  } finally {
    for (const s of streams) await s.close();
    await scenario.tap.stop();
  }
  if (scenario.failed) throw new DemoFailure('some steps did not complete (✗ above)');
  say('Demo complete.');
}
