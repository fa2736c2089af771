/**
 * The @platformatic/kafka producer adapter on the real broker: keyed and
 * key-less records with text and binary headers reach a fresh 6-partition topic
 * intact and in order per key, with the partition and offset `send` reported;
 * every key lands on the partition the kafkajs adapter (and the Java client:
 * murmur2.test.ts) puts it on; a topic that does not exist (auto-creation off)
 * is refused with a KafkaSendError naming it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkajsProducer } from '../../runtime/kafka/kafkajs-producer.ts';
import { partitionForKey } from '../../runtime/kafka/murmur2.ts';
import { createPlatformaticProducer } from '../../runtime/kafka/platformatic-producer.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import type { OutgoingRecord } from '../../runtime/kafka/records.ts';
import { KafkaSendError } from '../../runtime/produce/errors.ts';
import { allowOtherClientPorts } from '../support/client-guard.ts';
import { useInfrastructure } from '../support/context.ts';
import { startReader } from '../support/kafka-reader.ts';
import { createTopic, deleteTopics, runId } from '../support/outbox-fixtures.ts';

allowOtherClientPorts('compares the partitions of both producers');
const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const topic = `platformatic-producer-${runId()}`;
const PARTITIONS = 6;

let platformatic: KafkaProducerPort;
let kafkajsPort: KafkaProducerPort;

beforeAll(async () => {
  await createTopic(brokers, topic, PARTITIONS);
  platformatic = createPlatformaticProducer({ brokers, clientId: 'platformatic-producer-test' });
  kafkajsPort = createKafkajsProducer({ brokers, clientId: 'platformatic-producer-test-kafkajs' });
  await Promise.all([platformatic.connect(), kafkajsPort.connect()]);
});

afterAll(async () => {
  await Promise.all([platformatic?.disconnect(), kafkajsPort?.disconnect()]);
  await deleteTopics(brokers, [topic]);
});

describe('the @platformatic/kafka producer on a real broker', () => {
  it('writes keyed and key-less records with their headers, in order per key, where send says', async () => {
    const keys = [
      '21',
      'foobar',
      'a',
      'user-42',
      'événement',
      ...Array.from({ length: 15 }, () => randomUUID()),
    ];
    const records: OutgoingRecord[] = [];
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        records.push({
          topic,
          key,
          value: JSON.stringify({ key, round }),
          headers: { ce_id: `${key}/${round}`, ce_type: 'test.v1', bin: Buffer.from([0, 255, round]) },
        });
      }
      records.push({ topic, key: null, value: `no key ${round}`, headers: { ce_id: `null/${round}` } });
    }
    const reader = await startReader(brokers, [topic]);
    try {
      const metadata = await platformatic.send(records);
      expect(metadata).toHaveLength(records.length);
      await reader.waitFor((read) => read.length >= records.length, 30_000);
      expect(reader.records).toHaveLength(records.length);
      const byId = new Map(reader.records.map((r) => [r.headers.ce_id, r]));
      records.forEach((sent, i) => {
        const id = sent.headers.ce_id as string;
        const read = byId.get(id);
        expect(read, id).toBeDefined();
        expect(read?.value).toBe(sent.value);
        expect(read?.key).toBe(sent.key);
        expect(read?.headers.ce_id).toBe(id);
        expect({ partition: read?.partition, offset: read?.offset }, id).toEqual({
          partition: metadata[i]?.partition,
          offset: metadata[i]?.offset,
        });
        if (sent.key !== null) {
          expect(read?.headers.ce_type).toBe('test.v1');
          expect(read?.partition, id).toBe(partitionForKey(sent.key as string, PARTITIONS));
        }
      });
      // Order per key: rounds 0, 1, 2 at increasing offsets of one partition.
      for (const key of keys) {
        const rounds = reader.records
          .filter((r) => r.key === key)
          .sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1))
          .map((r) => (JSON.parse(r.value ?? '{}') as { round: number }).round);
        expect(rounds, key).toEqual([0, 1, 2]);
      }
      // Key-less records are spread round-robin, not all on partition 0.
      const keyless = new Set(metadata.filter((_, i) => records[i]?.key === null).map((m) => m.partition));
      expect(keyless.size).toBeGreaterThan(1);
    } finally {
      await reader.stop();
    }
  });

  it('writes header values as bytes, binary ones and repeated keys included', async () => {
    const { createKafka } = await import('../../runtime/kafka/kafkajs.ts');
    const kafka = createKafka({ brokers, clientId: 'platformatic-producer-test-raw' });
    const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
    const [sent] = await platformatic.send([
      { topic, key: 'headers', value: null, headers: { bin: binary, twice: ['first', 'second'] } },
    ]);
    const consumer = kafka.consumer({
      groupId: `platformatic-producer-test-${runId()}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      const message = await new Promise<{ value: Buffer | null; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no record read back')), 30_000);
          void consumer.subscribe({ topics: [topic], fromBeginning: true }).then(() =>
            consumer.run({
              eachMessage: async ({ partition, message: m }) => {
                if (partition !== sent?.partition || m.offset !== sent.offset) return;
                clearTimeout(timer);
                resolve({ value: m.value, headers: m.headers ?? {} });
              },
            }),
          );
        },
      );
      expect(message.value).toBeNull();
      expect(message.headers.bin).toEqual(binary);
      expect((message.headers.twice as Buffer[]).map((b) => b.toString())).toEqual(['first', 'second']);
    } finally {
      await consumer.disconnect();
    }
  });

  it('puts every key on the partition the kafkajs adapter puts it on', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => (i % 2 ? randomUUID() : `user-${i}`));
    const batch = (key: string): OutgoingRecord => ({
      topic,
      key,
      value: 'same key, both clients',
      headers: {},
    });
    const [viaPlatformatic, viaKafkajs] = await Promise.all([
      platformatic.send(keys.map(batch)),
      kafkajsPort.send(keys.map(batch)),
    ]);
    expect(viaPlatformatic.map((m) => m.partition)).toEqual(viaKafkajs.map((m) => m.partition));
    expect(new Set(viaPlatformatic.map((m) => m.partition)).size).toBe(PARTITIONS);
  });

  it('rejects a send to a topic that does not exist with a KafkaSendError naming it', async () => {
    const missing = `platformatic-producer-missing-${runId()}`;
    const port = createPlatformaticProducer({ brokers, retryWindowMs: 2000 });
    await port.connect();
    try {
      const error = await port.send([{ topic: missing, key: 'k', value: 'v', headers: {} }]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(KafkaSendError);
      const sendError = error as KafkaSendError;
      expect(sendError.retriable).toBe(false);
      expect(sendError.topics).toEqual([missing]);
      expect(sendError.message).toContain(missing);
      expect(sendError.acknowledged).toBe(0);
    } finally {
      await port.disconnect();
    }
  });

  it('rejects a record larger than the broker takes as refused, not retriable, without waiting for the window', async () => {
    const started = Date.now();
    const error = await platformatic
      .send([{ topic, key: 'big', value: randomBytes(2 * 1024 * 1024), headers: {} }])
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(KafkaSendError);
    expect((error as KafkaSendError).retriable).toBe(false);
    expect((error as KafkaSendError).message).toMatch(/MESSAGE_TOO_LARGE|too large|larger/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The producer still works afterwards.
    const [ok] = await platformatic.send([{ topic, key: 'after-big', value: 'fine', headers: {} }]);
    expect(ok?.partition).toBe(partitionForKey('after-big', PARTITIONS));
  });
});
