import { describe, expect, it } from 'vitest';
import { KafkaSendError } from '../core/kafka-send-error.ts';
import { publishBatch } from './bisect.ts';

interface Row {
  readonly id: string;
  readonly topic: string;
  readonly key: string | null;
  /** What the fake Kafka does with it. */
  readonly bad?: boolean;
}

const row = (id: number, topic: string, key: string | null, bad = false): Row => ({
  id: String(id),
  topic,
  key,
  bad,
});
const ids = (rows: readonly Row[]) => rows.map((r) => r.id);

/**
 * A fake Kafka: refuses a send that holds a bad row or a row of a refused topic (nothing of it
 * written), is unavailable from the `unavailableFrom`-th call on, and records every call.
 */
function fakeKafka(
  options: { refusedTopics?: string[]; unavailableFrom?: number; acknowledge?: number } = {},
) {
  const calls: Row[][] = [];
  const written: Row[] = [];
  const send = async (rows: readonly Row[]) => {
    calls.push([...rows]);
    if (options.unavailableFrom !== undefined && calls.length >= options.unavailableFrom) {
      throw new KafkaSendError('broker down', { retriable: true });
    }
    const topic = rows.find((r) => options.refusedTopics?.includes(r.topic))?.topic;
    if (topic) throw new KafkaSendError('unknown topic', { retriable: false, topics: [topic] });
    const bad = rows.findIndex((r) => r.bad);
    if (bad >= 0) {
      // A producer that sent the batch in chunks may say how many leading records did go through.
      const acknowledged = Math.min(bad, options.acknowledge ?? 0);
      written.push(...rows.slice(0, acknowledged));
      throw new KafkaSendError('record too large', { retriable: false, acknowledged });
    }
    written.push(...rows);
  };
  return { send, calls, written };
}

/** Per key, what Kafka holds must be a leading run of that key's rows, in order. */
function expectKeyOrder(batch: readonly Row[], written: readonly Row[]) {
  const keyOf = (r: Row) => (r.key === null ? `none/${r.id}` : `${r.topic}/${r.key}`);
  for (const key of new Set(batch.map(keyOf))) {
    const mine = batch.filter((r) => keyOf(r) === key);
    const arrived = written.filter((r) => keyOf(r) === key);
    expect(ids(arrived), key).toEqual(ids(mine.slice(0, arrived.length)));
  }
}

describe('publishBatch', () => {
  it('sends a batch Kafka takes in one send', async () => {
    const batch = [row(1, 't', 'a'), row(2, 't', 'b'), row(3, 'u', 'a')];
    const kafka = fakeKafka();
    const outcome = await publishBatch(batch, kafka.send);
    expect(kafka.calls).toHaveLength(1);
    expect(ids(outcome.published)).toEqual(['1', '2', '3']);
    expect(outcome).toMatchObject({ refused: [], refusedTopics: [], unavailable: undefined, held: [] });
  });

  it('finds a refused row among many keys, publishes every other key and the rows of its key before it', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => row(i + 1, 't', `k${i % 8}`, i + 1 === 20));
    const kafka = fakeKafka();
    const outcome = await publishBatch(batch, kafka.send);
    expect(outcome.refused.map((r) => ids(r.rows))).toEqual([['20']]);
    expect((outcome.refused[0]!.error as Error).message).toBe('record too large');
    // Row 20 is key k3; its later rows (28, 36) wait behind it, its earlier ones (4, 12) went.
    expect(ids(outcome.held)).toEqual(['28', '36']);
    expect(ids(outcome.published).sort((a, b) => Number(a) - Number(b))).toEqual(
      ids(batch.filter((r) => !['20', '28', '36'].includes(r.id))),
    );
    expect(ids(kafka.written).sort()).toEqual(ids(outcome.published).sort());
    expectKeyOrder(batch, kafka.written);
    // Bisection, not row by row: far fewer sends than rows.
    expect(kafka.calls.length).toBeLessThan(15);
  });

  it('keeps key order when refused rows of several keys are spread over the batch', async () => {
    const bad = new Set([3, 7, 8, 15, 31]);
    const batch = Array.from({ length: 32 }, (_, i) =>
      row(i + 1, i % 3 === 0 ? 'u' : 't', `k${i % 5}`, bad.has(i + 1)),
    );
    const kafka = fakeKafka();
    const outcome = await publishBatch(batch, kafka.send);
    expectKeyOrder(batch, kafka.written);
    const refused = outcome.refused.flatMap((r) => ids(r.rows));
    // Each refused row is the first bad row of its key; a later bad row of that key is held, never sent.
    for (const id of refused) expect(bad.has(Number(id))).toBe(true);
    expect(outcome.published.some((r) => r.bad)).toBe(false);
    expect(outcome.published.length + refused.length + outcome.held.length).toBe(batch.length);
  });

  it('sets a topic refused as a whole aside: the first row of each of its keys is refused, the rest held', async () => {
    const batch = [
      row(1, 'gone', 'a'),
      row(2, 't', 'a'),
      row(3, 'gone', 'a'),
      row(4, 'gone', 'b'),
      row(5, 't', 'b'),
    ];
    const kafka = fakeKafka({ refusedTopics: ['gone'] });
    const outcome = await publishBatch(batch, kafka.send);
    expect(outcome.refusedTopics).toEqual(['gone']);
    expect(outcome.refused.map((r) => ids(r.rows))).toEqual([['1', '4']]);
    expect(ids(outcome.held)).toEqual(['3']);
    expect(ids(outcome.published)).toEqual(['2', '5']);
  });

  it('does not resend what Kafka acknowledged before a refusal', async () => {
    const batch = [row(1, 't', 'a'), row(2, 't', 'b'), row(3, 't', 'c', true), row(4, 't', 'd')];
    const kafka = fakeKafka({ acknowledge: 2 });
    const outcome = await publishBatch(batch, kafka.send);
    expect(ids(outcome.published)).toEqual(['1', '2', '4']);
    expect(
      kafka.calls
        .slice(1)
        .flat()
        .map((r) => r.id),
    ).not.toContain('1');
    expect(
      kafka.calls
        .slice(1)
        .flat()
        .map((r) => r.id),
    ).not.toContain('2');
    expect(ids(kafka.written)).toEqual(['1', '2', '4']);
  });

  it('stops at Kafka becoming unavailable midway: that part is unavailable, nothing more is sent', async () => {
    const batch = [row(1, 't', 'a', true), row(2, 't', 'b'), row(3, 'u', 'c'), row(4, 'u', 'd')];
    const kafka = fakeKafka({ unavailableFrom: 2 });
    const outcome = await publishBatch(batch, kafka.send);
    expect(kafka.calls).toHaveLength(2);
    expect(ids(outcome.unavailable!.rows)).toEqual(['1', '2']);
    expect((outcome.unavailable!.error as KafkaSendError).retriable).toBe(true);
    expect(outcome.published).toEqual([]);
    expect(ids(outcome.held)).toEqual(['3', '4']);
  });

  it('reports the whole batch unavailable when the first send fails retriably', async () => {
    const batch = [row(1, 't', 'a'), row(2, 't', 'b')];
    const kafka = fakeKafka({ unavailableFrom: 1 });
    const outcome = await publishBatch(batch, kafka.send);
    expect(kafka.calls).toHaveLength(1);
    expect(ids(outcome.unavailable!.rows)).toEqual(['1', '2']);
    expect(outcome.held).toEqual([]);
  });

  it('holds back nothing behind a refused keyless row', async () => {
    const batch = [row(1, 't', null), row(2, 't', null, true), row(3, 't', null), row(4, 't', null)];
    const kafka = fakeKafka();
    const outcome = await publishBatch(batch, kafka.send);
    expect(outcome.refused.map((r) => ids(r.rows))).toEqual([['2']]);
    expect(ids(outcome.published).sort()).toEqual(['1', '3', '4']);
    expect(outcome.held).toEqual([]);
  });
});
