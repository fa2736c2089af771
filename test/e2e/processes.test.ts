/**
 * The user and friend services as processes would run them (`runService`):
 * real listeners on ephemeral ports, configuration from the environment,
 * migrations at start, the friend service calling the user service over HTTP,
 * and graceful shutdown.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { userEventsPublisher } from '../../generated/index.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { friendService } from '../../services/friend/definition.ts';
import { type RunningService, runService } from '../../services/shared/server.ts';
import { userService } from '../../services/user/definition.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { type Sample, sampleSum, samplesOf, scrape } from '../support/prometheus.ts';
import { dropSchemas, eventually, fetchJson, runId, silent, startGroupAtEnd } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const userSchema = `user_${run}`;
const friendSchema = `friend_${run}`;
const groupId = `friend-profile-cache-group-e2e-${run}`;
const running: RunningService[] = [];

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PORT: '0',
  DATABASE_URL: infra.databaseUrl,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  AUTH_SECRET: `secret-${run}`,
  ...extra,
});

const http = (port: number, method: string, path: string, body?: unknown, token?: string) =>
  fetchJson(`http://127.0.0.1:${port}`, method, path, { body, token });

afterAll(async () => {
  try {
    await Promise.allSettled(running.map((s) => s.stop()));
  } finally {
    await dropSchemas(infra.databaseUrl, [userSchema, friendSchema]);
  }
});

describe('runService', () => {
  it('serves both services over HTTP and shuts them down gracefully', async () => {
    const user = await runService({
      ...userService(),
      schema: userSchema,
      env: env({}),
      logger: silent('user'),
    });
    running.push(user);
    await startGroupAtEnd(infra.kafkaBrokers, groupId, 'user.events');
    const friend = await runService({
      ...friendService(),
      schema: friendSchema,
      env: env({ USER_SERVICE_URL: `http://127.0.0.1:${user.port}`, PROFILE_CACHE_GROUP_ID: groupId }),
      logger: silent('friend'),
    });
    running.push(friend);

    expect((await http(user.port, 'GET', '/health')).status).toBe(200);
    const ready = await eventually(
      () => http(friend.port, 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready).toMatchObject({ status: 200, body: { database: true, consumers: { [groupId]: 'ready' } } });

    const tokens: string[] = [];
    const ids: number[] = [];
    for (const name of ['erin', 'frank']) {
      const reg = await http(user.port, 'POST', '/users', {
        email: `${name}-${run}@example.com`,
        username: `${name}_${run}`,
        password: `${name}-password`,
      });
      expect(reg.status).toBe(201);
      ids.push((reg.body.user as { id: number }).id);
      const login = await http(user.port, 'POST', '/sessions', {
        email: `${name}-${run}@example.com`,
        password: `${name}-password`,
      });
      tokens.push(String(login.body.token));
    }
    // The friend service looks the addressee up at the user service over HTTP (cache miss).
    const sent = await http(friend.port, 'POST', '/friend-requests', { addressee_id: ids[1] }, tokens[0]);
    expect(sent).toMatchObject({ status: 201, body: { request: { status: 'pending' } } });
    const pending = await http(friend.port, 'GET', '/friend-requests', undefined, tokens[1]);
    expect(pending.body.incoming).toMatchObject([
      { requester_id: ids[0], other: { display_name: `erin_${run}` } },
    ]);

    // Erin changes her profile; a registration goes to user.events too, which this group does not handle.
    // (Published straight to Kafka: no relay runs here.)
    const publisher = testKafkaClients(`e2e-processes-${run}`).producer();
    await publisher.connect();
    try {
      const users = userEventsPublisher(createEventProducer({ producer: publisher }));
      await users.publish({
        type: 'UserProfileUpdated',
        payload: {
          user_id: ids[0]!,
          display_name: `Erin ${run}`,
          profile_image_url: null,
          status_message: 'hi',
          timestamp: new Date().toISOString(),
        },
      });
      await users.publish({
        type: 'UserRegistered',
        payload: {
          user_id: ids[1]! + 1_000_000,
          email: `grace-${run}@example.com`,
          username: `grace_${run}`,
          display_name: `grace_${run}`,
          timestamp: new Date().toISOString(),
        },
      });
    } finally {
      await publisher.disconnect();
    }
    const consumed = (outcome: string, eventType: string) => (samples: Sample[]) =>
      sampleSum(samples, 'domain_events_consumed_total', {
        group: groupId,
        topic: 'user.events',
        event_type: eventType,
        outcome,
      });
    const metricsUrl = `http://127.0.0.1:${friend.port}/metrics`;
    const samples = await eventually(
      () => scrape(metricsUrl),
      (m) =>
        consumed('handled', 'UserProfileUpdated')(m) >= 1 && consumed('skipped', 'UserRegistered')(m) >= 1,
      30_000,
      'the profile update handled and the registration skipped',
    );
    expect(consumed('handled', 'UserProfileUpdated')(samples)).toBe(1);
    expect(consumed('skipped', 'UserRegistered')(samples)).toBe(1);
    expect(sampleSum(samples, 'domain_events_consumed_total', { group: groupId })).toBe(2);
    expect(sampleSum(samples, 'domain_events_dead_lettered_total', { group: groupId })).toBe(0);
    // The group is at the end of user.events: no lag left on any partition.
    expect(
      samplesOf(samples, 'consumer_lag', { group: groupId, topic: 'user.events' }).length,
    ).toBeGreaterThan(0);
    expect(sampleSum(samples, 'consumer_lag', { group: groupId, topic: 'user.events' })).toBe(0);
    // The requests the friend service answered, by route and status.
    expect(
      sampleSum(samples, 'http_requests_total', { method: 'POST', route: '/friend-requests', status: '201' }),
    ).toBe(1);
    expect(
      sampleSum(samples, 'http_requests_total', { method: 'GET', route: '/friend-requests', status: '200' }),
    ).toBe(1);
    // ... and the handled update reached the cache the friend service answers from.
    const renamed = await http(friend.port, 'GET', '/friend-requests', undefined, tokens[1]);
    expect(renamed.body.incoming).toMatchObject([
      { requester_id: ids[0], other: { display_name: `Erin ${run}` } },
    ]);

    await friend.stop();
    await user.stop();
    running.length = 0;
    await expect(fetch(`http://127.0.0.1:${user.port}/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${friend.port}/health`)).rejects.toThrow();
  });
});
