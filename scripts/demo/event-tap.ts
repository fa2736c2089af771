/**
 * Watches events flow: reads a system's topics from their current end
 * (its own throw-away consumer group) and, for each record, follows the
 * committed offsets of the consumer groups that subscribe to its topic until
 * every one of them has committed past it, i.e. handled (or dead-lettered) it.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer } from 'kafkajs';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';

export interface TappedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly type: string;
  readonly id: string;
  readonly payload: Record<string, unknown>;
  readonly seenAt: number;
  /** ce_time in ms (when the producing service wrote the event). */
  readonly time: number;
  /** Groups that must handle it (those running that subscribe to the topic). */
  readonly groups: readonly string[];
  /** Group id → when its committed offset first passed the record. */
  readonly handled: Map<string, number>;
}

export interface EventTap {
  readonly events: readonly TappedEvent[];
  /** Waits until no record arrived for `quietMs` and every record seen is handled by all its groups (or `timeoutMs`). */
  settle(quietMs?: number, timeoutMs?: number): Promise<TappedEvent[]>;
  stop(): Promise<void>;
}

export interface EventTapOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  /** The consumer groups that handle each topic. */
  readonly groupsOf: (topic: string) => readonly string[];
  /** Called once a record is handled by all its groups, in that order. */
  readonly onHandled?: (event: TappedEvent) => void;
}

const header = (value: Buffer | string | (Buffer | string)[] | undefined): string => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? '' : v.toString();
};

export async function startEventTap(options: EventTapOptions): Promise<EventTap> {
  const kafka = createKafka({ brokers: options.brokers, clientId: 'demo-event-tap' });
  const admin: Admin = kafka.admin();
  await admin.connect();
  const start = new Map<string, string>();
  for (const topic of options.topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) start.set(`${topic}:${p.partition}`, p.high);
  }
  const tapGroup = `demo-event-tap-${randomBytes(4).toString('hex')}`;
  const consumer: Consumer = kafka.consumer({ groupId: tapGroup });
  const events: TappedEvent[] = [];
  const pending = new Set<TappedEvent>();
  let lastSeen = Date.now();
  let joined: () => void = () => {};
  const isJoined = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    // Read from the end as it was before the group joined: nothing published since is missed.
    for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
      for (const partition of partitions) {
        const offset = start.get(`${topic}:${partition}`);
        if (offset !== undefined) consumer.seek({ topic, partition, offset });
      }
    }
    joined();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const from = start.get(`${topic}:${partition}`);
      if (from !== undefined && BigInt(message.offset) < BigInt(from)) return;
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
      } catch {
        payload = { undecodable: true };
      }
      const event: TappedEvent = {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        type: header(message.headers?.ce_type) || '(no ce_type header)',
        id: header(message.headers?.ce_id),
        payload,
        seenAt: Date.now(),
        time: Date.parse(header(message.headers?.ce_time)) || Date.now(),
        groups: options.groupsOf(topic),
        handled: new Map(),
      };
      events.push(event);
      pending.add(event);
      lastSeen = Date.now();
    },
  });
  await isJoined;

  let stopped = false;
  const follow = async () => {
    while (!stopped) {
      if (pending.size > 0) {
        const groups = new Set([...pending].flatMap((e) => e.groups));
        for (const groupId of groups) {
          const topics = [
            ...new Set([...pending].filter((e) => e.groups.includes(groupId)).map((e) => e.topic)),
          ];
          const committed = await admin.fetchOffsets({ groupId, topics }).catch(() => []);
          for (const t of committed) {
            for (const p of t.partitions) {
              if (p.offset === '-1') continue;
              for (const e of pending) {
                if (e.topic === t.topic && e.partition === p.partition && BigInt(p.offset) > BigInt(e.offset))
                  if (!e.handled.has(groupId)) e.handled.set(groupId, Date.now());
              }
            }
          }
        }
        for (const e of [...pending].sort((a, b) => a.seenAt - b.seenAt)) {
          if (e.groups.every((g) => e.handled.has(g))) {
            pending.delete(e);
            options.onHandled?.(e);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const following = follow();

  return {
    events,
    async settle(quietMs = 1_500, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (pending.size === 0 && Date.now() - lastSeen >= quietMs) return [];
        await new Promise((r) => setTimeout(r, 100));
      }
      return [...pending];
    },
    async stop() {
      stopped = true;
      await following;
      await consumer.disconnect();
      // The tap's own group is throw-away: leave no trace of it on the broker.
      await admin.deleteGroups([tapGroup]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
