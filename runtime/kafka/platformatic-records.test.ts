import type { KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { originOfSource } from '../topics/platformatic-admin.ts';
import { recordsOfPartition, resolveSubscription } from './platformatic-records.ts';

const b = (text: string) => Buffer.from(text);

function record(offsetDelta: number, fields: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    length: 0,
    attributes: 0,
    timestampDelta: BigInt(offsetDelta * 10),
    offsetDelta,
    key: b(`k${offsetDelta}`),
    value: b(`v${offsetDelta}`),
    headers: [],
    ...fields,
  };
}

function batch(firstOffset: number, records: KafkaRecord[], attributes = 0): RecordsBatch {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: Math.max(0, ...records.map((r) => r.offsetDelta)),
    firstTimestamp: 1_000n,
    maxTimestamp: 9_999n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records,
  };
}

describe('records of a fetched partition', () => {
  it('starts at the requested offset inside a batch and keeps offset order', () => {
    const { records, next } = recordsOfPartition(
      't',
      2,
      [batch(10, [record(0), record(1), record(2)]), batch(13, [record(0)])],
      11n,
    );
    expect(records.map((r) => r.offset)).toEqual(['11', '12', '13']);
    expect(records.every((r) => r.topic === 't' && r.partition === 2)).toBe(true);
    expect(next).toBe(14n);
  });

  it('keeps repeated header keys in wire order, the last value as the header, and the buffers themselves', () => {
    const bin = Buffer.from([0, 255]);
    const value = b('payload');
    const headers: [Buffer, Buffer][] = [
      [b('x'), b('one')],
      [b('bin'), bin],
      [b('x'), b('two')],
    ];
    const [r] = recordsOfPartition('t', 0, [batch(0, [record(0, { headers, value })])], 0n).records;
    expect(r!.headerEntries.map((h) => [h.key, h.value.toString('latin1')])).toEqual([
      ['x', 'one'],
      ['bin', bin.toString('latin1')],
      ['x', 'two'],
    ]);
    expect(r!.headers.x?.toString()).toBe('two');
    expect(r!.headerEntries[1]!.value).toBe(bin);
    expect(r!.value).toBe(value);
  });

  it('passes null keys and values as null', () => {
    const [r] = recordsOfPartition('t', 0, [batch(0, [record(0, { key: null, value: null })])], 0n).records;
    expect(r!.key).toBeNull();
    expect(r!.value).toBeNull();
  });

  it('stamps create time from the batch base and the record delta, log-append time from the batch', () => {
    const [create] = recordsOfPartition('t', 0, [batch(0, [record(0), record(3)])], 3n).records;
    expect(create!.timestamp).toBe('1030');
    expect(create!.timestampType).toBe('CreateTime');
    const [appended] = recordsOfPartition('t', 0, [batch(0, [record(0)], 0x08)], 0n).records;
    expect(appended!.timestamp).toBe('9999');
    expect(appended!.timestampType).toBe('LogAppendTime');
  });

  it('hands over nothing of a control batch but moves past it', () => {
    const { records, next } = recordsOfPartition('t', 0, [batch(5, [record(0)], 0x20)], 5n);
    expect(records).toEqual([]);
    expect(next).toBe(6n);
    expect(recordsOfPartition('t', 0, [], 7n)).toEqual({ records: [], next: 7n });
  });
});

describe('subscriptions resolved against the topic list', () => {
  it('keeps exact names and adds every topic a pattern matches, sorted, once', () => {
    const available = ['tenant.b.orders', 'tenant.a.orders', 'other', 'tenant.a.refunds'];
    expect(resolveSubscription(['other', /^tenant\.[^.]+\.orders$/g, /orders$/], available)).toEqual([
      'other',
      'tenant.a.orders',
      'tenant.b.orders',
    ]);
    expect(resolveSubscription(['missing'], [])).toEqual(['missing']);
  });
});

describe('config origins of @platformatic/kafka', () => {
  it('maps the library source codes to topic, broker, default and unknown', () => {
    expect([1, 2, 3, 4, 5, 0, 8].map(originOfSource)).toEqual([
      'topic',
      'broker',
      'broker',
      'broker',
      'default',
      'unknown',
      'unknown',
    ]);
  });
});
