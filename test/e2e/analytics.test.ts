/**
 * The analytics service against the real PostgreSQL and Kafka: a fresh
 * analytics-consumer-group id started at the end of the six shared topics,
 * events published with the generated publishers on a day of their own
 * (ce_time far in the past, so other runs' events never fall on it), counted
 * per type and UTC day; then the group is rewound to where it started and
 * replays the same records: every one is a duplicate and no counter moves.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatEventsPublisher,
  friendEventsPublisher,
  messageEventsPublisher,
  notificationEventsPublisher,
  topicSpecs,
  userEventsPublisher,
  userOnlineStatusPublisher,
} from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  type AnalyticsService,
  COUNTED_EVENTS_RETENTION_MS,
  createAnalyticsService,
  pruneCountedEvents,
} from '../../services/analytics/service.ts';
import { issueToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { call, commitGroupOffsets, dropSchemas, eventually, runId, silent, TEST_SECRET } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `analytics_${run}`;
const groupId = `analytics-consumer-group-e2e-${run}`;
const TOPICS = [
  'user.events',
  'user.online_status',
  'friend.events',
  'chat.events',
  'message.events',
  'notification.events',
];

const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-analytics-${run}` });
const deadLetterProducer = testKafkaClients().producer();
const producer = testKafkaClients().producer();
const events = createEventProducer({ producer });
const metrics = new RuntimeMetrics();
const pool = createServicePool(infra.databaseUrl, schema, 6);
const starts = new Map<string, { partition: number; offset: string }[]>();
let analytics: AnalyticsService;
let token: string;

// A day of this run's own, in 2001.
const day0 = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 360) * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = iso(day0);
const NEXT = iso(day0 + 86_400_000);

const start = (group = groupId) =>
  createAnalyticsService({
    pool,
    logger: silent('analytics'),
    authSecret: TEST_SECRET,
    consumers: createConsumerRuntime({ kafka: testKafkaClients(), pool, deadLetterProducer, metrics }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

/** Commits the group's offsets where the run started (the end of each topic, read on the first call). */
async function rewind(group = groupId): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of TOPICS) {
      if (!starts.has(topic)) {
        starts.set(
          topic,
          (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high })),
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
  await commitGroupOffsets(
    infra.kafkaBrokers,
    group,
    TOPICS.map((topic) => ({ topic, partitions: starts.get(topic)! })),
  );
}

async function duplicates(): Promise<number> {
  const { values } = await metrics.consumed.get();
  return values
    .filter((v) => v.labels.group === groupId && v.labels.outcome === 'duplicate')
    .reduce((sum, v) => sum + v.value, 0);
}

interface Stats {
  stats: { day: string; event_type: string; count: number }[];
  totals: Record<string, number>;
}
const stats = async (query = `?from=${DAY}&to=${NEXT}`) => {
  const res = await call<Stats>(analytics.service.app, 'GET', `/stats${query}`, { token });
  expect(res.status).toBe(200);
  return res.body;
};
const sum = (s: Stats) => Object.values(s.totals).reduce((n, v) => n + v, 0);

beforeAll(async () => {
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/analytics/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  await rewind();
  await producer.connect();
  token = await issueToken(TEST_SECRET, 1);
  analytics = start();
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await producer.disconnect();
  await deadLetterProducer.disconnect();
  await pool.end();
  await dropSchemas(infra.databaseUrl, [schema]);
}, 60_000);

const PUBLISHED = 10;

describe('analytics service', () => {
  it('requires a token and validates the range', async () => {
    const app = analytics.service.app;
    expect(await call(app, 'GET', '/stats')).toMatchObject({ status: 401 });
    expect(await call(app, 'GET', '/stats?from=yesterday', { token })).toMatchObject({
      status: 400,
      body: { error: 'validation', fields: [{ path: '/query/from' }] },
    });
    expect(await call(app, 'GET', `/stats?from=${NEXT}&to=${DAY}`, { token })).toMatchObject({ status: 400 });
    expect(await call(app, 'GET', '/stats?bogus=1', { token })).toMatchObject({ status: 400 });
  });

  it('counts every event per type and UTC day of its ce_time', async () => {
    await eventually(
      () => call(analytics.service.app, 'GET', '/ready'),
      (r) => r.status === 200,
    );
    const at = (hours: number) => ({ time: new Date(day0 + hours * 3_600_000) });
    const uid = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const ts = new Date(day0).toISOString();
    const users = userEventsPublisher(events);
    for (const n of [1, 2]) {
      await users.publish(
        {
          type: 'UserRegistered',
          payload: {
            user_id: uid + n,
            email: `a${n}-${run}@example.com`,
            username: `a${n}_${run}`,
            display_name: 'A',
            timestamp: ts,
          },
        },
        at(1),
      );
    }
    await users.publish(
      {
        type: 'UserProfileUpdated',
        payload: {
          user_id: uid + 1,
          display_name: 'A1',
          profile_image_url: null,
          status_message: '',
          timestamp: ts,
        },
      },
      at(2),
    );
    await userOnlineStatusPublisher(events).publish(
      { type: 'UserOnlineStatusChanged', payload: { user_id: uid + 1, is_online: true, timestamp: ts } },
      at(3),
    );
    const friendship = {
      friendship_id: uid,
      requester_id: uid + 1,
      requester_name: 'A1',
      addressee_id: uid + 2,
      addressee_name: 'A2',
      timestamp: ts,
    };
    await friendEventsPublisher(events).publish({ type: 'FriendRequestSent', payload: friendship }, at(4));
    await friendEventsPublisher(events).publish(
      { type: 'FriendRequestRejected', payload: friendship },
      at(5),
    );
    await chatEventsPublisher(events).publish(
      {
        type: 'ChatRoomCreated',
        payload: {
          room_id: uid,
          user_1_id: uid + 1,
          user_2_id: uid + 2,
          room_type: 'direct',
          member_ids: [uid + 1, uid + 2],
          room_name: null,
          timestamp: ts,
        },
      },
      at(6),
    );
    const messageId = randomUUID();
    await messageEventsPublisher(events).publish(
      {
        type: 'MessageSent',
        payload: {
          message_id: messageId,
          room_id: uid,
          user_id: uid + 1,
          username: 'a1',
          content: 'hi',
          message_type: 'text',
          created_at: ts,
        },
      },
      at(7),
    );
    // 23:59:59.999 is still the day; the next millisecond is the next day.
    await messageEventsPublisher(events).publish(
      {
        type: 'MessagesRead',
        payload: { room_id: uid, user_id: uid + 2, message_ids: [messageId], timestamp: ts },
      },
      { time: new Date(day0 + 86_400_000 - 1) },
    );
    await notificationEventsPublisher(events).publish(
      {
        type: 'NotificationSent',
        payload: {
          notification_id: randomUUID(),
          user_id: uid + 2,
          notification_type: 'new_message',
          title: 'New message',
          content: {},
          timestamp: ts,
        },
      },
      { time: new Date(day0 + 86_400_000) },
    );

    const counted = await eventually(
      stats,
      (s) => sum(s) >= PUBLISHED,
      30_000,
      `${PUBLISHED} events counted`,
    );
    expect(counted.stats).toEqual([
      { day: DAY, event_type: 'ChatRoomCreated', count: 1 },
      { day: DAY, event_type: 'FriendRequestRejected', count: 1 },
      { day: DAY, event_type: 'FriendRequestSent', count: 1 },
      { day: DAY, event_type: 'MessageSent', count: 1 },
      { day: DAY, event_type: 'MessagesRead', count: 1 },
      { day: DAY, event_type: 'UserOnlineStatusChanged', count: 1 },
      { day: DAY, event_type: 'UserProfileUpdated', count: 1 },
      { day: DAY, event_type: 'UserRegistered', count: 2 },
      { day: NEXT, event_type: 'NotificationSent', count: 1 },
    ]);
    expect((await stats(`?from=${NEXT}&to=${NEXT}`)).totals).toEqual({ NotificationSent: 1 });
    expect((await stats(`?from=${DAY}&to=${NEXT}&type=UserRegistered`)).totals).toEqual({
      UserRegistered: 2,
    });
  }, 90_000);

  it('changes nothing when the same group replays the same records from where it started', async () => {
    const before = await stats();
    await analytics.close();
    const dupBefore = await duplicates();
    await rewind();
    analytics = start();
    await eventually(
      duplicates,
      (n) => n - dupBefore >= PUBLISHED,
      60_000,
      `${PUBLISHED} duplicates replayed`,
    );
    expect(await stats()).toEqual(before);
  }, 90_000);

  it('changes nothing when a fresh group id replays the same records (event ids are counted once, whatever the group)', async () => {
    const before = await stats();
    await analytics.close();
    const fresh = `${groupId}-fresh`;
    await rewind(fresh);
    analytics = start(fresh);
    const handled = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1',
            [fresh],
          )
        ).rows[0]?.n,
      );
    // The fresh group handles every record (its processed-event records are its own) ...
    expect(
      await eventually(handled, (n) => n >= PUBLISHED, 60_000, `${PUBLISHED} records handled by ${fresh}`),
    ).toBeGreaterThanOrEqual(PUBLISHED);
    // ... and no counter moves.
    expect(await stats()).toEqual(before);
  }, 90_000);

  it('prunes counted event ids only once they are older than the longest topic retention plus a day', async () => {
    await pool.query(
      `INSERT INTO counted_events (event_id, counted_at)
       VALUES ('prune-old', now() - $1::bigint * interval '1 millisecond' - interval '1 hour'),
              ('prune-kept', now() - $1::bigint * interval '1 millisecond' + interval '1 hour')`,
      [COUNTED_EVENTS_RETENTION_MS],
    );
    expect(COUNTED_EVENTS_RETENTION_MS).toBe(8 * 86_400_000);
    expect(await pruneCountedEvents(pool)).toBe(1);
    const left = await pool.query<{ event_id: string }>(
      "SELECT event_id FROM counted_events WHERE event_id LIKE 'prune-%'",
    );
    expect(left.rows.map((r) => r.event_id)).toEqual(['prune-kept']);
  });
});
