/**
 * The @platformatic/kafka consumer adapter on the real broker (whatever KAFKA_CLIENT says:
 * this file is about that adapter). Records are written with raw kafkajs, an independent
 * client: repeated and binary headers arrive in wire order, partitions in offset order;
 * only acknowledged offsets are committed (a stop mid-batch and a failing handler both
 * redeliver from the first unacknowledged record); two members share the partitions;
 * a pattern subscription picks up a topic created after the start; a static member
 * restarted with its instance id gets its partitions back; a KIP-848 member joins and consumes.
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchHandler, ConsumedRecord, KafkaConsumerPort } from '../../runtime/kafka/consumer-port.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import {
  createPlatformaticConsumer,
  type PlatformaticConsumerOptions,
} from '../../runtime/kafka/platformatic-consumer.ts';
import { allowOtherClientPorts } from '../support/client-guard.ts';
import { useInfrastructure } from '../support/context.ts';
import { eventually } from '../support/eventually.ts';
import { createTopic, deleteTopics, runId } from '../support/outbox-fixtures.ts';

allowOtherClientPorts('@platformatic/kafka features tested whatever client the run chose');

const infra = useInfrastructure();
const brokers = infra.kafkaBrokers;
const run = runId();
const kafka = createKafka({ brokers, clientId: `platformatic-consumer-test-${run}` });
const producer = kafka.producer();
const topics: string[] = [];
const ports: KafkaConsumerPort[] = [];

async function topic(name: string, partitions: number): Promise<string> {
  const full = `plt-consumer-${name}-${run}`;
  await createTopic(brokers, full, partitions);
  topics.push(full);
  return full;
}

function consumer(options: Omit<PlatformaticConsumerOptions, 'brokers'>): KafkaConsumerPort {
  const port = createPlatformaticConsumer({ brokers, maxWaitTimeMs: 300, ...options });
  ports.push(port);
  return port;
}

async function write(topicName: string, partition: number, values: readonly string[]): Promise<void> {
  await producer.send({
    topic: topicName,
    messages: values.map((value) => ({ partition, key: value, value, headers: { n: value } })),
  });
}

/** Committed offsets of a group per partition (kafkajs admin: an independent reader). */
async function committed(groupId: string, topicName: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topicName] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(ports.map((p) => p.stop().catch(() => {})));
  await producer.disconnect();
  await deleteTopics(brokers, topics);
});

describe('the @platformatic/kafka consumer on a real broker', () => {
  it('hands over batches per partition in offset order with repeated and binary headers in wire order', async () => {
    const name = await topic('headers', 3);
    const binary = Buffer.from([0, 255, 1, 254]);
    await producer.send({
      topic: name,
      messages: [
        {
          partition: 1,
          key: 'k',
          value: 'first',
          headers: { 'kafka_dlt-exception-message': ['one', 'two'], bin: binary, last: 'x' },
        },
        { partition: 1, key: null, value: null, headers: {} },
      ],
    });
    for (let p = 0; p < 3; p++)
      await write(
        name,
        p,
        ['a', 'b', 'c', 'd'].map((v) => `${p}-${v}`),
      );
    const seen = new Map<number, ConsumedRecord[]>();
    const batches: { partition: number; highWatermark: string; offsets: string[] }[] = [];
    const port = consumer({ groupId: `plt-headers-${run}`, partitionsConsumedConcurrently: 3 });
    await port.start([name], async (batch, scope) => {
      batches.push({
        partition: batch.partition,
        highWatermark: batch.highWatermark,
        offsets: batch.records.map((r) => r.offset),
      });
      for (const record of batch.records) {
        seen.set(batch.partition, [...(seen.get(batch.partition) ?? []), record]);
        scope.acknowledge(record.offset);
      }
    });
    await eventually(
      () => [0, 1, 2].map((p) => seen.get(p)?.length ?? 0),
      (counts) => counts[0] === 4 && counts[1] === 6 && counts[2] === 4,
      30_000,
      'every record handed over',
    );
    await port.stop();
    for (const [, records] of seen) {
      const offsets = records.map((r) => Number(r.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(offsets.length);
    }
    const [first, empty] = seen.get(1)!;
    expect(first!.headerEntries.map((h) => [h.key, h.value.toString('latin1')])).toEqual([
      ['kafka_dlt-exception-message', 'one'],
      ['kafka_dlt-exception-message', 'two'],
      ['bin', binary.toString('latin1')],
      ['last', 'x'],
    ]);
    expect(first!.headers['kafka_dlt-exception-message']?.toString()).toBe('two');
    expect(first!.headers.bin?.equals(binary)).toBe(true);
    expect(first!.key?.toString()).toBe('k');
    expect(first!.value?.toString()).toBe('first');
    expect(first!.timestampType).toBe('CreateTime');
    expect(Number(first!.timestamp)).toBeGreaterThan(Date.now() - 600_000);
    expect(empty!.key).toBeNull();
    expect(empty!.value).toBeNull();
    expect(empty!.headerEntries).toEqual([]);
    const last = batches.filter((b) => b.partition === 1).at(-1)!;
    expect(last.highWatermark).toBe('6');
    expect(await committed(`plt-headers-${run}`, name)).toEqual(
      new Map([
        [0, '4'],
        [1, '6'],
        [2, '4'],
      ]),
    );
  });

  it('commits only acknowledged offsets: a stop mid-batch redelivers the unacknowledged records to the next member', async () => {
    const name = await topic('ack', 1);
    await write(name, 0, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    const groupId = `plt-ack-${run}`;
    let stopRequested: (() => void) | undefined;
    const stopping = new Promise<void>((resolve) => {
      stopRequested = resolve;
    });
    const first = consumer({ groupId });
    await first.start([name], async (batch, scope) => {
      for (const record of batch.records.slice(0, 3)) scope.acknowledge(record.offset);
      stopRequested?.();
      // The batch in hand finishes while the port stops; nothing more is acknowledged.
      await eventually(
        () => scope.isActive(),
        (active) => !active,
        30_000,
        'the batch turning inactive on stop',
      );
    });
    await stopping;
    await first.stop();
    expect(await committed(groupId, name)).toEqual(new Map([[0, '3']]));

    const redelivered: string[] = [];
    const second = consumer({ groupId });
    await second.start([name], async (batch, scope) => {
      for (const record of batch.records) {
        redelivered.push(record.value!.toString());
        scope.acknowledge(record.offset);
      }
    });
    await eventually(
      () => redelivered.length,
      (n) => n >= 3,
      30_000,
      'the unacknowledged records again',
    );
    await second.stop();
    expect(redelivered).toEqual(['r3', 'r4', 'r5']);
    expect(await committed(groupId, name)).toEqual(new Map([[0, '6']]));
  });

  it('commits every round while it runs, in order, without waiting for a stop', async () => {
    const name = await topic('rounds', 2);
    const groupId = `plt-rounds-${run}`;
    let handled = 0;
    const port = consumer({ groupId, partitionsConsumedConcurrently: 2 });
    await port.start([name], async (batch, scope) => {
      for (const record of batch.records) {
        scope.acknowledge(record.offset);
        handled++;
      }
    });
    // Three waves while the member runs: after each, the group's commits reach what was handled.
    const seen: Map<number, string>[] = [];
    for (let wave = 1; wave <= 3; wave++) {
      for (const partition of [0, 1])
        await write(
          name,
          partition,
          Array.from({ length: 5 }, (_, i) => `${wave}-${partition}-${i}`),
        );
      const wanted = String(wave * 5);
      seen.push(
        await eventually(
          () => committed(groupId, name),
          (offsets) => offsets.get(0) === wanted && offsets.get(1) === wanted,
          30_000,
          `wave ${wave} committed while the member runs`,
        ),
      );
    }
    expect(handled).toBe(30);
    await port.stop();
    expect(seen.map((offsets) => [offsets.get(0), offsets.get(1)])).toEqual([
      ['5', '5'],
      ['10', '10'],
      ['15', '15'],
    ]);
  });

  it('fetches again from the first unacknowledged record after a handler fails', async () => {
    const name = await topic('retry', 1);
    await write(name, 0, ['a', 'b', 'c', 'd']);
    const handed: string[] = [];
    let failed = false;
    const port = consumer({ groupId: `plt-retry-${run}` });
    const handler: BatchHandler = async (batch, scope) => {
      for (const record of batch.records) {
        handed.push(record.value!.toString());
        if (record.value!.toString() === 'c' && !failed) {
          failed = true;
          throw new Error('handler failed on c');
        }
        scope.acknowledge(record.offset);
      }
    };
    await port.start([name], handler);
    await eventually(
      () => handed.length,
      (n) => n >= 5,
      30_000,
      'c and d handed over again',
    );
    await port.stop();
    expect(handed).toEqual(['a', 'b', 'c', 'c', 'd']);
  });

  it('shares the partitions between two members, and a partition coming back resumes at its commit', async () => {
    const name = await topic('rebalance', 4);
    for (let p = 0; p < 4; p++)
      await write(
        name,
        p,
        ['a', 'b', 'c'].map((v) => `${p}-${v}`),
      );
    const groupId = `plt-rebalance-${run}`;
    const byMember = [new Set<number>(), new Set<number>()];
    const values = new Set<string>();
    let handled = 0;
    const handlerOf =
      (member: number): BatchHandler =>
      async (batch, scope) => {
        byMember[member]!.add(batch.partition);
        for (const record of batch.records) {
          values.add(record.value!.toString());
          handled++;
          scope.acknowledge(record.offset);
        }
      };
    const a = consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
    await a.start([name], handlerOf(0));
    await eventually(
      () => values.size,
      (n) => n === 12,
      30_000,
      'member a handling every partition',
    );
    const b = consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
    await b.start([name], handlerOf(1));
    for (let p = 0; p < 4; p++)
      await write(
        name,
        p,
        ['d', 'e'].map((v) => `${p}-${v}`),
      );
    await eventually(
      () => ({ values: values.size, b: byMember[1]!.size }),
      (s) => s.values === 20 && s.b > 0,
      60_000,
      'member b taking partitions and every record handled',
    );
    // b leaves: its partitions go back to a, which must resume where b committed, not where a left them.
    await b.stop();
    for (let p = 0; p < 4; p++) await write(name, p, [`${p}-f`]);
    await eventually(
      () => values.size,
      (n) => n === 24,
      60_000,
      'member a handling every partition again',
    );
    await a.stop();
    expect(handled).toBe(24);
    expect(await committed(groupId, name)).toEqual(new Map([0, 1, 2, 3].map((p) => [p, '6'])));
  });

  it('subscribes by pattern, including a matching topic created after the start', async () => {
    const first = await topic('pattern-one', 1);
    await write(first, 0, ['one']);
    const values: string[] = [];
    const port = createPlatformaticConsumer({
      brokers,
      groupId: `plt-pattern-${run}`,
      maxWaitTimeMs: 300,
      patternRefreshMs: 500,
    });
    ports.push(port);
    await port.start([new RegExp(`^plt-consumer-pattern-.*-${run}$`)], async (batch, scope) => {
      for (const record of batch.records) {
        values.push(record.value!.toString());
        scope.acknowledge(record.offset);
      }
    });
    await eventually(
      () => values,
      (v) => v.includes('one'),
      30_000,
      'the first matching topic',
    );
    const second = await topic('pattern-two', 1);
    await write(second, 0, ['two']);
    await eventually(
      () => values,
      (v) => v.includes('two'),
      60_000,
      'the topic created after the start',
    );
    await port.stop();
    expect(values.sort()).toEqual(['one', 'two']);
  });

  it('gives a static member restarted with its instance id its partitions back', async () => {
    const name = await topic('static', 2);
    const groupId = `plt-static-${run}`;
    const partitionsOf = async (_instance: string, value: string): Promise<Set<number>> => {
      const seen = new Set<number>();
      for (let p = 0; p < 2; p++) await write(name, p, [`${value}-${p}`]);
      return seen;
    };
    const seenA = await partitionsOf('a', 'first');
    const a = consumer({ groupId, groupInstanceId: `a-${run}`, sessionTimeoutMs: 30_000 });
    await a.start([name], async (batch, scope) => {
      seenA.add(batch.partition);
      for (const r of batch.records) scope.acknowledge(r.offset);
    });
    await eventually(
      () => seenA.size,
      (n) => n === 2,
      30_000,
      'the static member taking both partitions',
    );
    await a.stop();
    const seenAgain = new Set<number>();
    const again = consumer({ groupId, groupInstanceId: `a-${run}`, sessionTimeoutMs: 30_000 });
    await again.start([name], async (batch, scope) => {
      seenAgain.add(batch.partition);
      for (const r of batch.records) scope.acknowledge(r.offset);
    });
    for (let p = 0; p < 2; p++) await write(name, p, [`second-${p}`]);
    await eventually(
      () => seenAgain.size,
      (n) => n === 2,
      30_000,
      'the restarted static member taking both back',
    );
    await again.stop();
  });

  it('joins with the consumer group protocol (KIP-848) and consumes', async () => {
    const name = await topic('kip848', 2);
    for (let p = 0; p < 2; p++) await write(name, p, [`x-${p}`, `y-${p}`]);
    const groupId = `plt-kip848-${run}`;
    const values = new Set<string>();
    const port = consumer({ groupId, groupProtocol: 'consumer' });
    await port.start([name], async (batch, scope) => {
      for (const record of batch.records) {
        values.add(record.value!.toString());
        scope.acknowledge(record.offset);
      }
    });
    await eventually(
      () => values.size,
      (n) => n === 4,
      60_000,
      'every record through a KIP-848 member',
    );
    expect(port.status?.().state).toBe('joined');
    await port.stop();
    expect(await committed(groupId, name)).toEqual(
      new Map([
        [0, '2'],
        [1, '2'],
      ]),
    );
    // The broker lists the group among groups of type `consumer` (KIP-848), not `classic`.
    const admin = new Admin({ clientId: `plt-kip848-check-${run}`, bootstrapBrokers: brokers });
    try {
      const consumerGroups = await admin.listGroups({ types: ['consumer'] });
      expect([...consumerGroups.keys()]).toContain(groupId);
    } finally {
      await admin.close();
    }
  });
});
