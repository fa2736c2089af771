/**
 * Typed publish against the raw client, for each producer client: the
 * runtime's `EventProducer.publishAll` (validate, key, envelope headers,
 * serialize, send through the client's `KafkaProducerPort`) beside the same
 * client used directly on the same events already serialized (the bytes the
 * typed path would produce), with the same batch per call. Rounds alternate
 * typed and raw (GC and the broker's flushes hit both alike); each round
 * sends `events` events. Ratios: typed / raw of the same client, and typed /
 * the fastest raw client.
 *
 * What bounds the ratio: the raw path is handed finished records, the typed
 * path first makes them: `prepareEvent` validates the payload against the
 * contract (ajv, formats included), takes the key, builds the envelope and
 * writes the JSON. That work alone is timed on the same events, and with each
 * round's raw time per event it gives the ratio the typed path would reach if
 * it added nothing else: raw / (raw + prepare).
 */
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import { createEventProducer } from '../../runtime/produce/event-producer.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import { PRODUCER_CLIENTS, type ProducerClientName } from '../harness/clients.ts';
import type { SectionRecorder } from '../harness/report.ts';
import { type BenchInfra, createTopic, deleteTopics, runId } from '../harness/resources.ts';
import { median, perSecond } from '../harness/stats.ts';
import { messageEvents, messageTopic, serialize, slices } from './workload.ts';

export interface ProduceOptions {
  readonly events: number;
  readonly batch: number;
  readonly rounds: number;
  readonly partitions: number;
  readonly clients: readonly ProducerClientName[];
}

export const PRODUCE_FULL: ProduceOptions = {
  events: 30_000,
  batch: 2_000,
  rounds: 5,
  partitions: 6,
  clients: ['kafkajs', 'platformatic'],
};
export const PRODUCE_QUICK: ProduceOptions = { ...PRODUCE_FULL, events: 1_000, batch: 500, rounds: 1 };

export async function runProduce(
  infra: BenchInfra,
  options: ProduceOptions,
  recorder: SectionRecorder,
): Promise<void> {
  const name = `bench.produce.${runId()}`;
  const topic = messageTopic(name, options.partitions);
  await createTopic(infra, topic as unknown as TopicDefinition);
  const typedRates = new Map<ProducerClientName, number[]>();
  const rawRates = new Map<ProducerClientName, number[]>();
  try {
    for (const client of options.clients) {
      const port = PRODUCER_CLIENTS[client].port(infra.brokers);
      const raw = PRODUCER_CLIENTS[client].raw(infra.brokers);
      await port.connect();
      await raw.connect();
      try {
        const publisher = createEventProducer({ producer: port }).topic(topic);
        const typedRound = async () => {
          const events = messageEvents(options.events);
          const started = performance.now();
          for (const batch of slices(events, options.batch)) await publisher.publishAll(batch);
          return perSecond(events.length, performance.now() - started);
        };
        const rawRound = async () => {
          const records = serialize(topic, messageEvents(options.events));
          const started = performance.now();
          for (const batch of slices(records, options.batch)) await raw.send(name, options.partitions, batch);
          return perSecond(records.length, performance.now() - started);
        };
        // Warm-up: connections, metadata, the JIT of both paths.
        await typedRound();
        await rawRound();
        const typed: number[] = [];
        const rawRuns: number[] = [];
        for (let round = 0; round < options.rounds; round++) {
          typed.push(await typedRound());
          rawRuns.push(await rawRound());
        }
        typedRates.set(client, typed);
        rawRates.set(client, rawRuns);
        const prepareUs: number[] = [];
        for (let round = 0; round < options.rounds; round++) {
          const events = messageEvents(options.events);
          const started = performance.now();
          for (const event of events) prepareEvent(topic as unknown as TopicDefinition, event);
          prepareUs.push(((performance.now() - started) * 1000) / events.length);
        }
        const prepareMedian = median(prepareUs);
        recorder.add(`typed-${client}`, `typed publishAll, ${client}`, 'events/s', typed);
        recorder.add(`raw-${client}`, `raw ${client}, pre-serialized`, 'events/s', rawRuns);
        recorder.add(
          `typed-vs-raw-${client}`,
          `typed / raw, ${client} (per round)`,
          'ratio',
          typed.map((t, i) => t / rawRuns[i]!),
        );
        recorder.add(
          `prepare-${client}`,
          'prepareEvent alone (validate, key, envelope, JSON), in this section',
          'µs/event',
          prepareUs,
        );
        recorder.add(
          `ceiling-${client}`,
          `typed / raw, ${client}, if typed added only prepareEvent`,
          'ratio',
          rawRuns.map((r) => {
            const rawUs = 1e6 / r;
            return rawUs / (rawUs + prepareMedian);
          }),
        );
      } finally {
        await port.disconnect().catch(() => {});
        await raw.disconnect().catch(() => {});
      }
    }
    const fastestRaw = [...rawRates.entries()].sort((a, b) => median(b[1]) - median(a[1]))[0];
    const fastestTyped = [...typedRates.entries()].sort((a, b) => median(b[1]) - median(a[1]))[0];
    if (fastestRaw && fastestTyped) {
      const rawMedian = median(fastestRaw[1]);
      recorder.add(
        'typed-vs-fastest-raw',
        `fastest typed (${fastestTyped[0]}) / fastest raw (${fastestRaw[0]})`,
        'ratio',
        fastestTyped[1].map((t) => t / rawMedian),
      );
      for (const [client, rates] of typedRates) {
        if (client === fastestTyped[0]) continue;
        recorder.add(
          `typed-${client}-vs-fastest-raw`,
          `typed ${client} / fastest raw (${fastestRaw[0]})`,
          'ratio',
          rates.map((t) => t / rawMedian),
        );
      }
    }
  } finally {
    await deleteTopics(infra, [name]).catch(() => {});
  }
}
