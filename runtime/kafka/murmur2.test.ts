/**
 * Kafka's key partitioning against the Java client: the murmur2 vectors of Apache
 * Kafka's own `UtilsTest.testMurmur2` (kafka-clients 4.1.1 test sources), more
 * vectors computed with kafka-clients 4.1.1's `Utils.murmur2` / `Utils.toPositive`
 * (a tiny Java program run against the jar), and agreement with kafkajs'
 * DefaultPartitioner and @platformatic/kafka's `compatibilityPartitioner` for random
 * keys over 1 to 64 partitions.
 */
import { randomBytes } from 'node:crypto';
import { compatibilityPartitioner, defaultPartitioner } from '@platformatic/kafka';
import type { PartitionerArgs } from 'kafkajs';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, toPositive } from './murmur2.ts';

/** Apache Kafka's `UtilsTest.testMurmur2`, verbatim. */
const KAFKA_TEST_VECTORS: readonly [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

/** Key (UTF-8), `Utils.murmur2`, `toPositive(h) % 6`, `toPositive(h) % 64`, from kafka-clients 4.1.1. */
const JAVA_VECTORS: readonly [string, number, number, number][] = [
  ['', 275646681, 3, 25],
  ['a', -1563381124, 4, 60],
  ['ab', 316155434, 2, 42],
  ['abc', 479470107, 3, 27],
  ['abcd', -1323649548, 2, 52],
  ['abcde', 461995741, 1, 29],
  ['user-1', 1404122828, 2, 12],
  ['user-42', 1459644460, 4, 44],
  ['21', -973932308, 0, 44],
  ['foobar', -790332482, 0, 62],
  ['a-little-bit-long-string', -985981536, 2, 32],
  ['a-little-bit-longer-string', -1486304829, 5, 3],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5, 13],
  ['événement', -314513833, 1, 23],
  ['日本語キー', 1445825182, 4, 30],
  ['0123456789abcdef0123456789abcdef', 81657833, 5, 41],
];

/** `Utils.murmur2` of the 256 bytes 0x00..0xff (every byte value, negative ones included). */
const ALL_BYTES_HASH = -1948347274;

const kafkajsPartition = (() => {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  return (key: Buffer, numPartitions: number): number =>
    partitioner({
      topic: 't',
      partitionMetadata: Array.from({ length: numPartitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })),
      message: { key, value: null },
    } as PartitionerArgs);
})();

describe('murmur2', () => {
  it("matches Apache Kafka's UtilsTest.testMurmur2 vectors", () => {
    for (const [key, hash] of KAFKA_TEST_VECTORS) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('matches Utils.murmur2 of kafka-clients 4.1.1 (every tail length, multi-byte UTF-8, all byte values)', () => {
    for (const [key, hash] of JAVA_VECTORS) expect(murmur2(Buffer.from(key, 'utf8')), key).toBe(hash);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(murmur2(all)).toBe(ALL_BYTES_HASH);
  });

  it('puts each key where the Java client does: toPositive(murmur2) % n, not Math.abs or >>> 0', () => {
    for (const [key, , of6, of64] of JAVA_VECTORS) {
      expect(partitionForKey(key, 6), key).toBe(of6);
      expect(partitionForKey(Buffer.from(key, 'utf8'), 64), key).toBe(of64);
    }
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(() => partitionForKey('k', 0)).toThrow(/positive integer/);
  });

  it('agrees with kafkajs and @platformatic/kafka (compatibility partitioner) on the vectors and random keys, 1..64 partitions', () => {
    const keys: Buffer[] = [
      ...JAVA_VECTORS.map(([key]) => Buffer.from(key, 'utf8')),
      ...Array.from({ length: 400 }, (_, i) => randomBytes(i % 40)),
      ...Array.from({ length: 100 }, (_, i) => Buffer.from(`user-${i}-${randomBytes(3).toString('hex')}`)),
    ];
    let mismatches = 0;
    for (const key of keys) {
      for (let n = 1; n <= 64; n++) {
        const ours = partitionForKey(key, n);
        if (kafkajsPartition(key, n) !== ours) mismatches++;
        if (compatibilityPartitioner({ topic: 't' }, key) % n !== ours) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it("shows why the library's default partitioner must not be used: murmur2 >>> 0 differs for negative hashes", () => {
    // 'a' hashes to a negative number: unsigned it is 2731586172, % 6 = 0, where Java says 4.
    expect(defaultPartitioner({ topic: 't' }, Buffer.from('a')) % 6).toBe(0);
    expect(partitionForKey('a', 6)).toBe(4);
  });
});
