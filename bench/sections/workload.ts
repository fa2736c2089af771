/** The events benchmarks send: MessageSent on a topic of the benchmark's own, keyed over `keys` rooms. */
import { randomUUID } from 'node:crypto';
import { eventExamples, messageSentEvent } from '../../generated/index.ts';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { OutgoingEvent } from '../../runtime/contract/events.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import type { SerializedRecord } from '../harness/clients.ts';

type MessageSent = (typeof eventExamples.MessageSent)[0]['payload'];
export type MessageSentMap = { MessageSent: MessageSent };

/** A one-event topic carrying MessageSent, under `name`. */
export function messageTopic(name: string, partitions: number): TopicDefinition<MessageSentMap> {
  return {
    name,
    spec: { name, kind: 'event', partitions, replicas: 1, config: {} },
    events: { MessageSent: { ...messageSentEvent, topic: name } },
  } as unknown as TopicDefinition<MessageSentMap>;
}

/** `count` valid MessageSent events, each with its own message id, over `keys` rooms. */
export function messageEvents(count: number, keys = 1000, from = 0): OutgoingEvent<MessageSentMap>[] {
  const base = eventExamples.MessageSent[0]!.payload;
  return Array.from({ length: count }, (_, n) => {
    const i = from + n;
    return {
      type: 'MessageSent' as const,
      payload: {
        ...base,
        message_id: randomUUID(),
        room_id: 1 + (i % keys),
        content: `benchmark message ${i}`,
      },
    };
  });
}

/** The records the typed producer would send for `events`, as bytes (envelope headers included). */
export function serialize(
  topic: TopicDefinition<MessageSentMap>,
  events: readonly OutgoingEvent<MessageSentMap>[],
): SerializedRecord[] {
  return events.map((event) => {
    const prepared = prepareEvent(topic as unknown as TopicDefinition, event);
    return {
      key: Buffer.from(prepared.key ?? ''),
      value: Buffer.from(prepared.value),
      headers: Object.fromEntries(Object.entries(prepared.headers).map(([k, v]) => [k, Buffer.from(v)])),
    };
  });
}

/** `items` in slices of `size`. */
export function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
