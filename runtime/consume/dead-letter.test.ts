/**
 * Dead-letter records and their Spring Kafka header encodings (pure: no broker).
 * The bytes expected here are what Spring's DeadLetterPublishingRecoverer
 * writes: ByteBuffer.putInt / putLong (big-endian), UTF-8 text.
 */
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import { EventValidationError } from '../produce/errors.ts';
import { DLT_HEADERS, deadLetterRecord, readDeadLetter, stackTrace } from './dead-letter.ts';
import { HandlerFailedError } from './errors.ts';

function record(overrides: Partial<ConsumedRecord> = {}): ConsumedRecord {
  const headerEntries = overrides.headerEntries ?? [
    { key: 'ce_id', value: Buffer.from('4a3e8c1e-0d7e-4a4b-9d35-0c9d3f1b2a10') },
    { key: 'ce_type', value: Buffer.from('UserRegistered') },
    { key: 'x-binary', value: Buffer.from([0xff, 0x00, 0x01]) },
  ];
  const headers: Record<string, Buffer> = {};
  for (const h of headerEntries) headers[h.key] = h.value;
  return {
    topic: 'user.events',
    partition: 2,
    offset: '4294967301', // above 2^32: the offset needs all 8 bytes
    timestamp: '1769506200000',
    timestampType: 'CreateTime',
    key: Buffer.from('42'),
    value: Buffer.from('{"user_id":42}'),
    headers,
    headerEntries,
    ...overrides,
  };
}

const header = (value: unknown): Buffer => {
  if (!Buffer.isBuffer(value)) throw new Error(`expected one Buffer header value, got ${String(value)}`);
  return value;
};

describe('deadLetterRecord', () => {
  const cause = new TypeError('boom');
  const error = new HandlerFailedError('UserRegistered', 'notification-consumer-group', 3, cause);
  const out = deadLetterRecord(record(), {
    deadLetterTopic: 'user.events.dlq',
    groupId: 'notification-consumer-group',
    reason: 'handler-failed',
    error,
    attempts: 3,
  });

  it('goes to the same partition number of the dead-letter topic with the original key and value bytes', () => {
    expect(out.topic).toBe('user.events.dlq');
    expect(out.partition).toBe(2);
    expect(out.key).toEqual(Buffer.from('42'));
    expect(out.value).toEqual(Buffer.from('{"user_id":42}'));
  });

  it('keeps every original header byte for byte', () => {
    expect(header(out.headers.ce_id).toString()).toBe('4a3e8c1e-0d7e-4a4b-9d35-0c9d3f1b2a10');
    expect(header(out.headers.ce_type).toString()).toBe('UserRegistered');
    expect(header(out.headers['x-binary'])).toEqual(Buffer.from([0xff, 0x00, 0x01]));
  });

  it('writes the provenance with Spring names and encodings', () => {
    const h = out.headers;
    expect(header(h['kafka_dlt-original-topic']).toString()).toBe('user.events');
    expect(header(h['kafka_dlt-original-partition'])).toEqual(Buffer.from([0, 0, 0, 2]));
    expect(header(h['kafka_dlt-original-offset'])).toEqual(Buffer.from([0, 0, 0, 1, 0, 0, 0, 5]));
    expect(header(h['kafka_dlt-original-timestamp']).readBigInt64BE()).toBe(1769506200000n);
    expect(header(h['kafka_dlt-original-timestamp-type']).toString()).toBe('CreateTime');
    expect(header(h['kafka_dlt-original-consumer-group']).toString()).toBe('notification-consumer-group');
    expect(header(h['kafka_dlt-exception-fqcn']).toString()).toBe('HandlerFailedError');
    expect(header(h['kafka_dlt-exception-cause-fqcn']).toString()).toBe('TypeError');
    expect(header(h['kafka_dlt-exception-message']).toString()).toContain('TypeError: boom');
    expect(header(h['kafka_dlt-exception-stacktrace']).toString()).toMatch(
      /^HandlerFailedError: [\s\S]*\nCaused by: TypeError: boom/,
    );
    expect(header(h.kafka_deliveryAttempt)).toEqual(Buffer.from([0, 0, 0, 3]));
    expect(header(h['kafka_dlt-reason']).toString()).toBe('handler-failed');
  });

  it('has no cause header when the error has no cause', () => {
    const refused = deadLetterRecord(record(), {
      deadLetterTopic: 'user.events.dlq',
      groupId: 'g',
      reason: 'schema-invalid',
      error: new EventValidationError('UserRegistered', 'payload', [
        { path: '/email', schemaPath: '#/required', message: 'is required' },
      ]),
      attempts: 1,
    });
    expect(refused.headers[DLT_HEADERS.exceptionCauseFqcn]).toBeUndefined();
    expect(header(refused.headers[DLT_HEADERS.exceptionFqcn]).toString()).toBe('EventValidationError');
    expect(header(refused.headers[DLT_HEADERS.exceptionMessage]).toString()).toContain('/email is required');
    expect(header(refused.headers[DLT_HEADERS.deliveryAttempt])).toEqual(Buffer.from([0, 0, 0, 1]));
  });

  it('keeps null keys and values as null', () => {
    const tombstone = deadLetterRecord(record({ key: null, value: null }), {
      deadLetterTopic: 'd',
      groupId: 'g',
      reason: 'undecodable',
      error: new Error('x'),
      attempts: 1,
    });
    expect(tombstone.key).toBeNull();
    expect(tombstone.value).toBeNull();
  });

  it('on a dead letter failing again: replaces exception headers, appends original headers (Spring defaults)', () => {
    const again = record({
      topic: 'user.events.replay',
      partition: 0,
      headerEntries: [
        ...record().headerEntries,
        ...Object.entries(out.headers).flatMap(([key, value]) =>
          key.startsWith('kafka_') ? [{ key, value: header(value) }] : [],
        ),
      ],
    });
    const second = deadLetterRecord(again, {
      deadLetterTopic: 'user.events.dlq',
      groupId: 'replayer',
      reason: 'schema-invalid',
      error: new Error('second failure'),
      attempts: 1,
    });
    const topics = second.headers['kafka_dlt-original-topic'];
    expect(Array.isArray(topics)).toBe(true);
    expect((topics as Buffer[]).map((b) => b.toString())).toEqual(['user.events', 'user.events.replay']);
    expect(header(second.headers['kafka_dlt-exception-message']).toString()).toBe('second failure');
    expect(header(second.headers['kafka_dlt-reason']).toString()).toBe('schema-invalid');
    expect(header(second.headers.kafka_deliveryAttempt)).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(second.headers['kafka_dlt-exception-cause-fqcn']).toBeUndefined();
  });

  it('cuts very long texts', () => {
    const long = deadLetterRecord(record(), {
      deadLetterTopic: 'd',
      groupId: 'g',
      reason: 'handler-failed',
      error: new Error('é'.repeat(20_000)),
      attempts: 3,
    });
    const message = header(long.headers[DLT_HEADERS.exceptionMessage]);
    expect(message.length).toBeLessThanOrEqual(16 * 1024 + 3);
    expect(message.toString()).not.toContain('\uFFFD');
  });
});

describe('readDeadLetter', () => {
  it('reads back what deadLetterRecord wrote', () => {
    const out = deadLetterRecord(record(), {
      deadLetterTopic: 'user.events.dlq',
      groupId: 'g1',
      reason: 'unknown-type',
      error: new Error('topic user.events carries no event type "UserDeleted"'),
      attempts: 1,
    });
    const last: Record<string, Buffer> = {};
    for (const [key, value] of Object.entries(out.headers)) last[key] = header(value);
    expect(readDeadLetter(last)).toMatchObject({
      originalTopic: 'user.events',
      originalPartition: 2,
      originalOffset: '4294967301',
      originalTimestamp: '1769506200000',
      originalTimestampType: 'CreateTime',
      originalConsumerGroup: 'g1',
      exceptionFqcn: 'Error',
      attempts: 1,
      reason: 'unknown-type',
    });
  });

  it('reads headers a Spring service wrote (binary numbers, Java class names)', () => {
    const putInt = (n: number) => Buffer.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const putLong = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(n);
      return b;
    };
    const provenance = readDeadLetter({
      'kafka_dlt-original-topic': Buffer.from('domain.permission-changed'),
      'kafka_dlt-original-partition': putInt(5),
      'kafka_dlt-original-offset': putLong(123456789012n),
      'kafka_dlt-original-timestamp': putLong(1769506200000n),
      'kafka_dlt-original-timestamp-type': Buffer.from('LogAppendTime'),
      'kafka_dlt-original-consumer-group': Buffer.from('server'),
      'kafka_dlt-exception-fqcn': Buffer.from(
        'org.springframework.kafka.listener.ListenerExecutionFailedException',
      ),
      'kafka_dlt-exception-cause-fqcn': Buffer.from('java.lang.IllegalStateException'),
      kafka_deliveryAttempt: putInt(3),
    });
    expect(provenance).toMatchObject({
      originalTopic: 'domain.permission-changed',
      originalPartition: 5,
      originalOffset: '123456789012',
      originalTimestampType: 'LogAppendTime',
      originalConsumerGroup: 'server',
      exceptionCauseFqcn: 'java.lang.IllegalStateException',
      attempts: 3,
    });
    expect(provenance.reason).toBeUndefined();
  });

  it('accepts decimal text numbers from tools that do not follow Spring', () => {
    expect(readDeadLetter({ 'kafka_dlt-original-offset': Buffer.from('17') }).originalOffset).toBe('17');
  });
});

describe('stackTrace', () => {
  it('follows the cause chain once, like printStackTrace', () => {
    const root = new Error('root');
    const mid = new Error('mid', { cause: root });
    const top = new Error('top', { cause: mid });
    const text = stackTrace(top);
    expect(text.match(/Caused by:/g)).toHaveLength(2);
    expect(text).toContain('Caused by: Error: root');
  });
});
