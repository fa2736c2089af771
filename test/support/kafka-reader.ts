/**
 * Reads back what a test published, with a plain kafkajs consumer: the end
 * offset of each partition is taken before anything is published, and a fresh
 * consumer group reads from the beginning but keeps only records from those
 * offsets on, so the test sees exactly the records written after that point
 * (and every duplicate of them), whatever the topic held before.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Per topic, per partition: the offset of the next record to be written. */
export type TopicOffsets = Map<string, { partition: number; offset: string }[]>;

export async function endOffsets(
  brokers: readonly string[],
  topics: readonly string[],
): Promise<TopicOffsets> {
  const kafka = createKafka({ brokers, clientId: 'test-reader' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const result: TopicOffsets = new Map();
    for (const topic of topics) {
      const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
      result.set(
        topic,
        offsets.map((o) => ({ partition: o.partition, offset: o.high })),
      );
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Right after a topic is created its leader may not be known everywhere yet (NOT_LEADER_OR_FOLLOWER). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 20 || (err as { retriable?: boolean }).retriable !== true) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export interface Reader {
  /** Everything read so far, in arrival order (per partition: offset order). */
  readonly records: readonly ReadRecord[];
  /** Resolves once `done(records)` holds; rejects after `timeoutMs` saying how many records arrived. */
  waitFor(done: (records: readonly ReadRecord[]) => boolean, timeoutMs: number, what?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts reading `topics` from `from` (default: their current end). Start it
 * before publishing; or take `endOffsets` first and start it later.
 */
export async function startReader(
  brokers: readonly string[],
  topics: readonly string[],
  from?: TopicOffsets,
): Promise<Reader> {
  const offsets = from ?? (await endOffsets(brokers, topics));
  const start = new Map<string, bigint>();
  for (const topic of topics) {
    const partitions = offsets.get(topic);
    if (!partitions) throw new Error(`no start offsets for topic ${topic}`);
    for (const p of partitions) start.set(`${topic}/${p.partition}`, BigInt(p.offset));
  }
  const kafka: Kafka = createKafka({ brokers, clientId: 'test-reader' });
  const groupId = `test-reader-${randomUUID()}`;
  // A fresh group from the beginning, skipping what lies before the start offsets
  // (kafkajs' admin.setOffsets joins the group once per topic, about 5 s each).
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
  const records: ReadRecord[] = [];
  const waiters = new Set<() => void>();
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (BigInt(message.offset) < (start.get(`${topic}/${partition}`) ?? 0n)) return;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value === undefined) continue;
        headers[name] = (Array.isArray(value) ? value.at(-1) : value)?.toString() ?? '';
      }
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers,
      });
      for (const w of waiters) w();
    },
  });
  // Skip the history when kafkajs takes the seek before its first fetch. The filter above keeps
  // the result right either way, so a seek kafkajs refuses (its group not initialized yet on a
  // busy broker) only costs reading the history.
  for (const topic of topics) {
    for (const p of offsets.get(topic) ?? []) {
      try {
        consumer.seek({ topic, partition: p.partition, offset: p.offset });
      } catch {
        // read from the beginning instead; see above
      }
    }
  }

  return {
    records,
    waitFor(done, timeoutMs, what = 'records') {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!done(records)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}: ${records.length} record(s) read`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await consumer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    },
  };
}

/** Records by `ce_id`: how often each event id arrived. */
export function countById(records: readonly ReadRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const id = r.headers.ce_id;
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
