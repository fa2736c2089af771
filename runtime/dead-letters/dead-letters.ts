/**
 * The dead-letter tool's operations, for the CLI (cli.ts) and for tests: list what the
 * dead-letter topics hold, show one record, replay records to their original topic, discard them.
 * Reading never commits a consumer offset (runtime/kafka/kafkajs-range-reader.ts); replay and
 * discard keep the ledger (ledger.ts).
 *
 * Replay order, per chunk of records: (1) the ledger row `replaying` commits, (2) the records are
 * sent (idempotent producer, acks=all), (3) the rows become `replayed` with where each copy landed.
 * A crash between 1 and 3 leaves `replaying` rows: the send may or may not have happened, so the
 * next replay of those records sends them again without --force (the consumers' processed-event
 * claims, keyed by ce_id and group, make a second copy harmless). The other order would let a
 * crash after the send leave no trace, and the record would be replayed again as if new.
 */
import type { Kafka } from 'kafkajs';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import {
  type PartitionExtent,
  type PartitionRange,
  readTopicRange,
  TopicNotFoundError,
  topicExtents,
} from '../kafka/kafkajs-range-reader.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import { UsageError } from './errors.ts';
import { type Ledger, type LedgerEntry, type LedgerSubject, positionOf } from './ledger.ts';
import { replayRecord } from './replay-record.ts';
import { matches, rangesFor, type Selection } from './selection.ts';
import type { DeadLetterTopic } from './topics.ts';
import { type DeadLetterView, viewDeadLetter } from './view.ts';

export interface DeadLetterTool {
  readonly kafka: Kafka;
  readonly ledger: Ledger;
  /** Needed by replay only (`createKafkajsProducer`: idempotent, acks=all). */
  readonly producer?: KafkaProducerPort;
  readonly now?: () => Date;
  /** How long reading one topic may take; default 60 000 ms. */
  readonly readTimeoutMs?: number;
}

/** A dead-letter record read from its topic. */
export interface StoredDeadLetter {
  readonly record: ConsumedRecord;
  readonly view: DeadLetterView;
  readonly ledger?: LedgerEntry;
}

async function extentsOf(tool: DeadLetterTool, topic: string): Promise<PartitionExtent[]> {
  try {
    return await topicExtents(tool.kafka, topic);
  } catch (error) {
    if (error instanceof TopicNotFoundError) {
      throw new UsageError(`dead-letter topic ${topic} does not exist on the broker`);
    }
    throw error;
  }
}

async function read(
  tool: DeadLetterTool,
  topic: string,
  ranges: readonly PartitionRange[] | undefined,
): Promise<{ extents: readonly PartitionExtent[]; letters: StoredDeadLetter[] }> {
  const [{ extents, records }, entries] = await Promise.all([
    readTopicRange(tool.kafka, topic, {
      ...(ranges ? { ranges } : {}),
      timeoutMs: tool.readTimeoutMs ?? 60_000,
      groupPrefix: 'dlq-tool-reader',
    }),
    tool.ledger.entries(topic),
  ]);
  return {
    extents,
    letters: records.map((record) => {
      const ledger = entries.get(positionOf(record.partition, record.offset));
      return { record, view: viewDeadLetter(record), ...(ledger ? { ledger } : {}) };
    }),
  };
}

// ---------------------------------------------------------------- list

export interface SummaryRow {
  readonly reason: string;
  readonly exception: string;
  readonly group: string;
  readonly records: number;
  readonly replayed: number;
  readonly discarded: number;
  /** Ledger says `replaying`: a replay was started and did not finish. */
  readonly pending: number;
}

export interface TopicSummary {
  readonly topic: string;
  readonly deadLetterFor?: string;
  readonly exists: boolean;
  readonly partitions: readonly { partition: number; low: string; high: string }[];
  readonly records: number;
  readonly replayed: number;
  readonly discarded: number;
  readonly pending: number;
  readonly rows: readonly SummaryRow[];
}

/** Per topic: record counts by reason, exception and consumer group, and what the ledger says of them. */
export async function listDeadLetters(
  tool: DeadLetterTool,
  topics: readonly DeadLetterTopic[],
  options: { readonly requireExisting?: boolean } = {},
): Promise<TopicSummary[]> {
  const summaries: TopicSummary[] = [];
  for (const topic of topics) {
    const base = {
      topic: topic.name,
      ...(topic.deadLetterFor ? { deadLetterFor: topic.deadLetterFor } : {}),
    };
    let letters: StoredDeadLetter[];
    let extents: readonly PartitionExtent[];
    try {
      ({ extents, letters } = await read(tool, topic.name, undefined));
    } catch (error) {
      if (error instanceof TopicNotFoundError && !options.requireExisting) {
        summaries.push({
          ...base,
          exists: false,
          partitions: [],
          records: 0,
          replayed: 0,
          discarded: 0,
          pending: 0,
          rows: [],
        });
        continue;
      }
      if (error instanceof TopicNotFoundError) {
        throw new UsageError(`dead-letter topic ${topic.name} does not exist on the broker`);
      }
      throw error;
    }
    const rows = new Map<string, { -readonly [K in keyof SummaryRow]: SummaryRow[K] }>();
    for (const { view, ledger } of letters) {
      const slot = `${view.reasonLabel}\u0000${view.exceptionLabel}\u0000${view.groupLabel}`;
      let row = rows.get(slot);
      if (!row) {
        row = {
          reason: view.reasonLabel,
          exception: view.exceptionLabel,
          group: view.groupLabel,
          records: 0,
          replayed: 0,
          discarded: 0,
          pending: 0,
        };
        rows.set(slot, row);
      }
      row.records += 1;
      if (ledger?.action === 'replayed') row.replayed += 1;
      if (ledger?.action === 'discarded') row.discarded += 1;
      if (ledger?.action === 'replaying') row.pending += 1;
    }
    const sorted = [...rows.values()].sort(
      (a, b) =>
        b.records - a.records ||
        a.reason.localeCompare(b.reason) ||
        a.exception.localeCompare(b.exception) ||
        a.group.localeCompare(b.group),
    );
    const sum = (key: 'records' | 'replayed' | 'discarded' | 'pending') =>
      sorted.reduce((n, r) => n + r[key], 0);
    summaries.push({
      ...base,
      exists: true,
      partitions: extents.map((e) => ({ partition: e.partition, low: String(e.low), high: String(e.high) })),
      records: sum('records'),
      replayed: sum('replayed'),
      discarded: sum('discarded'),
      pending: sum('pending'),
      rows: sorted,
    });
  }
  return summaries;
}

// ---------------------------------------------------------------- show

export type ShowTarget =
  | { readonly partition: number; readonly offset: bigint }
  | { readonly eventId: string };

/** One record by position, or every record carrying an event id. */
export async function showDeadLetter(
  tool: DeadLetterTool,
  topic: string,
  target: ShowTarget,
): Promise<StoredDeadLetter[]> {
  const extents = await extentsOf(tool, topic);
  if ('partition' in target) {
    const extent = extents.find((e) => e.partition === target.partition);
    if (!extent) {
      throw new UsageError(
        `${topic} has no partition ${target.partition} (partitions 0–${extents.length - 1})`,
      );
    }
    if (target.offset < extent.low || target.offset >= extent.high) {
      throw new UsageError(
        `no record at ${target.partition}:${target.offset}: partition ${target.partition} of ${topic} holds ${
          extent.high > extent.low ? `offsets ${extent.low}–${extent.high - 1n}` : 'no records'
        }`,
      );
    }
    const { letters } = await read(tool, topic, [
      { partition: target.partition, from: target.offset, to: target.offset },
    ]);
    if (letters.length === 0)
      throw new UsageError(`no record at ${target.partition}:${target.offset} of ${topic}`);
    return letters;
  }
  const { letters } = await read(tool, topic, undefined);
  const found = letters.filter((l) => l.view.eventId === target.eventId);
  if (found.length === 0) throw new UsageError(`no dead letter with event id ${target.eventId} in ${topic}`);
  return found;
}

// ---------------------------------------------------------------- replay and discard

export interface ActOptions {
  readonly operator: string;
  readonly reason?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

export type ItemOutcome =
  | 'replayed'
  | 'would-replay'
  | 'discarded'
  | 'would-discard'
  | 'skipped'
  /** The send failed; the ledger says `replaying` until a later replay completes it. */
  | 'failed';

export interface ActionItem {
  readonly position: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly reason: string;
  readonly group: string;
  readonly originalTopic?: string;
  readonly outcome: ItemOutcome;
  /** Why it was skipped, or that an unfinished replay was completed. */
  readonly note?: string;
  /** Where the replayed copy landed: `topic:partition:offset`. */
  readonly replayedTo?: string;
}

export interface ActionReport {
  readonly topic: string;
  readonly action: 'replay' | 'discard';
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly selected: number;
  readonly items: readonly ActionItem[];
  readonly counts: Readonly<Partial<Record<ItemOutcome, number>>>;
  /** Set when sending failed part-way: what happened, and that re-running completes it. */
  readonly error?: string;
}

const CHUNK = 500;

function subjectOf(letter: StoredDeadLetter): LedgerSubject {
  const { view } = letter;
  return {
    partition: letter.record.partition,
    offset: letter.record.offset,
    ...(view.eventId !== undefined ? { eventId: view.eventId } : {}),
    ...(view.eventType !== undefined ? { eventType: view.eventType } : {}),
    ...(view.provenance.originalTopic !== undefined ? { originalTopic: view.provenance.originalTopic } : {}),
    ...(view.provenance.originalConsumerGroup !== undefined
      ? { consumerGroup: view.provenance.originalConsumerGroup }
      : {}),
  };
}

function itemOf(letter: StoredDeadLetter, outcome: ItemOutcome, extra: Partial<ActionItem> = {}): ActionItem {
  const { view } = letter;
  return {
    position: view.position,
    ...(view.eventId !== undefined ? { eventId: view.eventId } : {}),
    ...(view.eventType !== undefined ? { eventType: view.eventType } : {}),
    reason: view.reasonLabel,
    group: view.groupLabel,
    ...(view.provenance.originalTopic !== undefined ? { originalTopic: view.provenance.originalTopic } : {}),
    outcome,
    ...extra,
  };
}

const when = (entry: LedgerEntry) =>
  `${entry.actedAt.toISOString()} by ${entry.operator}${entry.reason ? ` (${entry.reason})` : ''}`;

async function selected(
  tool: DeadLetterTool,
  topic: string,
  selection: Selection,
): Promise<StoredDeadLetter[]> {
  const extents = await extentsOf(tool, topic);
  const ranges = rangesFor(topic, selection, extents);
  const { letters } = await read(tool, topic, ranges);
  return letters.filter((l) => matches(selection, l.view));
}

function report(
  topic: string,
  action: 'replay' | 'discard',
  options: ActOptions,
  selectedCount: number,
  items: ActionItem[],
  error?: string,
): ActionReport {
  const counts: Partial<Record<ItemOutcome, number>> = {};
  for (const item of items) counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
  return {
    topic,
    action,
    dryRun: options.dryRun ?? false,
    force: options.force ?? false,
    selected: selectedCount,
    items: items.sort((a, b) => comparePositions(a.position, b.position)),
    counts,
    ...(error !== undefined ? { error } : {}),
  };
}

function comparePositions(a: string, b: string): number {
  const [pa, oa] = a.split(':');
  const [pb, ob] = b.split(':');
  return Number(pa) - Number(pb) || (BigInt(oa!) < BigInt(ob!) ? -1 : BigInt(oa!) > BigInt(ob!) ? 1 : 0);
}

/** Sends the selected dead letters back to their original topics; see the module comment for the order. */
export async function replayDeadLetters(
  tool: DeadLetterTool,
  topic: string,
  selection: Selection,
  options: ActOptions,
): Promise<ActionReport> {
  const now = tool.now ?? (() => new Date());
  const work = async (): Promise<ActionReport> => {
    const letters = await selected(tool, topic, selection);
    const items: ActionItem[] = [];
    const toSend: { letter: StoredDeadLetter; resumed: boolean }[] = [];
    const targets = new Set<string>();
    for (const letter of letters) {
      const entry = letter.ledger;
      if (!letter.view.provenance.originalTopic) {
        items.push(
          itemOf(letter, 'skipped', { note: 'no kafka_dlt-original-topic header: nowhere to replay it to' }),
        );
      } else if (entry?.action === 'replayed' && !options.force) {
        items.push(
          itemOf(letter, 'skipped', {
            note: `already replayed ${when(entry)} to ${entry.replayedTo}; --force sends it again`,
          }),
        );
      } else if (entry?.action === 'discarded' && !options.force) {
        items.push(
          itemOf(letter, 'skipped', { note: `discarded ${when(entry)}; --force replays it anyway` }),
        );
      } else {
        toSend.push({ letter, resumed: entry?.action === 'replaying' });
        targets.add(letter.view.provenance.originalTopic);
      }
    }
    if (options.dryRun) {
      for (const { letter, resumed } of toSend) {
        items.push(
          itemOf(
            letter,
            'would-replay',
            resumed ? { note: 'an earlier replay did not finish; completes it' } : {},
          ),
        );
      }
      return report(topic, 'replay', options, letters.length, items);
    }
    if (toSend.length === 0) return report(topic, 'replay', options, letters.length, items);

    // A target topic that does not exist would hold the producer for its whole retry window.
    const admin = tool.kafka.admin();
    await admin.connect();
    let existing: Set<string>;
    try {
      existing = new Set(await admin.listTopics());
    } finally {
      await admin.disconnect();
    }
    const sendable = toSend.filter(({ letter }) => {
      const target = letter.view.provenance.originalTopic!;
      if (existing.has(target)) return true;
      items.push(
        itemOf(letter, 'skipped', { note: `original topic ${target} does not exist on the broker` }),
      );
      return false;
    });
    if (sendable.length > 0 && !tool.producer) throw new Error('replayDeadLetters: no producer given');
    const by = { operator: options.operator, reason: options.reason ?? null, forced: options.force ?? false };
    for (let i = 0; i < sendable.length; i += CHUNK) {
      const chunk = sendable.slice(i, i + CHUNK);
      const subjects = chunk.map(({ letter }) => subjectOf(letter));
      await tool.ledger.replaying(topic, subjects, by);
      const at = now();
      let landed: { topic: string; partition: number; offset: string }[];
      try {
        landed = await tool.producer!.send(
          chunk.map(({ letter }) => replayRecord(letter.record, letter.view.provenance, at)),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        for (const { letter } of sendable.slice(i)) {
          items.push(itemOf(letter, 'failed', { note: 'not acknowledged; run the same replay again' }));
        }
        return report(
          topic,
          'replay',
          options,
          letters.length,
          items,
          `sending to ${[...targets].join(', ')} failed: ${message}. The ledger marks ${subjects.length} record(s) as replaying; running the same replay again completes them.`,
        );
      }
      const sent = chunk.map(({ letter }, j) => ({
        ...subjectOf(letter),
        replayedTo: `${landed[j]!.topic}:${landed[j]!.partition}:${landed[j]!.offset}`,
      }));
      await tool.ledger.replayed(topic, sent, by);
      chunk.forEach(({ letter, resumed }, j) => {
        items.push(
          itemOf(letter, 'replayed', {
            replayedTo: sent[j]!.replayedTo,
            ...(resumed ? { note: 'an earlier replay did not finish; completed' } : {}),
            ...(letter.ledger?.action === 'replayed' || letter.ledger?.action === 'discarded'
              ? { note: `forced (was ${letter.ledger.action} ${when(letter.ledger)})` }
              : {}),
          }),
        );
      });
    }
    return report(topic, 'replay', options, letters.length, items);
  };
  if (options.dryRun) return work();
  await tool.ledger.migrate();
  return tool.ledger.exclusive(topic, work);
}

/** Records the selected dead letters as never to be replayed (unless a replay is --force'd). */
export async function discardDeadLetters(
  tool: DeadLetterTool,
  topic: string,
  selection: Selection,
  options: ActOptions & { readonly reason: string },
): Promise<ActionReport> {
  if (!options.reason || options.reason.trim() === '') {
    throw new UsageError('discard needs --reason "<why these records are never to be replayed>"');
  }
  const work = async (): Promise<ActionReport> => {
    const letters = await selected(tool, topic, selection);
    const items: ActionItem[] = [];
    const toDiscard: StoredDeadLetter[] = [];
    for (const letter of letters) {
      const entry = letter.ledger;
      if (entry?.action === 'discarded' && !options.force) {
        items.push(itemOf(letter, 'skipped', { note: `already discarded ${when(entry)}` }));
      } else if (entry?.action === 'replayed' && !options.force) {
        items.push(
          itemOf(letter, 'skipped', {
            note: `already replayed ${when(entry)} to ${entry.replayedTo}; --force discards it`,
          }),
        );
      } else {
        toDiscard.push(letter);
      }
    }
    if (!options.dryRun) {
      for (let i = 0; i < toDiscard.length; i += CHUNK) {
        await tool.ledger.discarded(topic, toDiscard.slice(i, i + CHUNK).map(subjectOf), {
          operator: options.operator,
          reason: options.reason,
          forced: options.force ?? false,
        });
      }
    }
    for (const letter of toDiscard)
      items.push(itemOf(letter, options.dryRun ? 'would-discard' : 'discarded'));
    return report(topic, 'discard', options, letters.length, items);
  };
  if (options.dryRun) return work();
  await tool.ledger.migrate();
  return tool.ledger.exclusive(topic, work);
}
