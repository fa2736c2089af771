/**
 * A consumer group member in a process of its own, for the fault tests that
 * kill it. Configured by environment; reports on stdout, one JSON object per line:
 * `{"ready":true}`, `{"hanging":"<event id>"}`, `{"stopped":true,"handled":n,"duplicate":n}`.
 *
 * CHILD_MODE=hang-on-second: the handler of the second event never returns, so
 * the first event is handled and committed to PostgreSQL, acknowledged, but its
 * offset is not yet committed to Kafka (that happens when the batch ends).
 */
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import type { ReceivedEvent } from '../../runtime/contract/events.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { registeredGroup, schemaPool, userEventsTestTopic } from '../integration/consumer-support.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`consumer-child: ${name} is not set`);
  return value;
};
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const brokers = env('KAFKA_BROKERS').split(',');
const groupId = env('CHILD_GROUP');
const mode = process.env.CHILD_MODE ?? 'normal';
const pool = schemaPool(env('DATABASE_URL'), env('CHILD_SCHEMA'), 4);
const kafka = createKafka({ brokers, clientId: `consumer-child-${process.pid}` });
const deadLetterProducer = createKafkajsProducer({ kafka, compression: 'none' });
const runtime = createConsumerRuntime({
  kafka,
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
      UserRegistered: async (event: ReceivedEvent<'UserRegistered', unknown, unknown>, { db }) => {
        calls += 1;
        if (mode === 'hang-on-second' && calls === 2) {
          emit({ hanging: event.id });
          await new Promise(() => {});
        }
        await db.query('INSERT INTO effects (event_id, member) VALUES ($1, $2)', [
          event.id,
          `pid-${process.pid}`,
        ]);
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
