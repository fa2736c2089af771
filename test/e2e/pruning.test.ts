/**
 * The service kit prunes `consumer_processed_events` on a schedule, on the
 * real PostgreSQL: rows older than the longest retention of the topics the
 * service's groups read (plus a day) go, newer ones stay; failures are logged,
 * several instances share the work, and a service with consumers runs it.
 */
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { friendProfileCacheGroup } from '../../generated/index.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { analyticsService } from '../../services/analytics/definition.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { createLogger } from '../../services/shared/logger.ts';
import { DAY_MS, startProcessedEventsPruning } from '../../services/shared/pruning.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { dropSchemas, eventually, runId, startGroupAtEnd } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `pruning_${run}`;
const serviceSchema = `analytics_${run}`;
const pool = createServicePool(infra.databaseUrl, schema, 6);
const HOUR = 3_600_000;

/** A group reading one topic kept `retentionMs`. */
function groupKeeping(retentionMs: number): ConsumerGroupDefinition {
  const base = friendProfileCacheGroup.subscriptions[0]!;
  return {
    groupId: `pruning-${run}`,
    context: 'test',
    subscriptions: [
      {
        ...base,
        topic: {
          ...base.topic,
          spec: { ...base.topic.spec, config: { 'retention.ms': String(retentionMs) } },
        },
      },
    ],
  };
}

/** Log lines as JSON objects. */
function capturingLogger(name: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(name, {
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, logger };
}

/** Inserts processed rows `ageMs` old, for `groupId`. */
async function processed(db: pg.Pool, ids: readonly string[], ageMs: number, groupId = 'any-group') {
  await db.query(
    `INSERT INTO consumer_processed_events (group_id, event_id, topic, kafka_partition, kafka_offset, processed_at)
     SELECT $1, id, 'user.events', 0, 0, now() - $3::bigint * interval '1 millisecond' FROM unnest($2::text[]) AS id`,
    [groupId, ids, ageMs],
  );
}

const eventIds = async (db: pg.Pool, like = '%') =>
  (
    await db.query<{ event_id: string }>(
      'SELECT event_id FROM consumer_processed_events WHERE event_id LIKE $1 ORDER BY event_id',
      [like],
    )
  ).rows.map((r) => r.event_id);

beforeAll(async () => {
  await migrate(pool, { schema });
});

afterAll(async () => {
  await pool.end();
  await dropSchemas(infra.databaseUrl, [schema, serviceSchema]);
});

describe('pruning processed events', () => {
  it('deletes rows older than the longest topic retention plus a day, shortly after start, and keeps the rest', async () => {
    await pool.query('DELETE FROM consumer_processed_events');
    const retention = 10 * DAY_MS + DAY_MS;
    await processed(pool, ['old-a'], retention + HOUR, 'group-a');
    await processed(pool, ['old-b'], retention + HOUR, 'a-replay-group-nobody-runs');
    await processed(pool, ['kept-edge'], retention - HOUR, 'group-a');
    await processed(pool, ['kept-new'], 0, 'group-a');
    const { lines, logger } = capturingLogger('pruning');
    const pruner = startProcessedEventsPruning({
      pool,
      groups: () => [groupKeeping(3 * DAY_MS), groupKeeping(10 * DAY_MS)],
      logger,
      firstRunMs: 100,
      intervalMs: 60_000,
    });
    try {
      expect(
        await eventually(
          () => eventIds(pool),
          (ids) => !ids.includes('old-a'),
          10_000,
          'the first run',
        ),
      ).toEqual(['kept-edge', 'kept-new']);
      expect(lines.find((l) => l.msg === 'processed events pruned')).toMatchObject({
        deleted: 2,
        retentionMs: retention,
      });
      expect(await pruner.runOnce()).toBe(0);
    } finally {
      await pruner.stop();
    }
    // Stopped: nothing runs any more.
    await processed(pool, ['old-after-stop'], retention + HOUR);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await eventIds(pool, 'old-after-stop')).toEqual(['old-after-stop']);
  });

  it('logs a failing run instead of throwing, and tries again at the next one', async () => {
    const broken = createServicePool(infra.databaseUrl, `no_such_schema_${run}`, 2);
    const { lines, logger } = capturingLogger('pruning');
    const pruner = startProcessedEventsPruning({
      pool: broken,
      groups: () => [groupKeeping(DAY_MS)],
      logger,
      firstRunMs: 10,
      intervalMs: 50,
    });
    try {
      const failures = () =>
        lines.filter((l) => l.msg?.toString().startsWith('pruning processed events failed'));
      await eventually(
        async () => failures().length,
        (n) => n >= 2,
        10_000,
        'two failed runs',
      );
      expect(failures()[0]).toMatchObject({
        level: 'warn',
        err: { message: expect.stringContaining('consumer_processed_events') },
      });
      expect(await pruner.runOnce()).toBe(0); // resolves, never rejects
    } finally {
      await pruner.stop();
      await broken.end();
    }
  });

  it('shares the work between several instances pruning at once', async () => {
    await pool.query('DELETE FROM consumer_processed_events');
    const ids = Array.from({ length: 25_000 }, (_, i) => `bulk-${String(i).padStart(5, '0')}`);
    await processed(pool, ids, 12 * DAY_MS);
    await processed(pool, ['kept'], HOUR);
    const instances = [1, 2, 3].map(() =>
      startProcessedEventsPruning({
        pool,
        groups: () => [groupKeeping(DAY_MS)],
        logger: createLogger('pruning', { level: 'silent' }),
        firstRunMs: 60_000,
      }),
    );
    try {
      const deleted = await Promise.all(instances.map((p) => p.runOnce()));
      expect(deleted.reduce((a, b) => a + b, 0)).toBe(ids.length);
      expect(await eventIds(pool)).toEqual(['kept']);
    } finally {
      await Promise.all(instances.map((p) => p.stop()));
    }
  });

  it('runs in every service with consumers, with the retention of the topics its groups read', async () => {
    const servicePool = createServicePool(infra.databaseUrl, serviceSchema, 2);
    const groupId = `analytics-consumer-group-e2e-${run}`;
    try {
      await migrateService(servicePool, {
        schema: serviceSchema,
        dir: path.join(import.meta.dirname, '../../services/analytics/migrations'),
      });
      // The analytics group reads the six chat topics, the longest kept 7 days: rows are kept 8.
      await processed(servicePool, ['old'], 8 * DAY_MS + HOUR);
      await processed(servicePool, ['kept'], 8 * DAY_MS - HOUR);
      await startGroupAtEnd(infra.kafkaBrokers, groupId, [
        'user.events',
        'user.online_status',
        'friend.events',
        'chat.events',
        'message.events',
        'notification.events',
      ]);
      const { lines, logger } = capturingLogger('analytics');
      const service = await runService({
        ...analyticsService(),
        schema: serviceSchema,
        logger,
        env: {
          PORT: '0',
          DATABASE_URL: infra.databaseUrl,
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          AUTH_SECRET: `secret-${run}`,
          ANALYTICS_GROUP_ID: groupId,
          PROCESSED_EVENTS_PRUNE_FIRST_RUN_MS: '500',
        },
      });
      try {
        await eventually(
          () => eventIds(servicePool, 'old'),
          (ids) => ids.length === 0,
          20_000,
          'the service’s first pruning run',
        );
        expect(await eventIds(servicePool)).toEqual(['kept']);
        expect(lines.find((l) => l.msg === 'processed events pruned')).toMatchObject({
          deleted: 1,
          retentionMs: 8 * DAY_MS,
        });
      } finally {
        await service.stop();
      }
    } finally {
      await servicePool.end();
    }
  });
});
