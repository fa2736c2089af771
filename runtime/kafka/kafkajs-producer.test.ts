/**
 * The pure parts of the kafkajs producer adapter: chunking, error
 * classification and mapping kafkajs' per-partition answer back to input
 * order. What the broker does with the records is tested against a real one
 * in test/integration/producer.test.ts.
 */
import type { Message } from 'kafkajs';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { chunkRecords, classifyKafkajsError, mapResults } from './kafkajs-producer.ts';
import type { OutgoingRecord } from './records.ts';

const {
  KafkaJSProtocolError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
} = kafkajs;

const record = (topic: string, key: string, bytes = 10): OutgoingRecord => ({
  topic,
  key,
  value: Buffer.alloc(bytes),
  headers: { ce_id: 'x' },
});

/** kafkajs' constructor takes `{ cause }` as its second argument; its type declarations omit it. */
const NonRetriable = KafkaJSNonRetriableError as unknown as new (
  e: unknown,
  options: { cause: unknown },
) => Error;

const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code: 0, retriable, message: type } as unknown as string);

describe('chunkRecords', () => {
  it('keeps order and cuts by bytes and by count', () => {
    const records = Array.from({ length: 10 }, (_, i) => record('t', String(i), 100));
    const byBytes = chunkRecords(records, 3 * 200, 1000);
    expect(byBytes.flat()).toEqual(records);
    expect(byBytes.every((c) => c.length <= 3)).toBe(true);
    const byCount = chunkRecords(records, 1_000_000, 4);
    expect(byCount.map((c) => c.length)).toEqual([4, 4, 2]);
  });

  it('puts a record larger than the limit alone in its chunk (the broker judges it)', () => {
    const chunks = chunkRecords([record('t', 'a'), record('t', 'b', 5000), record('t', 'c')], 1000, 100);
    expect(chunks.map((c) => c.map((r) => r.key))).toEqual([['a'], ['b'], ['c']]);
  });
});

describe('classifyKafkajsError', () => {
  it('retries connection loss, leader moves and timeouts', () => {
    expect(classifyKafkajsError(new KafkaJSConnectionError('ECONNREFUSED')).failure).toBe('retriable');
    expect(classifyKafkajsError(protocolError('NOT_LEADER_OR_FOLLOWER', true)).failure).toBe('retriable');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(protocolError('LEADER_NOT_AVAILABLE', true), {
      retryCount: 3,
      retryTime: 100,
    });
    expect(classifyKafkajsError(exhausted)).toEqual({ failure: 'retriable', type: 'LEADER_NOT_AVAILABLE' });
  });

  it('sees through the retrier wrapping a refused reconnect while the broker is down', () => {
    // What sendBatch rejects with when the broker is down: the reconnect's retrier gave up,
    // and the send's retrier wrapped that as non-retriable, the connection error as its cause.
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const reconnect = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 3, retryTime: 800 });
    const wrapped = new NonRetriable(reconnect, { cause: refused });
    expect(classifyKafkajsError(wrapped).failure).toBe('retriable');
    const tooLarge = new NonRetriable(protocolError('MESSAGE_TOO_LARGE', false), {
      cause: protocolError('MESSAGE_TOO_LARGE', false),
    });
    expect(classifyKafkajsError(tooLarge)).toEqual({ failure: 'refused', type: 'MESSAGE_TOO_LARGE' });
  });

  it('replaces the producer when its idempotence state is gone', () => {
    expect(classifyKafkajsError(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false)).failure).toBe('reset');
    expect(classifyKafkajsError(protocolError('UNKNOWN_PRODUCER_ID', false)).failure).toBe('reset');
  });

  it('reports records Kafka refuses as refused', () => {
    expect(classifyKafkajsError(protocolError('MESSAGE_TOO_LARGE', false))).toEqual({
      failure: 'refused',
      type: 'MESSAGE_TOO_LARGE',
    });
    expect(classifyKafkajsError(protocolError('INVALID_RECORD', false)).failure).toBe('refused');
    expect(classifyKafkajsError(new KafkaJSNonRetriableError('Invalid topic')).failure).toBe('refused');
  });

  it('retries an unknown topic inside the window (metadata may lag after a failover)', () => {
    expect(classifyKafkajsError(protocolError('UNKNOWN_TOPIC_OR_PARTITION', true)).failure).toBe('retriable');
  });
});

describe('mapResults', () => {
  it('gives each record its partition and offset, in input order', () => {
    const records = [record('a', 'k1'), record('b', 'k2'), record('a', 'k3'), record('a', 'k1')];
    const messages: Message[] = records.map((r) => ({ key: r.key, value: r.value }));
    const partitionOf = new WeakMap<Message, number>([
      [messages[0]!, 1],
      [messages[1]!, 0],
      [messages[2]!, 2],
      [messages[3]!, 1],
    ]);
    const response = [
      { topicName: 'a', partition: 1, errorCode: 0, baseOffset: '41' },
      { topicName: 'a', partition: 2, errorCode: 0, baseOffset: '7' },
      { topicName: 'b', partition: 0, errorCode: 0, baseOffset: '9007199254740993' },
    ];
    expect(mapResults(records, messages, response, partitionOf)).toEqual([
      { topic: 'a', partition: 1, offset: '41' },
      { topic: 'b', partition: 0, offset: '9007199254740993' },
      { topic: 'a', partition: 2, offset: '7' },
      { topic: 'a', partition: 1, offset: '42' },
    ]);
  });
});
