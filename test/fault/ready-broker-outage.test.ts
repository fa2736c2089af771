/**
 * `/ready` tells the truth about a service's consumers: the broker goes away
 * under a running service (the analytics service as `runService` runs it,
 * with the kit's default consumer settings), `/ready` turns 503 naming the
 * group's state while the consumer is disconnected and restarting, and 200
 * again once the broker is back and the member has rejoined, which then
 * handles new records.
 *
 * Stops and starts the test run's native broker (like broker-outage.test.ts);
 * on another Kafka source this test fails rather than skips.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userEventsPublisher } from '../../generated/index.ts';
import { nativeBrokers, startNativeKafka, stopNativeKafka } from '../../infra/kafka/native.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { analyticsService } from '../../services/analytics/definition.ts';
import { createLogger } from '../../services/shared/logger.ts';
import { type RunningService, runService } from '../../services/shared/server.ts';
import { dropSchemas, eventually, fetchJson, runId, startGroupAtEnd } from '../e2e/support.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaConfig } from '../support/infrastructure.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { sampleSum, scrape } from '../support/prometheus.ts';

const infra = useInfrastructure();
const config = testKafkaConfig();
const run = runId();
const schema = `analytics_${run}`;
const groupId = `analytics-consumer-group-ready-${run}`;
const TOPICS = [
  'user.events',
  'user.online_status',
  'friend.events',
  'chat.events',
  'message.events',
  'notification.events',
];
let service: RunningService | undefined;

afterAll(async () => {
  // Whatever happened, leave a running broker behind for the tests after this one.
  await startNativeKafka(config);
  await service?.stop();
  await dropSchemas(infra.databaseUrl, [schema]);
}, 120_000);

interface Ready {
  status: 'ready' | 'not_ready';
  consumers: Record<string, string>;
}

describe('/ready while the broker is away', () => {
  it('answers 503 while the consumer is disconnected or restarting, and 200 once it has rejoined', {
    timeout: 300_000,
  }, async () => {
    if (infra.source !== 'native') {
      throw new Error(
        `this fault test stops and restarts the broker process, which only the native broker allows; Kafka came from "${infra.source}". Run it with the native broker: unset KAFKA_BROKERS and set TEST_INFRA=native.`,
      );
    }
    expect(nativeBrokers(config)).toEqual(infra.kafkaBrokers);
    await startGroupAtEnd(infra.kafkaBrokers, groupId, TOPICS);
    service = await runService({
      ...analyticsService(),
      schema,
      migrationsDir: path.join(import.meta.dirname, '../../services/analytics/migrations'),
      logger: createLogger('analytics', { level: 'silent' }),
      env: {
        PORT: '0',
        DATABASE_URL: infra.databaseUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        AUTH_SECRET: `secret-${run}`,
        ANALYTICS_GROUP_ID: groupId,
      },
    });
    const base = `http://127.0.0.1:${service.port}`;
    const ready = () => fetchJson<Ready>(base, 'GET', '/ready');
    expect(await eventually(ready, (r) => r.status === 200, 60_000, 'ready before the outage')).toMatchObject(
      { body: { consumers: { [groupId]: 'ready' } } },
    );

    const stoppedAt = Date.now();
    expect((await stopNativeKafka(config)).wasRunning).toBe(true);
    const down = await eventually(ready, (r) => r.status === 503, 90_000, '/ready 503 with the broker down');
    const notReadyAfterMs = Date.now() - stoppedAt;
    expect(down.body.status).toBe('not_ready');
    // The port gives up fetching and restarts the consumer (kafkajs: CRASH and restart;
    // @platformatic/kafka: its fetch loop retrying with backoff): the member is restarting.
    expect(down.body.consumers[groupId]).toBe('restarting');
    // It stays not ready while the broker is away (no flapping back to 200 on a retry).
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await ready()).status).toBe(503);
    }

    const restart = await startNativeKafka(config);
    const upAt = Date.now();
    const up = await eventually(
      ready,
      (r) => r.status === 200,
      120_000,
      '/ready 200 after the broker is back',
    );
    const readyAfterMs = Date.now() - upAt;
    expect(up.body.consumers[groupId]).toBe('ready');

    // The rejoined member consumes: a new record on one of its topics is handled.
    const handled = async () =>
      sampleSum(await scrape(`${base}/metrics`), 'domain_events_consumed_total', {
        group: groupId,
        outcome: 'handled',
      });
    const before = await handled();
    const producer = testKafkaClients(`ready-outage-${run}`).producer();
    await producer.connect();
    try {
      await userEventsPublisher(createEventProducer({ producer })).publish({
        type: 'UserRegistered',
        payload: {
          user_id: 4_000_000_000 + Math.floor(Math.random() * 1_000_000),
          email: `ready-${run}@example.com`,
          username: `ready_${run}`,
          display_name: `ready_${run}`,
          timestamp: new Date().toISOString(),
        },
      });
    } finally {
      await producer.disconnect();
    }
    expect(await eventually(handled, (n) => n === before + 1, 60_000, 'the record handled')).toBe(before + 1);
    console.log(
      `[fault ready-broker-outage] /ready 503 (${down.body.consumers[groupId]}) ${(notReadyAfterMs / 1000).toFixed(1)} s after the broker stopped; ` +
        `broker restart took ${(restart.startMs / 1000).toFixed(1)} s; /ready 200 again ${(readyAfterMs / 1000).toFixed(1)} s after it was up`,
    );
  });
});
