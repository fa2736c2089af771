/**
 * A consumer group member in a process of its own, for the fault tests that
 * kill it. Configured by environment; reports on stdout, one JSON object per line:
 * `{"ready":true}`, `{"hanging":"<event id>" | "offset-commit"}`,
 * `{"stopped":true,"handled":n,"duplicate":n}`.
 *
 * CHILD_MODE:
 * - `normal`;
 * - `hang-on-second`: the handler of the second event never returns, in the middle of
 *   the batch transaction that also holds the first event (claimed and handled, not committed);
 * - `fail-then-hang-on-second`: the second event's first attempt throws (the first event
 *   is committed with the batch transaction, its offset acknowledged and committed), its
 *   second attempt, in a transaction of its own, never returns;
 * - `hang-before-offset-commit`: every batch is handled and committed to PostgreSQL and
 *   its records acknowledged, then the member hangs before the port commits the offsets.
 */
import { type ConsumerPortSettings, createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import type { KafkaConsumerPort } from '../../runtime/kafka/consumer-port.ts';
import {
  recordEffect,
  registeredGroup,
  schemaPool,
  userEventsTestTopic,
} from '../integration/consumer-support.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`consumer-child: ${name} is not set`);
  return value;
};
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const forever = () => new Promise<never>(() => {});

const brokers = env('KAFKA_BROKERS').split(',');
const groupId = env('CHILD_GROUP');
const mode = process.env.CHILD_MODE ?? 'normal';
const pool = schemaPool(env('DATABASE_URL'), env('CHILD_SCHEMA'), 4);
const clients = createKafkaClients({ brokers, clientId: `consumer-child-${process.pid}` });
const deadLetterProducer = clients.producer({ compression: 'none' });

/** The run's consumer port, with a hang between the end of each batch and kafkajs' offset commit. */
const hangBeforeOffsetCommit = (settings: ConsumerPortSettings): KafkaConsumerPort => {
  const port = clients.consumer({
    groupId: settings.groupId,
    startFrom: settings.startFrom,
    partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    ...(settings.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: settings.sessionTimeoutMs } : {}),
    ...(settings.heartbeatIntervalMs !== undefined
      ? { heartbeatIntervalMs: settings.heartbeatIntervalMs }
      : {}),
    ...(settings.maxWaitTimeMs !== undefined ? { maxWaitTimeMs: settings.maxWaitTimeMs } : {}),
  });
  return {
    start: (topics, handle) =>
      port.start(topics, async (batch, scope) => {
        await handle(batch, scope);
        emit({ hanging: 'offset-commit', records: batch.records.length });
        await forever();
      }),
    stop: () => port.stop(),
  };
};

const runtime = createConsumerRuntime({
  kafka: mode === 'hang-before-offset-commit' ? hangBeforeOffsetCommit : clients,
  pool,
  deadLetterProducer,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
});

let calls = 0;
const consumer = runtime.create(
  registeredGroup(groupId, userEventsTestTopic(env('CHILD_TOPIC'), 1)),
  {
    userEvents: {
      UserRegistered: async (event: ReceivedEvent<'UserRegistered', unknown, unknown>, { attempt, db }) => {
        calls += 1;
        if (mode === 'hang-on-second' && calls === 2) {
          emit({ hanging: event.id });
          await forever();
        }
        if (mode === 'fail-then-hang-on-second' && calls >= 2) {
          if (attempt === 1) throw new Error('first attempt of the second event fails');
          emit({ hanging: event.id });
          await forever();
        }
        await recordEffect(db, event.id, `pid-${process.pid}`);
      },
    },
  },
  { groupId },
);

const count = async (outcome: string) => {
  const { values } = await runtime.metrics.consumed.get();
  return values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
};

process.on('SIGTERM', () => {
  void (async () => {
    await consumer.stop();
    emit({ stopped: true, handled: await count('handled'), duplicate: await count('duplicate') });
    await deadLetterProducer.disconnect();
    await pool.end();
    process.exit(0);
  })();
});

await consumer.ready;
emit({ ready: true });
