/**
 * The Kafka clients a benchmark compares, each by name: the runtime's producer
 * port on it, the same client used raw (sending pre-serialized records, the
 * ceiling the typed path is held against), and what the consumer runtime is
 * given to consume with it.
 */

import { Producer as PlatformaticRawProducer, ProduceAcks } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import type { ConsumerRuntimeOptions } from '../../runtime/consume/consumer-runtime.ts';
import { createKafkaClients } from '../../runtime/kafka/client.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { partitionForKey } from '../../runtime/kafka/murmur2.ts';
import { createPlatformaticProducer } from '../../runtime/kafka/platformatic-producer.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';

/** One record as bytes, ready for any client. */
export interface SerializedRecord {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** A client used directly: idempotent, acks=all, Snappy, as the runtime's ports configure it. */
export interface RawSender {
  connect(): Promise<void>;
  /** Sends one batch to `topic` (`partitions` partitions) and waits for every acknowledgement. */
  send(topic: string, partitions: number, records: readonly SerializedRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ProducerClient {
  readonly port: (brokers: readonly string[]) => KafkaProducerPort;
  readonly raw: (brokers: readonly string[]) => RawSender;
}

function rawKafkajs(brokers: readonly string[]): RawSender {
  const producer = createKafka({ brokers, clientId: 'bench-raw-kafkajs' }).producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: false,
  });
  return {
    connect: () => producer.connect(),
    async send(topic, _partitions, records) {
      await producer.sendBatch({
        acks: -1,
        compression: kafkajs.CompressionTypes.Snappy,
        topicMessages: [
          {
            topic,
            messages: records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
          },
        ],
      });
    },
    disconnect: () => producer.disconnect(),
  };
}

function rawPlatformatic(brokers: readonly string[]): RawSender {
  const producer = new PlatformaticRawProducer<Buffer, Buffer, Buffer, Buffer>({
    clientId: 'bench-raw-platformatic',
    bootstrapBrokers: [...brokers],
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: 'snappy',
    autocreateTopics: false,
    maxInflights: 5,
  });
  return {
    connect: async () => {
      await producer.metadata({ topics: [] });
    },
    async send(topic, partitions, records) {
      // Java-compatible partitions, as the runtime's adapter sets them (the library's own partitioner differs).
      await producer.send({
        messages: records.map((r) => ({
          topic,
          partition: partitionForKey(r.key.toString('utf8'), partitions),
          key: r.key,
          value: r.value,
          headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), v])),
        })),
      });
    },
    disconnect: () => producer.close(),
  };
}

export const PRODUCER_CLIENTS = {
  kafkajs: {
    port: (brokers) => createKafkajsProducer({ kafka: createKafka({ brokers, clientId: 'bench-kafkajs' }) }),
    raw: rawKafkajs,
  },
  platformatic: {
    port: (brokers) => createPlatformaticProducer({ brokers, clientId: 'bench-platformatic' }),
    raw: rawPlatformatic,
  },
} satisfies Record<string, ProducerClient>;

export type ProducerClientName = keyof typeof PRODUCER_CLIENTS;

/** What `createConsumerRuntime` consumes with, per client (runtime/kafka/client.ts's factories). */
export const CONSUMER_CLIENTS = {
  kafkajs: (brokers) => createKafkaClients({ brokers, client: 'kafkajs', clientId: 'bench-consumer' }),
  platformatic: (brokers) =>
    createKafkaClients({ brokers, client: 'platformatic', clientId: 'bench-consumer' }),
} satisfies Record<string, (brokers: readonly string[]) => ConsumerRuntimeOptions['kafka']>;

export type ConsumerClientName = keyof typeof CONSUMER_CLIENTS;
