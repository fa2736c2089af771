/**
 * Which dead-letter records a replay or discard acts on: an offset range of one partition, one
 * event id, every record of a reason or a consumer group (these combine), or `--all`.
 */
import type { PartitionExtent, PartitionRange } from '../kafka/kafkajs-range-reader.ts';
import { UsageError } from './errors.ts';
import type { DeadLetterView } from './view.ts';

export interface Selection {
  readonly partition?: number;
  /** Inclusive. */
  readonly from?: bigint;
  /** Inclusive. */
  readonly to?: bigint;
  readonly eventId?: string;
  /** A `kafka_dlt-reason`, or `none` for dead letters without one (written by Spring). */
  readonly reason?: string;
  readonly group?: string;
  readonly all?: boolean;
}

export interface SelectionInput {
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
  readonly eventId?: string;
  readonly reason?: string;
  readonly group?: string;
  readonly all?: boolean;
}

function integer(name: string, raw: string): bigint {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name} must be a non-negative integer, got "${raw}"`);
  return BigInt(raw.trim());
}

/** Checks the options of a replay or discard; `UsageError` says what is wrong. */
export function parseSelection(input: SelectionInput): Selection {
  const narrowing =
    input.partition !== undefined ||
    input.eventId !== undefined ||
    input.reason !== undefined ||
    input.group !== undefined;
  if ((input.from !== undefined || input.to !== undefined) && input.partition === undefined) {
    throw new UsageError('--from and --to are offsets of one partition: give --partition too');
  }
  if (input.all && narrowing) {
    throw new UsageError('--all selects every record: give it alone, or a selection without it');
  }
  if (!input.all && !narrowing) {
    throw new UsageError(
      'say which records: --partition p [--from o] [--to o], --event-id id, --reason r, --group g, or --all',
    );
  }
  const partition =
    input.partition === undefined ? undefined : Number(integer('--partition', input.partition));
  const from = input.from === undefined ? undefined : integer('--from', input.from);
  const to = input.to === undefined ? undefined : integer('--to', input.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`bad offset range: --from ${from} is after --to ${to}`);
  }
  return {
    ...(partition !== undefined ? { partition } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(input.eventId !== undefined ? { eventId: input.eventId } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.group !== undefined ? { group: input.group } : {}),
    ...(input.all ? { all: true } : {}),
  };
}

/** `partition:offset` as `show` takes it. */
export function parsePosition(raw: string): { partition: number; offset: bigint } {
  const match = /^(\d+):(\d+)$/.exec(raw.trim());
  if (!match) throw new UsageError(`a record is named partition:offset (e.g. 0:42), got "${raw}"`);
  return { partition: Number(match[1]), offset: BigInt(match[2]!) };
}

/** The offset ranges to read for a selection, checked against the topic's partitions. */
export function rangesFor(
  topic: string,
  selection: Selection,
  extents: readonly PartitionExtent[],
): PartitionRange[] | undefined {
  if (selection.partition === undefined) return undefined;
  const extent = extents.find((e) => e.partition === selection.partition);
  if (!extent) {
    throw new UsageError(
      `${topic} has no partition ${selection.partition} (partitions 0–${extents.length - 1})`,
    );
  }
  const describe = `partition ${extent.partition} of ${topic} holds offsets ${extent.low}–${extent.high - 1n}`;
  if (selection.from !== undefined && selection.from >= extent.high) {
    throw new UsageError(
      extent.high > extent.low
        ? `bad offset range: --from ${selection.from} is past the end (${describe})`
        : `bad offset range: partition ${extent.partition} of ${topic} is empty`,
    );
  }
  if (selection.to !== undefined && selection.to < extent.low) {
    throw new UsageError(
      `bad offset range: --to ${selection.to} is before the oldest retained record (${describe})`,
    );
  }
  return [
    {
      partition: extent.partition,
      ...(selection.from !== undefined ? { from: selection.from } : {}),
      ...(selection.to !== undefined ? { to: selection.to } : {}),
    },
  ];
}

/** Whether a record read for the selection's ranges matches its other criteria. */
export function matches(selection: Selection, view: DeadLetterView): boolean {
  if (selection.eventId !== undefined && view.eventId !== selection.eventId) return false;
  if (selection.reason !== undefined) {
    const reason = view.provenance.reason;
    if (selection.reason === 'none' ? reason !== undefined : reason !== selection.reason) return false;
  }
  if (selection.group !== undefined && view.provenance.originalConsumerGroup !== selection.group)
    return false;
  return true;
}
