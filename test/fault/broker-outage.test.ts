/**
 * The Kafka broker crashes (kill -9: no controlled shutdown, no flushed
 * segments, the next start recovers its logs) while services keep writing to
 * the outbox, and comes back: nothing is lost, order per key holds. A direct publish started
 * during the outage is retried by the producer across the failover window
 * and succeeds once the broker is back.
 *
 * Requires the test run's native broker (infra/kafka/native.ts, `test`
 * profile): the test kills and starts that process itself, and leaves it running. A broker from KAFKA_BROKERS or Testcontainers
 * cannot be stopped from here, so on another source this test FAILS (it does
 * not skip): run it with the native broker (unset KAFKA_BROKERS, TEST_INFRA=native).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventExamples, messageSentEvent } from '../../generated/index.ts';
import {
  isProcessAlive,
  nativeBrokers,
  nativeKafkaStatus,
  startNativeKafka,
} from '../../infra/kafka/native.ts';
import type { Logger } from '../../runtime/core/logger.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { testKafkaConfig } from '../support/infrastructure.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { endOffsets, startReader } from '../support/kafka-reader.ts';
import { createTopic, deleteTopics, migratedSchema, retargeted, runId } from '../support/outbox-fixtures.ts';
import { checkDelivery, outboxCounts, SequencedWriters, waitUntil } from './relay-process.ts';

const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const databaseUrl = infra.databaseUrl;
const config = testKafkaConfig();
let pool: pg.Pool;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
});

afterAll(async () => {
  // Whatever happened, leave a running broker behind for the tests after this one.
  await startNativeKafka(config);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await pool?.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Kafka broker outage', () => {
  it('killed (SIGKILL) while events are written to the outbox and started again: nothing is lost', {
    timeout: 300_000,
  }, async () => {
    if (infra.source !== 'native') {
      throw new Error(
        `this fault test stops and restarts the broker process, which only the native broker allows; Kafka came from "${infra.source}" (${brokers.join(',')}). Run it with the native broker: unset KAFKA_BROKERS and set TEST_INFRA=native.`,
      );
    }
    // The broker this test stops must be the one the run uses (never `npm start`'s).
    expect(nativeBrokers(config)).toEqual(brokers);
    const schema = await migratedSchema(databaseUrl, 'broker_outage');
    cleanups.push(() => schema.drop());
    const topic = `broker-outage-${runId()}`;
    await createTopic(brokers, topic, 3);
    cleanups.push(() => deleteTopics(brokers, [topic]));
    const from = await endOffsets(brokers, [topic]);
    const definition = retargeted(messageSentEvent, topic);

    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };
    const _kafka = createKafka({ brokers, clientId: 'broker-outage-test' });
    // The relay's producer gives up after 5 s, so the outage also runs the relay's own path
    // (attempt recorded on the rows, pause, retry); the direct publisher keeps the default 30 s.
    const port: KafkaProducerPort = testKafkaClients('broker-outage-test', logger).producer({
      retryWindowMs: 5000,
    });
    cleanups.push(() => port.disconnect());
    const directPort: KafkaProducerPort = testKafkaClients('broker-outage-test', logger).producer();
    cleanups.push(() => directPort.disconnect());
    const metrics = new RuntimeMetrics();
    const relay = new OutboxRelay({
      database: databaseUrl,
      producer: port,
      schema: schema.schema,
      batchSize: 500,
      pollIntervalMs: 100,
      retentionMs: 3_600_000, // keep published rows: the test reads their recorded attempts
      metrics,
      logger,
    });
    await relay.start();
    cleanups.push(() => relay.stop());

    const writers = new SequencedWriters(pool, schema.schema, definition, 50);
    await writers.setUp();
    const writing = Promise.all([writers.run(100_000, 4, 20), writers.run(100_000, 4, 20)]);
    await sleep(3000);
    const beforeOutage = (await outboxCounts(pool, schema.schema)).total;

    // The crash: SIGKILL to this run's broker (its pid file and command line name our state dir).
    const running = await nativeKafkaStatus(config);
    expect(running.running, `the native broker of ${config.stateDir} is running`).toBe(true);
    const brokerPid = running.pid!;
    process.kill(brokerPid, 'SIGKILL');
    const downAt = Date.now();
    await eventually(
      () => isProcessAlive(brokerPid),
      (alive) => !alive,
      30_000,
      `the broker (pid ${brokerPid}) gone after SIGKILL`,
    );

    // A direct publish while the broker is down: retried inside the producer's window.
    const direct = createEventProducer({ producer: directPort }).topic(definition);
    const directPayload = {
      ...eventExamples.MessageSent[0]!.payload,
      message_id: randomUUID(),
      room_id: 9999,
    };
    const directPublish = direct.publish({ type: 'MessageSent', payload: directPayload }).then(
      (receipt) => ({ receipt, at: Date.now() }),
      (error: unknown) => ({ error }),
    );

    await sleep(6000); // writers keep committing; the outbox holds the events
    const duringOutage = await outboxCounts(pool, schema.schema);
    const started = await startNativeKafka(config);
    const upAt = Date.now();
    // A new broker process, not the killed one adopted.
    expect(started.reused).toBe(false);
    expect(started.pid).not.toBe(brokerPid);
    await sleep(3000);
    writers.stop();
    await writing;

    const directResult = await directPublish;
    expect('error' in directResult ? String(directResult.error) : 'ok').toBe('ok');

    await waitUntil(
      async () => (await outboxCounts(pool, schema.schema)).unpublished === 0,
      120_000,
      'the outbox drained after the broker came back',
    );
    const retried = await pool.query<{ rows: number; attempts: number }>(
      `SELECT count(*)::int AS rows, coalesce(sum(attempts), 0)::int AS attempts
         FROM ${schema.schema}.domain_event_outbox WHERE attempts > 0`,
    );
    const failures =
      (await metrics.registry.getSingleMetric('outbox_publish_failures_total')?.get())?.values ?? [];
    const failedAttempts = failures.reduce((n, v) => n + v.value, 0);
    const reader = await startReader(brokers, [topic], from);
    cleanups.push(() => reader.stop());
    const wanted = new Set([...writers.ids, 'receipt' in directResult ? directResult.receipt.id : '']);
    await reader
      .waitFor((rs) => new Set(rs.map((r) => r.headers.ce_id)).size >= wanted.size, 60_000, 'every event')
      .catch(() => {});
    await sleep(1000);
    const check = checkDelivery(writers.ids, reader.records, await writers.lastSequences());
    const directArrived = reader.records.some(
      (r) => 'receipt' in directResult && r.headers.ce_id === directResult.receipt.id,
    );
    console.log(
      `[fault broker-outage] broker killed (pid ${brokerPid}), down ${((upAt - downAt) / 1000).toFixed(1)} s (restart took ${(started.startMs / 1000).toFixed(1)} s); ` +
        `written ${check.written} (${beforeOutage} before the outage, ${duringOutage.unpublished} unpublished at restart), ` +
        `delivered ${check.delivered}, missing ${check.missing}, duplicates ${check.duplicates}; ` +
        `direct publish during the outage acknowledged ${'at' in directResult ? ((directResult.at - downAt) / 1000).toFixed(1) : '-'} s after the stop; ` +
        `relay: ${retried.rows[0]!.rows} rows with recorded failed attempts (${failedAttempts} row-attempts counted in outbox_publish_failures_total), ${warnings.length} warnings logged`,
    );
    expect(retried.rows[0]!.rows).toBeGreaterThan(0);
    expect(failedAttempts).toBeGreaterThan(0);
    expect(check.missing).toBe(0);
    expect(check.outOfOrder).toEqual([]);
    expect(directArrived).toBe(true);
    expect(duringOutage.unpublished).toBeGreaterThan(0);
    expect(writers.failedTransactions).toBe(0);
  });
});
