/**
 * The latency benchmark's relay and consumer, each in a process of its own as
 * deployed services are (and away from the benchmark process's heap, whose
 * collections would land on the measured path). Started with `fork` and a JSON
 * `LatencyServiceTask` in argv[2]; answers `{ ready: true }` once running.
 * The consumer notes when each event's handler first ran (the system clock, as
 * the writer reads it) and hands those over on `take`; `exit` stops either.
 */

import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { OutboxRelay } from '../../runtime/relay/relay.ts';
import { wallClockMs } from '../harness/child.ts';
import {
  CONSUMER_CLIENTS,
  type ConsumerClientName,
  PRODUCER_CLIENTS,
  type ProducerClientName,
} from '../harness/clients.ts';
import { type BenchInfra, schemaPool } from '../harness/resources.ts';
import { type ConsumerChildTarget, consumeFixture } from './consume.ts';

export type LatencyServiceTask =
  | {
      readonly role: 'relay';
      readonly infra: BenchInfra;
      readonly schema: string;
      readonly client: ProducerClientName;
    }
  | (ConsumerChildTarget & {
      readonly groupId: string;
      readonly client: ConsumerClientName;
    });

/** What `take` answers: `[event id, handler time]` per event handled since the last `take`. */
export interface HandledReport {
  readonly handled: readonly (readonly [string, number])[];
}

async function startRelay(
  task: Extract<LatencyServiceTask, { role: 'relay' }>,
): Promise<() => Promise<void>> {
  const producer = PRODUCER_CLIENTS[task.client].port(task.infra.brokers);
  await producer.connect();
  const relay = new OutboxRelay({ database: task.infra.databaseUrl, schema: task.schema, producer });
  await relay.start();
  return async () => {
    await relay.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
  };
}

let handled: (readonly [string, number])[] = [];
const seen = new Set<string>();

async function startConsumer(
  task: Extract<LatencyServiceTask, { role: 'consumer' }>,
): Promise<() => Promise<void>> {
  const fixture = consumeFixture(task.topic, task.partitions);
  const pool = schemaPool(task.infra, task.schema, 10);
  const deadLetterProducer = createKafkajsProducer({
    kafka: createKafka({ brokers: task.infra.brokers, clientId: 'bench-dlq' }),
  });
  const runtime = createConsumerRuntime({
    kafka: CONSUMER_CLIENTS[task.client](task.infra.brokers),
    pool,
    deadLetterProducer,
  });
  const consumer = runtime.create(
    fixture.group(task.groupId),
    {
      userEvents: {
        UserRegistered: (event: { id: string }) => {
          if (seen.has(event.id)) return;
          seen.add(event.id);
          handled.push([event.id, wallClockMs()]);
        },
      },
    },
    {},
  );
  await consumer.ready;
  return async () => {
    await runtime.stopAll().catch(() => {});
    await deadLetterProducer.disconnect().catch(() => {});
    await pool.end().catch(() => {});
  };
}

const task = JSON.parse(process.argv[2] ?? '{}') as LatencyServiceTask;
let stop: () => Promise<void> = async () => {};
process.on('message', (message: 'take' | 'exit') => {
  if (message === 'take') {
    const report: HandledReport = { handled };
    handled = [];
    process.send?.(report);
    return;
  }
  void stop().finally(() => process.exit(0));
});
try {
  stop = task.role === 'relay' ? await startRelay(task) : await startConsumer(task);
  process.send?.({ ready: true });
} catch (err) {
  process.send?.({ ready: false, error: err instanceof Error ? err.message : String(err) });
}
