/** The record a replay sends, from a dead letter's exact header list (pure: no broker). */
import { describe, expect, it } from 'vitest';
import { readDeadLetter } from '../consume/dead-letter.ts';
import type { ConsumedRecord, RecordHeader } from '../kafka/consumer-port.ts';
import { replayRecord } from './replay-record.ts';

const utf8 = (key: string, value: string): RecordHeader => ({ key, value: Buffer.from(value) });
const bytes = (key: string, hex: string): RecordHeader => ({ key, value: Buffer.from(hex, 'hex') });

function deadLetter(headerEntries: RecordHeader[], key: Buffer | null = Buffer.from('42')): ConsumedRecord {
  const headers: Record<string, Buffer> = {};
  for (const h of headerEntries) headers[h.key] = h.value;
  return {
    topic: 'user.events.dlq',
    partition: 2,
    offset: '17',
    timestamp: '1769506300000',
    timestampType: 'CreateTime',
    key,
    value: Buffer.from('{"user_id":42}'),
    headers,
    headerEntries,
  };
}

const ORIGINAL: RecordHeader[] = [
  utf8('ce_id', '4a3e8c1e-0d7e-4a4b-9d35-0c9d3f1b2a10'),
  utf8('ce_type', 'UserRegistered'),
  bytes('x-binary', 'ff0001'),
  utf8('x-multi', 'one'),
  utf8('x-multi', 'two'),
];

const PROVENANCE: RecordHeader[] = [
  utf8('kafka_dlt-original-topic', 'user.events'),
  bytes('kafka_dlt-original-partition', '00000002'),
  bytes('kafka_dlt-original-offset', '0000000000000005'),
  bytes('kafka_dlt-original-timestamp', '0000019bfec9d9c0'),
  utf8('kafka_dlt-original-timestamp-type', 'CreateTime'),
  utf8('kafka_dlt-original-consumer-group', 'notification-consumer-group'),
  utf8('kafka_dlt-exception-fqcn', 'HandlerFailedError'),
  utf8('kafka_dlt-exception-cause-fqcn', 'TypeError'),
  utf8('kafka_dlt-exception-message', 'failed 3 time(s)'),
  utf8('kafka_dlt-exception-stacktrace', 'HandlerFailedError: failed 3 time(s)'),
  bytes('kafka_deliveryAttempt', '00000003'),
  utf8('kafka_dlt-reason', 'handler-failed'),
];

describe('replayRecord', () => {
  const at = new Date('2026-12-01T10:00:00.000Z');

  it('sends the original key, value and headers to the original topic and partition, with a replay marker', () => {
    const letter = deadLetter([...ORIGINAL, ...PROVENANCE]);
    const out = replayRecord(letter, readDeadLetter(letter.headerEntries), at);
    expect(out.topic).toBe('user.events');
    expect(out.partition).toBe(2);
    expect(out.key).toEqual(Buffer.from('42'));
    expect(out.value).toEqual(Buffer.from('{"user_id":42}'));
    expect(Object.entries(out.headers)).toEqual([
      ['ce_id', Buffer.from('4a3e8c1e-0d7e-4a4b-9d35-0c9d3f1b2a10')],
      ['ce_type', Buffer.from('UserRegistered')],
      ['x-binary', Buffer.from([0xff, 0x00, 0x01])],
      ['x-multi', [Buffer.from('one'), Buffer.from('two')]],
      ['x-replayed-from', 'user.events.dlq:2:17'],
      ['x-replayed-at', '2026-12-01T10:00:00.000Z'],
    ]);
  });

  it('goes to the newest original topic, and replaces an earlier replay marker', () => {
    const letter = deadLetter([
      ...ORIGINAL,
      utf8('x-replayed-from', 'user.events.dlq:0:3'),
      utf8('x-replayed-at', '2026-11-30T10:00:00.000Z'),
      ...PROVENANCE,
      utf8('kafka_dlt-original-topic', 'user.events.v2'),
      bytes('kafka_dlt-original-partition', '00000000'),
    ]);
    const out = replayRecord(letter, readDeadLetter(letter.headerEntries), at);
    expect(out.topic).toBe('user.events.v2');
    expect(out.partition).toBe(0);
    expect(out.headers['x-replayed-from']).toBe('user.events.dlq:2:17');
    expect(Object.keys(out.headers).filter((k) => k.startsWith('kafka_'))).toEqual([]);
  });

  it('partitions by key when the original partition is unknown, and refuses a dead letter with no original topic', () => {
    const withoutPartition = deadLetter([
      ...ORIGINAL,
      ...PROVENANCE.filter((h) => h.key !== 'kafka_dlt-original-partition'),
    ]);
    expect(
      replayRecord(withoutPartition, readDeadLetter(withoutPartition.headerEntries), at).partition,
    ).toBeUndefined();
    const orphan = deadLetter(ORIGINAL);
    expect(() => replayRecord(orphan, readDeadLetter(orphan.headerEntries), at)).toThrow(
      /user\.events\.dlq:2:17 has no kafka_dlt-original-topic header/,
    );
  });
});
