/**
 * Dead-letter records and their Spring Kafka header encodings (pure: no broker).
 * The bytes expected here are what Spring's DeadLetterPublishingRecoverer
 * writes: ByteBuffer.putInt / putLong (big-endian), UTF-8 text.
 */
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import { EventValidationError } from '../produce/errors.ts';
import { DLT_HEADERS, deadLetterRecord, readDeadLetter, stackTrace } from './dead-letter.ts';
import { HandlerFailedError, isNonRetriable, NonRetriableError } from './errors.ts';

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

  it('names the error itself as the cause when it has none, as Spring does (refused records)', () => {
    const refused = deadLetterRecord(record(), {
      deadLetterTopic: 'user.events.dlq',
      groupId: 'g',
      reason: 'schema-invalid',
      error: new EventValidationError('UserRegistered', 'payload', [
        { path: '/email', schemaPath: '#/required', message: 'is required' },
      ]),
      attempts: 1,
    });
    expect(header(refused.headers[DLT_HEADERS.exceptionCauseFqcn]).toString()).toBe('EventValidationError');
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
    expect(header(second.headers['kafka_dlt-exception-cause-fqcn']).toString()).toBe('Error');
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

/** Header entries in wire order, as `ConsumedRecord.headerEntries` holds them. */
type Entries = { key: string; value: Buffer }[];
const utf8 = (key: string, value: string) => ({ key, value: Buffer.from(value, 'utf8') });
const putInt = (key: string, n: number) => {
  const value = Buffer.alloc(4);
  value.writeInt32BE(n);
  return { key, value };
};
const putLong = (key: string, n: bigint) => {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(n);
  return { key, value };
};

/** The provenance Spring's DeadLetterPublishingRecoverer appends (maybeAddOriginalHeaders), in its order. */
function springOriginals(topic: string, partition: number, offset: bigint, group: string): Entries {
  return [
    utf8('kafka_dlt-original-topic', topic),
    putInt('kafka_dlt-original-partition', partition),
    putLong('kafka_dlt-original-offset', offset),
    putLong('kafka_dlt-original-timestamp', 1769506260000n),
    utf8('kafka_dlt-original-timestamp-type', 'CreateTime'),
    utf8('kafka_dlt-original-consumer-group', group),
  ];
}

/** What Spring's addExceptionInfoHeaders writes for a ListenerExecutionFailedException wrapping an IllegalStateException. */
const SPRING_EXCEPTION: Entries = [
  utf8('kafka_dlt-exception-fqcn', 'org.springframework.kafka.listener.ListenerExecutionFailedException'),
  utf8('kafka_dlt-exception-cause-fqcn', 'java.lang.IllegalStateException'),
  utf8('kafka_dlt-exception-message', 'Listener failed; permission service down'),
  utf8(
    'kafka_dlt-exception-stacktrace',
    'org.springframework.kafka.listener.ListenerExecutionFailedException: Listener failed\n\tat …',
  ),
];

/** Our dead letter of `record()` (handler-failed after 3 attempts) as a consumer reads it: entries in wire order. */
function ourDeadLetterEntries(): Entries {
  const out = deadLetterRecord(record(), {
    deadLetterTopic: 'user.events.dlq',
    groupId: 'notification-consumer-group',
    reason: 'handler-failed',
    error: new HandlerFailedError('UserRegistered', 'notification-consumer-group', 3, new TypeError('boom')),
    attempts: 3,
  });
  // kafkajs writes the header object in key order, an array's values one after another.
  return Object.entries(out.headers).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: header(v) })),
  );
}

describe('dead letter headers, byte for byte', () => {
  it('writes the exact header list Spring reads, the cause always present (refused record)', () => {
    const out = deadLetterRecord(
      record({ headerEntries: [utf8('ce_id', 'e1'), utf8('ce_type', 'UserDeleted')] }),
      {
        deadLetterTopic: 'user.events.dlq',
        groupId: 'g',
        reason: 'unknown-type',
        error: Object.assign(new Error('topic user.events carries no event type "UserDeleted"'), {
          name: 'UnknownEventTypeError',
          stack: 'UnknownEventTypeError: topic user.events carries no event type "UserDeleted"',
        }),
        attempts: 1,
      },
    );
    const entries = Object.entries(out.headers).map(([key, value]) => [key, header(value).toString('hex')]);
    const hex = (text: string) => Buffer.from(text).toString('hex');
    expect(entries).toEqual([
      ['ce_id', hex('e1')],
      ['ce_type', hex('UserDeleted')],
      ['kafka_dlt-original-topic', hex('user.events')],
      ['kafka_dlt-original-partition', '00000002'],
      ['kafka_dlt-original-offset', '0000000100000005'],
      ['kafka_dlt-original-timestamp', '0000019bfec9d9c0'],
      ['kafka_dlt-original-timestamp-type', hex('CreateTime')],
      ['kafka_dlt-original-consumer-group', hex('g')],
      ['kafka_dlt-exception-fqcn', hex('UnknownEventTypeError')],
      ['kafka_dlt-exception-cause-fqcn', hex('UnknownEventTypeError')],
      ['kafka_dlt-exception-message', hex('topic user.events carries no event type "UserDeleted"')],
      [
        'kafka_dlt-exception-stacktrace',
        hex('UnknownEventTypeError: topic user.events carries no event type "UserDeleted"'),
      ],
      ['kafka_deliveryAttempt', '00000001'],
      ['kafka_dlt-reason', hex('unknown-type')],
    ]);
  });

  it('a non-retriable error: its own class as exception and cause, reason non-retriable, attempt 1', () => {
    class PermissionRuleViolation extends NonRetriableError {}
    const out = deadLetterRecord(record(), {
      deadLetterTopic: 'user.events.dlq',
      groupId: 'g',
      reason: 'non-retriable',
      error: new PermissionRuleViolation('user 42 may not grant ADMIN'),
      attempts: 1,
    });
    expect(header(out.headers[DLT_HEADERS.exceptionFqcn]).toString()).toBe('PermissionRuleViolation');
    expect(header(out.headers[DLT_HEADERS.exceptionCauseFqcn]).toString()).toBe('PermissionRuleViolation');
    expect(header(out.headers[DLT_HEADERS.reason]).toString()).toBe('non-retriable');
    expect(header(out.headers[DLT_HEADERS.deliveryAttempt])).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(readDeadLetter(out.headers as Record<string, Buffer>)).toMatchObject({
      exceptionFqcn: 'PermissionRuleViolation',
      reason: 'non-retriable',
      attempts: 1,
    });
  });

  it('reads reason and attempts of our own dead letter from its entries', () => {
    expect(readDeadLetter(ourDeadLetterEntries())).toMatchObject({
      originalTopic: 'user.events',
      exceptionFqcn: 'HandlerFailedError',
      exceptionCauseFqcn: 'TypeError',
      attempts: 3,
      reason: 'handler-failed',
    });
  });

  it('Spring dead-letters ours again (strip previous exception headers, the default): reason and attempts are not Spring’s', () => {
    // A Spring listener consumed a replayed copy of our dead letter (headers kept) and failed: its recoverer
    // removed our kafka_dlt-exception-* headers, appended its own, then appended the original-* headers.
    const ours = ourDeadLetterEntries().filter((h) => !h.key.startsWith('kafka_dlt-exception-'));
    const spring: Entries = [
      ...ours,
      ...SPRING_EXCEPTION,
      ...springOriginals('user.events', 1, 40n, 'permission-server'),
    ];
    const read = readDeadLetter(spring);
    expect(read).toMatchObject({
      originalTopic: 'user.events',
      originalPartition: 1,
      originalOffset: '40',
      originalConsumerGroup: 'permission-server',
      exceptionFqcn: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      exceptionCauseFqcn: 'java.lang.IllegalStateException',
      exceptionMessage: 'Listener failed; permission service down',
      earlierReason: 'handler-failed',
    });
    expect(read.reason).toBeUndefined();
    expect(read.attempts).toBeUndefined();

    // The same record as last values only (kafkajs' folded form): the order still tells.
    const last: Record<string, Buffer> = {};
    for (const h of spring) last[h.key] = h.value;
    expect(readDeadLetter(last).reason).toBeUndefined();
    expect(readDeadLetter(last).attempts).toBeUndefined();
  });

  it('Spring with its delivery-attempt header on: the attempt its container appended is reported', () => {
    const ours = ourDeadLetterEntries().filter((h) => !h.key.startsWith('kafka_dlt-exception-'));
    const spring: Entries = [
      ...ours,
      putInt('kafka_deliveryAttempt', 2), // Spring's container adds it to the consumed record
      ...SPRING_EXCEPTION,
      ...springOriginals('user.events', 1, 40n, 'permission-server'),
    ];
    const read = readDeadLetter(spring);
    expect(read.reason).toBeUndefined();
    expect(read.attempts).toBe(2);
  });

  it('Spring keeping previous exception headers (stripPreviousExceptionHeaders=false): still not ours', () => {
    const spring: Entries = [
      ...ourDeadLetterEntries(),
      ...SPRING_EXCEPTION,
      ...springOriginals('user.events', 1, 40n, 'permission-server'),
    ];
    const read = readDeadLetter(spring);
    expect(read.exceptionFqcn).toBe('org.springframework.kafka.listener.ListenerExecutionFailedException');
    expect(read.reason).toBeUndefined();
    expect(read.attempts).toBeUndefined();
  });

  it('we dead-letter a Spring dead letter again: reason and attempts are ours', () => {
    const springLetter: Entries = [
      utf8('ce_id', 'e2'),
      utf8('ce_type', 'PermissionChanged'),
      ...SPRING_EXCEPTION,
      ...springOriginals('domain.permission-changed', 0, 9n, 'server'),
    ];
    const folded: Record<string, Buffer> = {};
    for (const h of springLetter) folded[h.key] = h.value;
    const again = deadLetterRecord(
      {
        topic: 'domain.permission-changed',
        partition: 0,
        offset: '12',
        timestamp: '1769506300000',
        timestampType: 'CreateTime',
        key: Buffer.from('k'),
        value: Buffer.from('{}'),
        headers: folded,
        headerEntries: springLetter,
      },
      {
        deadLetterTopic: 'domain.permission-changed.dlq',
        groupId: 'read-model-worker',
        reason: 'schema-invalid',
        error: new Error('payload /x is required'),
        attempts: 1,
      },
    );
    const entries = Object.entries(again.headers).flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: header(v) })),
    );
    expect(entries.filter((h) => h.key === 'kafka_dlt-exception-fqcn')).toHaveLength(1);
    expect(readDeadLetter(entries)).toMatchObject({
      originalTopic: 'domain.permission-changed',
      originalOffset: '12',
      originalConsumerGroup: 'read-model-worker',
      exceptionFqcn: 'Error',
      exceptionCauseFqcn: 'Error',
      reason: 'schema-invalid',
      attempts: 1,
    });
  });
});

describe('isNonRetriable', () => {
  class PermissionRuleViolation extends NonRetriableError {}
  it('recognises the type, its subclasses and their name, anywhere in the cause chain', () => {
    const violation = new PermissionRuleViolation('no');
    expect(violation.name).toBe('PermissionRuleViolation');
    expect(isNonRetriable(violation)).toBe(true);
    expect(isNonRetriable(new Error('wrapped', { cause: violation }))).toBe(true);
    expect(isNonRetriable(new TypeError('transient'))).toBe(false);
    expect(isNonRetriable('a string')).toBe(false);
  });

  it('recognises error names the contract lists', () => {
    class QuotaExceeded extends Error {}
    expect(isNonRetriable(new QuotaExceeded('x'), ['QuotaExceeded'])).toBe(true);
    const named = Object.assign(new Error('y'), { name: 'PolicyBundleRejected' });
    expect(isNonRetriable(named, ['PolicyBundleRejected'])).toBe(true);
    expect(isNonRetriable(named, ['Other'])).toBe(false);
  });
});
