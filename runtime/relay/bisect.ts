/**
 * Publishing a claimed batch that Kafka may partly refuse. Pure apart from
 * the `send` it is given: it decides what to send and reads what each send
 * says, and returns what became of every row; the caller writes that down.
 *
 * The batch goes out in one send. If Kafka refuses something in it (too
 * large, invalid, an unknown or forbidden topic), the rest after what Kafka
 * acknowledged is split: per topic, then a topic refused as a whole is set
 * aside (the first row of each of its keys is the refused one), then halves
 * of the keys (no key in both halves), then, within one key, row by row in
 * order up to the refused row. Everything Kafka takes is published; a refused
 * row holds back the later rows of its own key only, so per-key order holds.
 * If Kafka becomes unavailable midway (a retriable failure after the
 * producer's own retry window), the rest of that part is reported unavailable
 * and nothing further is sent.
 */
import { acknowledgedRecords, isRefusedRecordsError } from '../core/kafka-send-error.ts';
import { byKey, byTopic, firstRowPerKey, halves, type RowIdentity } from './batches.ts';

/** Sends rows as one batch, in order; rejects as a `KafkaProducerPort.send` does. */
export type SendRows<T> = (rows: readonly T[]) => Promise<unknown>;

export interface RefusedRows<T> {
  readonly rows: T[];
  readonly error: unknown;
}

export interface BatchOutcome<T> {
  /** Rows Kafka acknowledged, in the order they were sent. */
  readonly published: T[];
  /** Rows Kafka refused, with the error of each refusal: they back off. */
  readonly refused: RefusedRows<T>[];
  /** Topics Kafka refused as a whole (their rows are in `refused` and `held`). */
  readonly refusedTopics: string[];
  /** Kafka was unavailable for these rows; nothing was sent after them. */
  readonly unavailable: RefusedRows<T> | undefined;
  /** Rows not sent because an earlier row of their key was refused, or Kafka became unavailable. */
  readonly held: T[];
}

/** Publishes `rows` through `send`, isolating what Kafka refuses (see the module comment). */
export async function publishBatch<T extends RowIdentity>(
  rows: readonly T[],
  send: SendRows<T>,
): Promise<BatchOutcome<T>> {
  const published: T[] = [];
  const refused: RefusedRows<T>[] = [];
  const refusedTopics: string[] = [];
  let unavailable: RefusedRows<T> | undefined;

  /** Sends a part; on a refusal isolates the rest of it. False once Kafka is unavailable. */
  const attempt = async (part: readonly T[]): Promise<boolean> => {
    try {
      await send(part);
      for (const row of part) published.push(row);
      return true;
    } catch (err) {
      const acknowledged = acknowledgedRecords(err, part.length);
      for (const row of part.slice(0, acknowledged)) published.push(row);
      const rest = part.slice(acknowledged);
      if (rest.length === 0) return true;
      if (!isRefusedRecordsError(err)) {
        unavailable = { rows: rest, error: err };
        return false;
      }
      return isolate(rest, err);
    }
  };

  const isolate = async (part: readonly T[], err: unknown): Promise<boolean> => {
    const topics = byTopic(part);
    if (topics.length > 1) {
      for (const group of topics) if (!(await attempt(group))) return false;
      return true;
    }
    const topic = part[0]!.topic;
    const wholeTopic = (err as { topics?: readonly string[] }).topics ?? [];
    if (wholeTopic.includes(topic)) {
      refused.push({ rows: firstRowPerKey(part), error: err });
      refusedTopics.push(topic);
      return true;
    }
    const keys = byKey(part);
    if (keys.length > 1) {
      for (const half of halves(keys)) if (half.length > 0 && !(await attempt(half))) return false;
      return true;
    }
    // One key: row by row, in order, up to the refused one; the rows after it wait behind it.
    for (const [i, row] of part.entries()) {
      try {
        await send([row]);
        published.push(row);
      } catch (rowErr) {
        if (acknowledgedRecords(rowErr, 1) === 1) {
          published.push(row);
          continue;
        }
        if (!isRefusedRecordsError(rowErr)) {
          unavailable = { rows: part.slice(i), error: rowErr };
          return false;
        }
        refused.push({ rows: [row], error: rowErr });
        return true;
      }
    }
    return true;
  };

  await attempt(rows);
  if (published.length === rows.length) return { published, refused, refusedTopics, unavailable, held: [] };
  const settled = new Set<T>(published);
  for (const r of refused) for (const row of r.rows) settled.add(row);
  if (unavailable) for (const row of unavailable.rows) settled.add(row);
  const held = rows.filter((row) => !settled.has(row));
  return { published, refused, refusedTopics, unavailable, held };
}
