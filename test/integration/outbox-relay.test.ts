/**
 * The transactional outbox and its relay on the real PostgreSQL and Kafka:
 * migrations, writes inside the caller's transaction, every event type
 * published once with payload and headers intact, nothing from a rolled-back
 * transaction, order per key with concurrent writers and two relay instances,
 * a refused event that holds back only its own key (and the exact sends
 * that isolate it), wake-up by NOTIFY and after a lost listener, the
 * advisory locks as pg_locks shows them, and retention.
 *
 * Each test gets a schema of its own (the same migrations, applied there), so
 * relays of different tests never see each other's rows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  eventExamples,
  messageSentEvent,
  notificationSentEvent,
  topicSpecs,
  userEventsOutbox,
  userEventsTopic,
} from '../../generated/index.ts';
import { KafkaSendError } from '../../runtime/core/kafka-send-error.ts';
import { createRetrier, immediateRetrier, type Retrier } from '../../runtime/core/retrier.ts';
import { MIGRATIONS_DIR, migrate, quoteIdent } from '../../runtime/db/migrate.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import type { OutgoingRecord } from '../../runtime/kafka/records.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createOutboxWriter, writeToOutbox } from '../../runtime/outbox/write.ts';
import { EventValidationError } from '../../runtime/produce/errors.ts';
import type { PreparedEvent } from '../../runtime/produce/prepare-event.ts';
import { LANES, laneOf } from '../../runtime/relay/lanes.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../../runtime/relay/relay.ts';
import { DEFAULT_RELAY_RETRY } from '../../runtime/relay/settings.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { countById, type ReadRecord, startReader } from '../support/kafka-reader.ts';
import {
  contractEvents,
  contractTopics,
  createTopic,
  deleteTopics,
  migratedSchema,
  retargeted,
  runId,
  type TestSchema,
} from '../support/outbox-fixtures.ts';

const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const databaseUrl = infra.databaseUrl;

let _kafka: Kafka;
let pool: pg.Pool;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  expect((await applyTopics(brokers, topicSpecs)).hasDrift).toBe(false);
  _kafka = createKafka({ brokers, clientId: 'outbox-relay-test' });
  pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
});

afterEach(async () => {
  // Relays and producers first, then schemas and topics.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await pool?.end();
});

async function schemaForTest(): Promise<TestSchema> {
  const schema = await migratedSchema(databaseUrl, 'outbox_it');
  cleanups.push(() => schema.drop());
  return schema;
}

async function producerForTest(options: { retryWindowMs?: number } = {}): Promise<KafkaProducerPort> {
  const producer = testKafkaClients().producer({ ...options });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

async function relayForTest(options: Omit<OutboxRelayOptions, 'database'>): Promise<OutboxRelay> {
  const relay = new OutboxRelay({ database: databaseUrl, pollIntervalMs: 200, ...options });
  await relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

async function topicForTest(prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${runId()}`;
  await createTopic(brokers, topic, partitions);
  cleanups.push(() => deleteTopics(brokers, [topic]));
  return topic;
}

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function rows(schema: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return (
    await pool.query(`SELECT * FROM ${quoteIdent(schema)}.domain_event_outbox WHERE ${where} ORDER BY id`)
  ).rows;
}

const ids = (records: readonly ReadRecord[], wanted: ReadonlySet<string>) =>
  records.filter((r) => wanted.has(r.headers.ce_id ?? '')).length;

async function metricSum(metrics: RuntimeMetrics, name: string, labels: Record<string, string> = {}) {
  const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((n, v) => n + v.value, 0);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('migrations', () => {
  it('apply every file once, in name order, serialized across concurrent runners', async () => {
    const schema = `mig_it_${runId()}`;
    cleanups.push(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(databaseUrl, { schema })));
    const applied = results.filter((r) => r.applied.length > 0);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.applied).toEqual([...applied[0]!.applied].sort());
    expect(applied[0]!.applied[0]).toBe('001_outbox.sql');
    for (const r of results.filter((x) => x.applied.length === 0))
      expect(r.skipped).toEqual(applied[0]!.applied);
    const recorded = await pool.query(
      `SELECT name FROM ${quoteIdent(schema)}.schema_migrations ORDER BY name`,
    );
    expect(recorded.rows.map((r) => r.name)).toEqual(applied[0]!.applied);
    expect((await migrate(databaseUrl, { schema })).applied).toEqual([]);
  });

  it('stop on a migration edited after it was applied, and roll back a failing one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    const schema = `mig_it_${runId()}`;
    cleanups.push(async () => {
      await rm(dir, { recursive: true, force: true });
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    });
    await writeFile(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id int);');
    await migrate(databaseUrl, { schema, dir });
    await writeFile(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id bigint);');
    await expect(migrate(databaseUrl, { schema, dir })).rejects.toThrow(
      /001_a\.sql changed after it was applied/,
    );
    await writeFile(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id int);');
    await writeFile(path.join(dir, '002_b.sql'), 'CREATE TABLE b (id int); SELECT no_such_function();');
    await expect(migrate(databaseUrl, { schema, dir })).rejects.toThrow(/002_b\.sql failed/);
    const b = await pool.query(`SELECT to_regclass('${schema}.b') AS t`);
    expect(b.rows[0].t).toBeNull();
    expect(MIGRATIONS_DIR).toMatch(/runtime\/db\/migrations$/);
  });

  it("hold PostgreSQL's advisory lock ('MIGR', FNV-1a of the schema name) while they run, as pg_locks shows it", async () => {
    // A fixed name, so that its key is known without lockKeyOf: 1_689_449_759 is FNV-1a (32 bit) of
    // 'mig_lock_probe' with the top bit cleared, computed independently (Python).
    const schema = 'mig_lock_probe';
    const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    cleanups.push(async () => {
      await rm(dir, { recursive: true, force: true });
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    });
    // The migration writes down the advisory locks its own session holds while it runs.
    await writeFile(
      path.join(dir, '001_locks.sql'),
      `CREATE TABLE seen_locks AS
         SELECT classid::int8 AS classid, objid::int8 AS objid, objsubid::int AS objsubid
           FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid();`,
    );
    await migrate(databaseUrl, { schema, dir });
    const seen = await pool.query(`SELECT classid, objid, objsubid FROM ${quoteIdent(schema)}.seen_locks`);
    // Two int4 keys: classid the first ('MIGR' in ASCII), objid the second, objsubid 2.
    expect(seen.rows).toEqual([{ classid: String(0x4d494752), objid: '1689449759', objsubid: 2 }]);
  });
});

describe('outbox writes', () => {
  it('insert in the caller transaction with the lane the relay computes; a rollback leaves nothing', async () => {
    const { schema } = await schemaForTest();
    const topic = userEventsTopic;
    const payload = eventExamples.UserRegistered[0]!.payload;
    const kept = await inTransaction((c) =>
      writeToOutbox(c, topic, [{ type: 'UserRegistered', payload }], { schema }),
    );
    const dropped = await inTransaction(async (c) => {
      const written = await writeToOutbox(c, topic, [{ type: 'UserRegistered', payload }], { schema });
      throw Object.assign(new Error('business rule failed'), { written });
    }).catch((e: { written: PreparedEvent[] }) => e.written);
    const all = await rows(schema);
    expect(all.map((r) => r.event_id)).toEqual([kept[0]!.id]);
    expect(dropped[0]!.id).not.toBe(kept[0]!.id);
    const row = all[0]!;
    expect(row).toMatchObject({
      topic: 'user.events',
      key: String(payload.user_id),
      event_type: 'UserRegistered',
      headers: kept[0]!.headers,
      payload,
      attempts: 0,
      published_at: null,
      lane: laneOf('user.events', String(payload.user_id)),
      ce_source: 'urn:contract-events:chat:user',
      content_type: 'application/json',
    });
  });

  it('validate every event before writing any: one invalid event writes nothing', async () => {
    const { schema } = await schemaForTest();
    const outbox = userEventsOutbox(createOutboxWriter({ schema }));
    const payload = eventExamples.UserRegistered[0]!.payload;
    const error = await inTransaction((c) =>
      outbox.writeAll(c, [
        { type: 'UserRegistered', payload },
        { type: 'UserRegistered', payload: { ...payload, email: 'not an e-mail' } },
      ]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).violations.map((v) => v.path)).toEqual(['/email']);
    expect(await rows(schema)).toEqual([]);
  });

  it('compute the same lane as laneOf for many keys', async () => {
    const { schema } = await schemaForTest();
    const base = eventExamples.MessageSent[0]!.payload;
    const events = Array.from({ length: 200 }, (_, i) => ({
      type: 'MessageSent',
      payload: { ...base, message_id: randomUUID(), room_id: 1 + i * 37 },
    }));
    await inTransaction((c) => writeToOutbox(c, messageSentEventTopic(), events, { schema }));
    const lanes = await rows(schema);
    for (const r of lanes) expect(r.lane).toBe(laneOf(String(r.topic), String(r.key)));
    expect(new Set(lanes.map((r) => r.lane)).size).toBeGreaterThan(LANES / 2);
  });
});

function messageSentEventTopic() {
  return contractTopics.find((t) => t.name === 'message.events')!;
}

describe('outbox relay', () => {
  it('publishes every event type of a committed transaction once, payload and headers intact; nothing of a rolled-back one', async () => {
    const { schema } = await schemaForTest();
    const metrics = new RuntimeMetrics();
    const producer = await producerForTest();
    const reader = await startReader(
      brokers,
      contractTopics.map((t) => t.name),
    );
    cleanups.push(() => reader.stop());
    await pool.query(
      `CREATE TABLE ${quoteIdent(schema)}.accounts (id serial PRIMARY KEY, name text NOT NULL)`,
    );

    // Rolled back: the business row and its events disappear together.
    const rolledBack = await inTransaction(async (c) => {
      await c.query(`INSERT INTO ${quoteIdent(schema)}.accounts (name) VALUES ('ghost')`);
      const written = await writeToOutbox(
        c,
        userEventsTopic,
        [{ type: 'UserRegistered', payload: eventExamples.UserRegistered[0]!.payload }],
        { schema },
      );
      throw Object.assign(new Error('rolled back'), { written });
    }).catch((e: { written: PreparedEvent[] }) => e.written);

    const written = await inTransaction(async (c) => {
      await c.query(`INSERT INTO ${quoteIdent(schema)}.accounts (name) VALUES ('alice')`);
      const all: { prepared: PreparedEvent; payload: unknown }[] = [];
      for (const event of contractEvents) {
        const events = event.examples.map((e) => ({ type: event.definition.type, payload: e.payload }));
        const prepared = await writeToOutbox(c, event.topic, events, { schema });
        prepared.forEach((p, i) => {
          all.push({ prepared: p, payload: events[i]!.payload });
        });
      }
      // And once through a generated outbox mapper.
      const receipt = await userEventsOutbox(createOutboxWriter({ schema })).write(c, {
        type: 'UserProfileUpdated',
        payload: eventExamples.UserProfileUpdated[0]!.payload,
      });
      const [row] = (
        await c.query(`SELECT headers FROM ${quoteIdent(schema)}.domain_event_outbox WHERE event_id = $1`, [
          receipt.id,
        ])
      ).rows;
      all.push({
        prepared: {
          id: receipt.id,
          type: receipt.type,
          schemaVersion: 1,
          topic: receipt.topic,
          key: receipt.key,
          headers: row.headers,
          payload: eventExamples.UserProfileUpdated[0]!.payload,
          value: '',
        },
        payload: eventExamples.UserProfileUpdated[0]!.payload,
      });
      return all;
    });

    await relayForTest({ producer, schema, metrics, metricsIntervalMs: 100 });
    const wanted = new Set(written.map((w) => w.prepared.id));
    await reader.waitFor((rs) => ids(rs, wanted) >= wanted.size, 30_000, 'every committed event');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // room for a duplicate or a ghost to show up

    const counts = countById(reader.records);
    const byId = new Map(reader.records.map((r) => [r.headers.ce_id, r]));
    for (const { prepared, payload } of written) {
      expect(counts.get(prepared.id), prepared.type).toBe(1);
      const record = byId.get(prepared.id)!;
      expect(record.topic).toBe(prepared.topic);
      expect(record.key).toBe(prepared.key);
      expect(JSON.parse(record.value!)).toEqual(payload);
      expect(record.headers).toEqual(prepared.headers);
    }
    expect(new Set(written.map((w) => w.prepared.type))).toEqual(
      new Set(contractEvents.map((e) => e.definition.type)),
    );
    expect(counts.has(rolledBack[0]!.id)).toBe(false);
    expect(await rows(schema, `event_id = '${rolledBack[0]!.id}'`)).toEqual([]);
    const accounts = await pool.query(`SELECT name FROM ${quoteIdent(schema)}.accounts`);
    expect(accounts.rows.map((r) => r.name)).toEqual(['alice']);

    const left = await rows(schema, 'published_at IS NULL');
    expect(left).toEqual([]);
    expect(await metricSum(metrics, 'domain_events_published_total', { via: 'outbox' })).toBe(written.length);
    // Counted per topic and type as Kafka received them, not only in total.
    const received = new Map<string, number>();
    for (const record of reader.records) {
      if (!wanted.has(record.headers.ce_id ?? '')) continue;
      const slot = `${record.topic} ${record.headers.ce_type}`;
      received.set(slot, (received.get(slot) ?? 0) + 1);
    }
    for (const [slot, n] of received) {
      const [topic, type] = slot.split(' ') as [string, string];
      const eventType = written.find(
        (w) => w.prepared.topic === topic && w.prepared.headers.ce_type === type,
      )!.prepared.type;
      expect(
        await metricSum(metrics, 'domain_events_published_total', {
          via: 'outbox',
          topic,
          event_type: eventType,
        }),
        slot,
      ).toBe(n);
    }
    await waitUntil(async () => (await metricSum(metrics, 'outbox_backlog')) === 0, 5000, 'backlog 0');
  });

  it('keeps order per key with 4 concurrent writers and two relay instances at once', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-order', 6);
    const definition = retargeted(messageSentEvent, topic);
    const s = quoteIdent(schema);
    const KEYS = 40;
    const TX_PER_WRITER = 200;
    await pool.query(`CREATE TABLE ${s}.room_seq (room_id int PRIMARY KEY, seq int NOT NULL DEFAULT 0)`);
    await pool.query(`INSERT INTO ${s}.room_seq (room_id) SELECT generate_series(1, ${KEYS})`);
    const reader = await startReader(brokers, [topic]);
    cleanups.push(() => reader.stop());
    const relayOptions = {
      schema,
      workers: 2,
      batchSize: 300,
      pollIntervalMs: 100,
      rebalanceIntervalMs: 500,
    };
    const relayA = await relayForTest({
      ...relayOptions,
      producer: await producerForTest(),
      instanceId: 'A',
    });
    const relayB = await relayForTest({
      ...relayOptions,
      producer: await producerForTest(),
      instanceId: 'B',
    });

    // Both instances share the 64 lanes without overlap.
    await waitUntil(
      async () => relayA.status().lanes.length === LANES / 2 && relayB.status().lanes.length === LANES / 2,
      10_000,
      'the lanes split evenly',
    );
    const lanesA = new Set(relayA.status().lanes);
    expect(relayB.status().lanes.some((l) => lanesA.has(l))).toBe(false);

    const base = eventExamples.MessageSent[0]!.payload;
    const writtenIds = new Set<string>();
    const writer = async () => {
      for (let i = 0; i < TX_PER_WRITER; i++) {
        const room = 1 + Math.floor(Math.random() * KEYS);
        const n = 1 + Math.floor(Math.random() * 3);
        const prepared = await inTransaction(async (c) => {
          // The aggregate's row lock serializes writers of one room, as a real service's would.
          const { rows: r } = await c.query(
            `UPDATE ${s}.room_seq SET seq = seq + $2 WHERE room_id = $1 RETURNING seq`,
            [room, n],
          );
          const last = r[0].seq as number;
          const events = Array.from({ length: n }, (_, k) => ({
            type: 'MessageSent',
            payload: { ...base, message_id: randomUUID(), room_id: room, content: `seq ${last - n + 1 + k}` },
          }));
          return writeToOutbox(c, definition, events, { schema });
        });
        for (const p of prepared) writtenIds.add(p.id);
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    const total = (await pool.query(`SELECT sum(seq)::int AS n FROM ${s}.room_seq`)).rows[0].n as number;
    expect(writtenIds.size).toBe(total);

    await reader.waitFor((rs) => ids(rs, writtenIds) >= writtenIds.size, 60_000, 'every event');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const seen = new Set<string>();
    const lastSeq = new Map<number, number>();
    let duplicates = 0;
    for (const record of reader.records) {
      const id = record.headers.ce_id!;
      if (seen.has(id)) {
        duplicates++;
        continue;
      }
      seen.add(id);
      const payload = JSON.parse(record.value!) as { room_id: number; content: string };
      const seq = Number(payload.content.split(' ')[1]);
      expect(seq, `room ${payload.room_id}`).toBe((lastSeq.get(payload.room_id) ?? 0) + 1);
      lastSeq.set(payload.room_id, seq);
    }
    const expected = await pool.query(`SELECT room_id, seq FROM ${s}.room_seq`);
    for (const r of expected.rows) expect(lastSeq.get(r.room_id) ?? 0).toBe(r.seq);
    expect(seen.size).toBe(total);
    expect(duplicates).toBe(0);
    // Both instances did part of the work.
    expect(relayA.status().published).toBeGreaterThan(0);
    expect(relayB.status().published).toBeGreaterThan(0);
    expect(relayA.status().published + relayB.status().published).toBe(total);
    console.log(
      `[order] ${total} events, ${KEYS} keys, 4 writers; relay A published ${relayA.status().published}, B ${relayB.status().published}; duplicates ${duplicates}`,
    );
  });

  it('backs off an event Kafka refuses; only the later events of its key wait, and follow in order once it is fixed', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-refused', 3);
    const definition = retargeted(notificationSentEvent, topic);
    const metrics = new RuntimeMetrics();
    const base = eventExamples.NotificationSent[0]!.payload;
    const event = (user: number, step: string, content: Record<string, unknown> = {}) => ({
      type: 'NotificationSent',
      payload: { ...base, notification_id: randomUUID(), user_id: user, title: step, content },
    });
    // Above the broker's message.max.bytes (1 MiB), incompressible so Snappy cannot save it.
    const huge = { blob: randomBytes(1_200_000).toString('base64') };
    const [k1a, k1b, k1c, k2a, k2b] = await inTransaction((c) =>
      writeToOutbox(
        c,
        definition,
        [event(1, '1a'), event(1, '1b', huge), event(1, '1c'), event(2, '2a'), event(2, '2b')],
        { schema },
      ),
    );
    const reader = await startReader(brokers, [topic]);
    cleanups.push(() => reader.stop());
    const relay = await relayForTest({
      producer: await producerForTest(),
      schema,
      metrics,
      backoffInitialMs: 60_000,
      pollIntervalMs: 100,
    });
    const delivered = new Set([k1a!.id, k2a!.id, k2b!.id]);
    await reader.waitFor((rs) => ids(rs, delivered) >= delivered.size, 30_000, 'the events Kafka takes');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(reader.records.map((r) => JSON.parse(r.value!).title).sort()).toEqual(['1a', '2a', '2b']);

    const [refused] = await rows(schema, `event_id = '${k1b!.id}'`);
    expect(refused).toMatchObject({ attempts: 1, published_at: null });
    expect(String(refused!.last_error)).toMatch(/larger than the max message size/i);
    expect((refused!.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
    const [waiting] = await rows(schema, `event_id = '${k1c!.id}'`);
    expect(waiting).toMatchObject({ attempts: 0, published_at: null, last_error: null });
    await relay.refreshBacklogMetrics(pool);
    expect(await metricSum(metrics, 'outbox_rows_in_backoff')).toBe(1);
    expect(await metricSum(metrics, 'outbox_backlog')).toBe(2);
    expect(await metricSum(metrics, 'outbox_publish_failures_total', { topic })).toBeGreaterThanOrEqual(1);

    // An operator repairs the event and clears its back-off: 1b, then 1c, follow in order.
    await pool.query(
      `UPDATE ${quoteIdent(schema)}.domain_event_outbox SET payload = jsonb_set(payload, '{content}', '{}'), next_attempt_at = now() WHERE event_id = $1`,
      [k1b!.id],
    );
    const rest = new Set([k1b!.id, k1c!.id]);
    await reader.waitFor(
      (rs) => ids(rs, rest) >= rest.size,
      30_000,
      'the repaired event and the one behind it',
    );
    const key1 = reader.records.filter((r) => r.key === '1').map((r) => JSON.parse(r.value!).title);
    expect(key1).toEqual(['1a', '1b', '1c']);
  });

  it('publishes keyless events with a null key; one in back-off holds back no other', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-keyless', 3);
    // As a contract generated without a partition key defines it: the publisher may pass no key.
    const { partitionKey: _derived, partitionKeyExpression: _expression, ...keyless } = notificationSentEvent;
    const definition = retargeted({ ...keyless, keyArgument: { required: false, type: 'string' } }, topic);
    const base = eventExamples.NotificationSent[0]!.payload;
    const event = (step: string, content: Record<string, unknown> = {}) => ({
      type: 'NotificationSent',
      payload: { ...base, notification_id: randomUUID(), title: step, content },
    });
    const huge = { blob: randomBytes(1_200_000).toString('base64') };
    const written = await inTransaction((c) =>
      writeToOutbox(c, definition, [event('a'), event('b', huge), event('c'), event('d')], { schema }),
    );
    expect(written.map((w) => w.key)).toEqual([null, null, null, null]);
    const stored = await rows(schema);
    expect(stored.map((r) => r.key)).toEqual([null, null, null, null]);
    for (const r of stored) expect(r.lane).toBe(laneOf(topic, null, String(r.event_id)));

    const reader = await startReader(brokers, [topic]);
    cleanups.push(() => reader.stop());
    await relayForTest({
      producer: await producerForTest(),
      schema,
      backoffInitialMs: 60_000,
      pollIntervalMs: 100,
    });
    const [a, , c, d] = written;
    const delivered = new Set([a!.id, c!.id, d!.id]);
    await reader.waitFor(
      (rs) => ids(rs, delivered) >= delivered.size,
      30_000,
      'the keyless events Kafka takes',
    );
    const mine = reader.records.filter((r) => delivered.has(r.headers.ce_id ?? ''));
    expect(mine.map((r) => r.key)).toEqual([null, null, null]);
    expect(mine.every((r) => r.headers.ce_subject === undefined)).toBe(true);
    // The refused row's back-off is recorded once the relay has isolated it, which may come after
    // the others are acknowledged.
    const [refused] = await eventually(
      () => rows(schema, `event_id = '${written[1]!.id}'`),
      ([row]) => Number(row?.attempts) >= 1,
      15_000,
      'the refused keyless row in back-off',
      100,
    );
    expect(refused).toMatchObject({ attempts: 1, published_at: null });
    expect((refused!.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it('refuses a missing topic after the retry window and goes on with the other topics', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-present', 3);
    const missing = `relay-missing-${runId()}`;
    const base = eventExamples.MessageSent[0]!.payload;
    const message = (room: number) => ({
      type: 'MessageSent',
      payload: { ...base, message_id: randomUUID(), room_id: room },
    });
    const [lost1, lost2] = await inTransaction((c) =>
      writeToOutbox(c, retargeted(messageSentEvent, missing), [message(1), message(1)], { schema }),
    );
    const present = await inTransaction((c) =>
      writeToOutbox(c, retargeted(messageSentEvent, topic), [message(1), message(2), message(3)], { schema }),
    );
    const reader = await startReader(brokers, [topic]);
    cleanups.push(() => reader.stop());
    await relayForTest({
      producer: await producerForTest({ retryWindowMs: 2000 }),
      schema,
      backoffInitialMs: 60_000,
      pollIntervalMs: 100,
    });
    const wanted = new Set(present.map((p) => p.id));
    await reader.waitFor((rs) => ids(rs, wanted) >= wanted.size, 30_000, 'the events of the present topic');
    await waitUntil(
      async () => (await rows(schema, `event_id = '${lost1!.id}' AND attempts > 0`)).length === 1,
      15_000,
      'the missing topic refused',
    );
    const [first] = await rows(schema, `event_id = '${lost1!.id}'`);
    expect(String(first!.last_error)).toContain(missing);
    expect(first!.next_attempt_at).not.toBeNull();
    const [second] = await rows(schema, `event_id = '${lost2!.id}'`);
    expect(second).toMatchObject({ attempts: 0, published_at: null });
  });

  it('records an attempt on every row of a batch Kafka is unavailable for, and retries it through the injected retrier', async () => {
    const { schema } = await schemaForTest();
    const base = eventExamples.MessageSent[0]!.payload;
    const written = await inTransaction((c) =>
      writeToOutbox(
        c,
        messageSentEventTopic(),
        Array.from({ length: 5 }, (_, i) => ({
          type: 'MessageSent',
          payload: { ...base, message_id: randomUUID(), room_id: 1 + i },
        })),
        { schema },
      ),
    );
    // A producer whose broker is away for its first two sends, as after the producer's retry window.
    const sent: OutgoingRecord[] = [];
    let calls = 0;
    const producer: KafkaProducerPort = {
      connect: async () => {},
      disconnect: async () => {},
      send: async (records) => {
        calls++;
        if (calls <= 2) throw new KafkaSendError('broker unavailable', { retriable: true });
        sent.push(...records);
        return records.map((r, i) => ({ topic: r.topic, partition: 0, offset: String(i) }));
      },
    };
    const pauses: number[] = [];
    const retrier = immediateRetrier();
    const relay = await relayForTest({
      producer,
      schema,
      workers: 1,
      // Keep published rows, to read the attempts recorded on them.
      retentionMs: 3_600_000,
      pollIntervalMs: 60_000,
      retrier: (attempt, hooks) =>
        retrier(attempt, {
          ...hooks,
          onRetry: async (err, n, delayMs) => {
            pauses.push(n);
            await hooks?.onRetry?.(err, n, delayMs);
          },
        }),
    });
    await waitUntil(async () => relay.status().published === written.length, 10_000, 'the batch published');
    expect(calls).toBe(3);
    expect(pauses).toEqual([1, 2]);
    expect(relay.status().failedSends).toBe(2);
    expect(sent.map((r) => r.headers.ce_id)).toEqual(written.map((w) => w.id));
    const stored = await rows(schema);
    expect(stored.map((r) => [r.attempts, r.last_error])).toEqual(
      written.map(() => [2, expect.stringContaining('broker unavailable')]),
    );
    expect(stored.every((r) => r.published_at !== null && r.next_attempt_at === null)).toBe(true);
  });

  it('claims the next batch while one is sent, sends one batch at a time, and drops the next batch when Kafka refused something', async () => {
    const { schema } = await schemaForTest();
    const base = eventExamples.MessageSent[0]!.payload;
    const message = (room: number, content: string) => ({
      type: 'MessageSent',
      payload: { ...base, message_id: randomUUID(), room_id: room, content },
    });
    // Ids in this order: batches of 2 are [a1 b1] [a2 b2] [c1 c2] [c3 c4].
    const written = await inTransaction((c) =>
      writeToOutbox(
        c,
        messageSentEventTopic(),
        [
          message(1, 'a1 refused'),
          message(2, 'b1'),
          message(1, 'a2'),
          message(2, 'b2'),
          ...['c1', 'c2', 'c3', 'c4'].map((step) => message(3, step)),
        ],
        { schema },
      ),
    );
    const sent: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const producer: KafkaProducerPort = {
      connect: async () => {},
      disconnect: async () => {},
      send: async (records) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // Long enough for the next claim to come back while this batch is in flight.
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight--;
        const values = records.map((r) => JSON.parse(String(r.value)).content as string);
        if (values.some((v) => v.endsWith('refused'))) {
          throw new KafkaSendError('record refused', { retriable: false });
        }
        sent.push(...values);
        return records.map((r, i) => ({ topic: r.topic, partition: 0, offset: String(i) }));
      },
    };
    const relay = await relayForTest({
      producer,
      schema,
      workers: 1,
      batchSize: 2,
      backoffInitialMs: 60_000,
      pollIntervalMs: 60_000,
    });
    await waitUntil(async () => relay.status().published === written.length - 2, 10_000, 'all but a1 and a2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // a2 waits behind a1 in back-off: the batch [a2 b2], claimed before a1 was refused, was not sent.
    expect(sent).not.toContain('a2');
    expect(sent.filter((v) => v !== 'b1' && v !== 'b2')).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(sent.filter((v) => v.startsWith('b'))).toEqual(['b1', 'b2']);
    // The rows of the batch in flight are left out of the next claim: nothing went twice.
    expect(new Set(sent).size).toBe(sent.length);
    expect(mostInFlight).toBe(1);
    expect((await rows(schema)).map((r) => (r.payload as { content: string }).content)).toEqual([
      'a1 refused',
      'a2',
    ]);
  });

  it("holds its member lock and lanes under the table's advisory-lock class, as pg_locks shows it", async () => {
    // A fixed schema, so that the class is known without lockKeyOf: 250_499_402 is FNV-1a (32 bit) of
    // 'relay_lock_probe.domain_event_outbox' with the top bit cleared, computed independently (Python).
    const schema = 'relay_lock_probe';
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    cleanups.push(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    });
    await migrate(databaseUrl, { schema });
    const producer: KafkaProducerPort = {
      connect: async () => {},
      disconnect: async () => {},
      send: async (records) => records.map((r, i) => ({ topic: r.topic, partition: 0, offset: String(i) })),
    };
    const instanceId = `locks-${runId()}`;
    const relay = await relayForTest({ producer, schema, instanceId, workers: 1 });
    await waitUntil(async () => relay.status().lanes.length === LANES, 5000, 'the worker holding every lane');
    const { rows: locks } = await pool.query<{ classid: string; objid: string; mode: string }>(
      `SELECT l.classid::int8::text AS classid, l.objid::int8::text AS objid, l.mode
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1
        ORDER BY l.objid`,
      [`outbox-relay ${instanceId} worker 0`],
    );
    expect(locks).toEqual([
      ...Array.from({ length: LANES }, (_, lane) => ({
        classid: '250499402',
        objid: String(lane),
        mode: 'ExclusiveLock',
      })),
      { classid: '250499402', objid: '1000000', mode: 'ShareLock' },
    ]);
  });

  it('is woken by NOTIFY: with a 60 s poll an event is published in under 1 s; after its listener backend is terminated, the reconnect wakes it for what was committed meanwhile', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-notify', 1);
    const definition = retargeted(messageSentEvent, topic);
    const base = eventExamples.MessageSent[0]!.payload;
    const instanceId = `notify-${runId()}`;
    // The relay's own retry policy, except that reconnects (the calls without `retryable`: the
    // listener's, and a worker's lost session, which this test has none of) wait for `allowReconnects`.
    const policy = createRetrier(DEFAULT_RELAY_RETRY);
    let reconnectsAllowed: Promise<void> = Promise.resolve();
    let allowReconnects = () => {};
    const retrier: Retrier = (attempt, hooks) =>
      hooks?.retryable === undefined
        ? policy(async (n) => {
            await reconnectsAllowed;
            return attempt(n);
          }, hooks)
        : policy(attempt, hooks);
    // Neither the poll nor a rebalance would claim again within the test: only a notification can.
    const relay = await relayForTest({
      producer: await producerForTest(),
      schema,
      instanceId,
      workers: 1,
      pollIntervalMs: 60_000,
      rebalanceIntervalMs: 60_000,
      retrier,
    });
    const write = async (): Promise<string> => {
      const [event] = await inTransaction((c) =>
        writeToOutbox(
          c,
          definition,
          [{ type: 'MessageSent', payload: { ...base, message_id: randomUUID(), room_id: 7 } }],
          { schema },
        ),
      );
      return event!.id;
    };
    /** How long from `since` until the relay published `eventId` (its row deleted); fails past `boundMs`. */
    const publishedWithin = async (eventId: string, since: number, boundMs: number, what: string) => {
      await eventually(
        () => rows(schema, `event_id = '${eventId}'`),
        (r) => r.length === 0,
        boundMs,
        what,
        10,
      );
      return performance.now() - since;
    };
    const notifiedWithin = async (boundMs: number, what: string) => {
      const eventId = await write();
      return publishedWithin(eventId, performance.now(), boundMs, what);
    };
    const listenerPid = async (): Promise<number | undefined> =>
      (
        await pool.query<{ pid: number }>(
          // The listener's last query may be its LISTEN, the start-up probe or housekeeping: found by its name.
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [`outbox-relay ${instanceId} listener`],
        )
      ).rows[0]?.pid;

    // The first claim at start finds nothing; the worker is idle from then on.
    await waitUntil(async () => relay.status().lanes.length === LANES, 5000, 'the worker holding every lane');
    const firstPid = await listenerPid();
    expect(firstPid).toBeDefined();
    const notified = [await notifiedWithin(1000, 'an event published on its notification')];
    notified.push(await notifiedWithin(1000, 'a second event published on its notification'));

    // The listener's backend is terminated and its reconnect held back: an event committed now is
    // notified to no one, and the idle worker does not see it.
    reconnectsAllowed = new Promise((resolve) => {
      allowReconnects = resolve;
    });
    const terminated = await pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [firstPid]);
    expect(terminated.rows[0]!.ok).toBe(true);
    await eventually(
      async () => (await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [firstPid])).rowCount,
      (n) => n === 0,
      3000,
      'the terminated listener backend gone',
      10,
    );
    const missed = await write();
    // Not an assertion of timing: 300 ms in which the unnotified event must stay where it is.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rows(schema, `event_id = '${missed}'`)).toHaveLength(1);
    expect(await listenerPid()).toBeUndefined();
    // Once it may, the listener reconnects at once (the retrier's first attempt) and wakes the
    // worker: the missed event is published within 1 s.
    const allowed = performance.now();
    allowReconnects();
    const afterReconnect = await publishedWithin(
      missed,
      allowed,
      1000,
      'the missed event after the reconnect',
    );
    const secondPid = await eventually(
      listenerPid,
      (pid) => pid !== undefined && pid !== firstPid,
      1000,
      'a new listener session',
    );
    expect(secondPid).not.toBe(firstPid);
    // Listening again: notified within 1 s.
    notified.push(await notifiedWithin(1000, 'an event published on its notification after the reconnect'));
    console.log(
      `[notify] published ${notified.map((ms) => `${Math.round(ms)} ms`).join(', ')} after commit; the missed one ${Math.round(afterReconnect)} ms after reconnects were allowed`,
    );
    expect(relay.status().published).toBe(4);
  });

  it('isolates a refused record in a multi-topic batch of one lane with a fixed sequence of sends: per topic, halves of the keys, then row by row', async () => {
    const { schema } = await schemaForTest();
    const topicA = await topicForTest('relay-bisect-a', 1);
    const topicB = await topicForTest('relay-bisect-b', 1);
    const base = eventExamples.MessageSent[0]!.payload;
    // Keys (rooms) of both topics in one lane, so one claim takes them in id order whatever the lane split.
    const lane = laneOf(topicA, '1');
    const roomsIn = (topic: string, count: number, skip: ReadonlySet<number> = new Set()) => {
      const found: number[] = [];
      for (let room = 1; found.length < count; room++)
        if (!skip.has(room) && laneOf(topic, String(room)) === lane) found.push(room);
      return found;
    };
    const [roomA, roomB] = roomsIn(topicA, 2);
    const [roomC, roomD] = roomsIn(topicB, 2, new Set([roomA!, roomB!]));
    const room: Record<string, number> = { a: roomA!, b: roomB!, c: roomC!, d: roomD! };
    const topicOf: Record<string, string> = { a: topicA, b: topicA, c: topicB, d: topicB };
    const write = (labels: readonly string[]) =>
      inTransaction(async (c) => {
        const written: PreparedEvent[] = [];
        for (const label of labels) {
          const key = label[0]!;
          const [prepared] = await writeToOutbox(
            c,
            retargeted(messageSentEvent, topicOf[key]!),
            [
              {
                type: 'MessageSent',
                payload: { ...base, message_id: randomUUID(), room_id: room[key]!, content: label },
              },
            ],
            { schema },
          );
          written.push(prepared!);
        }
        return written;
      });
    // One claim, in id order; b2 is the record Kafka refuses.
    const written = await write(['a1', 'b1', 'c1', 'b2', 'd1', 'a2', 'b3', 'c2']);
    const stored = await rows(schema);
    expect(new Set(stored.map((r) => r.lane))).toEqual(new Set([lane]));

    // A real producer behind a port that records every send and refuses any batch holding b2,
    // as Kafka refuses a whole request for one bad record.
    const real = await producerForTest();
    const sends: string[][] = [];
    const producer: KafkaProducerPort = {
      connect: () => real.connect(),
      disconnect: () => real.disconnect(),
      send: async (records) => {
        const labels = records.map((r) => JSON.parse(String(r.value)).content as string);
        sends.push(labels);
        if (labels.includes('b2')) throw new KafkaSendError('record b2 refused', { retriable: false });
        return real.send(records);
      },
    };
    const reader = await startReader(brokers, [topicA, topicB]);
    cleanups.push(() => reader.stop());
    const relay = await relayForTest({
      producer,
      schema,
      workers: 1,
      backoffInitialMs: 60_000,
      pollIntervalMs: 60_000,
    });
    await waitUntil(async () => relay.status().published >= 6, 10_000, 'all but b2 and b3 published');
    // Another event, to see the next claim: b2 in back-off and b3 behind it stay out of it.
    const [d2] = await write(['d2']);
    await waitUntil(
      async () => (await rows(schema, `event_id = '${d2!.id}'`)).length === 0,
      10_000,
      'd2 published',
    );
    expect(sends).toEqual([
      ['a1', 'b1', 'c1', 'b2', 'd1', 'a2', 'b3', 'c2'], // the claimed batch: refused
      ['a1', 'b1', 'b2', 'a2', 'b3'], // per topic: topic A refused
      ['a1', 'a2'], // first half of topic A's keys: taken
      ['b1', 'b2', 'b3'], // second half, key b alone: refused
      ['b1'], // row by row within key b: taken
      ['b2'], // refused; b3 waits behind it, unsent
      ['c1', 'd1', 'c2'], // topic B: taken
      ['d2'], // the next claim
    ]);
    expect(relay.status().failedSends).toBe(1);
    const left = await rows(schema);
    expect(left.map((r) => [(r.payload as { content: string }).content, r.attempts, r.last_error])).toEqual([
      ['b2', 1, expect.stringContaining('record b2 refused')],
      ['b3', 0, null],
    ]);
    expect((left[0]!.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(left[1]!.next_attempt_at).toBeNull();

    // Kafka holds each taken record once, in order per key.
    const taken = new Set([...written.filter((_, i) => i !== 3 && i !== 6).map((w) => w.id), d2!.id]);
    await reader.waitFor((rs) => ids(rs, taken) >= taken.size, 15_000, 'the taken records');
    const content = (r: ReadRecord) => JSON.parse(r.value!).content as string;
    expect(reader.records.filter((r) => r.topic === topicA).map(content)).toEqual(['a1', 'a2', 'b1']);
    expect(reader.records.filter((r) => r.topic === topicB).map(content)).toEqual(['c1', 'd1', 'c2', 'd2']);
  });

  it('deletes published rows after the retention, keeps younger ones, and deletes at once with retention 0 (each row in Kafka once)', async () => {
    const { schema } = await schemaForTest();
    const topic = await topicForTest('relay-retention', 3);
    const definition = retargeted(messageSentEvent, topic);
    const table = `${quoteIdent(schema)}.domain_event_outbox`;
    const base = eventExamples.MessageSent[0]!.payload;
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        type: 'MessageSent',
        payload: { ...base, message_id: randomUUID(), room_id: 1 + i },
      }));
    const RETENTION_MS = 60_000;
    const relay = await relayForTest({
      producer: await producerForTest(),
      schema,
      retentionMs: RETENTION_MS,
      cleanupIntervalMs: 200,
    });
    const written = await inTransaction((c) => writeToOutbox(c, definition, batch(60), { schema }));
    await waitUntil(
      async () => (await rows(schema, 'published_at IS NOT NULL')).length === 60,
      15_000,
      'rows marked published',
    );
    // Published 90 s ago (past the retention), 30 s ago and just now (within it).
    const old = written.slice(0, 20).map((w) => w.id);
    const young = written.slice(20, 40).map((w) => w.id);
    const fresh = written.slice(40).map((w) => w.id);
    await pool.query(
      `UPDATE ${table} SET published_at = now() - interval '90 seconds' WHERE event_id = ANY($1::uuid[])`,
      [old],
    );
    await pool.query(
      `UPDATE ${table} SET published_at = now() - interval '30 seconds' WHERE event_id = ANY($1::uuid[])`,
      [young],
    );
    const left = await eventually(
      async () => (await rows(schema)).map((r) => String(r.event_id)),
      (ids) => !ids.some((id) => old.includes(id)),
      10_000,
      'the rows past the retention deleted by housekeeping',
      100,
    );
    expect(left.sort()).toEqual([...young, ...fresh].sort());
    // A cleanup run now deletes nothing more: every row left is younger than the retention.
    const client = await pool.connect();
    try {
      expect(await relay.deletePublished(client)).toBe(0);
    } finally {
      client.release();
    }
    expect((await rows(schema)).map((r) => String(r.event_id)).sort()).toEqual([...young, ...fresh].sort());
    await relay.stop();

    // Retention 0: each row is deleted as it is published, and each is in Kafka exactly once.
    const reader = await startReader(brokers, [topic]);
    cleanups.push(() => reader.stop());
    await relayForTest({ producer: await producerForTest(), schema, retentionMs: 0 });
    const second = await inTransaction((c) => writeToOutbox(c, definition, batch(50), { schema }));
    const secondIds = new Set(second.map((w) => w.id));
    await eventually(
      () => rows(schema, `event_id = ANY('{${[...secondIds].join(',')}}'::uuid[])`),
      (r) => r.length === 0,
      15_000,
      'rows deleted once published',
      100,
    );
    await reader.waitFor((rs) => ids(rs, secondIds) >= secondIds.size, 15_000, 'every published row');
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
    const counts = countById(reader.records);
    expect([...secondIds].map((id) => counts.get(id) ?? 0)).toEqual(second.map(() => 1));
    expect(reader.records.filter((r) => !secondIds.has(r.headers.ce_id ?? ''))).toEqual([]);
    // The records are the rows as written.
    for (const w of second) {
      const record = reader.records.find((r) => r.headers.ce_id === w.id)!;
      expect(record.key).toBe(w.key);
      expect(record.headers).toEqual(w.headers);
    }
  });
});
