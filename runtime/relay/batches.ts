/** Pure helpers of the relay's batch handling: grouping rows by topic and by key. */

export interface RowIdentity {
  readonly id: string;
  readonly topic: string;
  /** Null for an event without a key: it has no order to keep with any other row. */
  readonly key: string | null;
}

/** Groups in order of first appearance; rows keep their order inside a group. */
export function groupRows<T>(rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return [...groups.values()];
}

export const byTopic = <T extends RowIdentity>(rows: readonly T[]): T[][] => groupRows(rows, (r) => r.topic);

/** Rows per key (topic and key); a keyless row is a group of its own. */
export const byKey = <T extends RowIdentity>(rows: readonly T[]): T[][] =>
  groupRows(rows, (r) => (r.key === null ? `\u0001${r.id}` : `${r.topic}\u0000${r.key}`));

/** The earliest row of each key: the one that holds back the rest of its key when it fails. */
export function firstRowPerKey<T extends RowIdentity>(rows: readonly T[]): T[] {
  return byKey(rows).map((group) => group[0]!);
}

/** Splits key groups into two halves (no key in both), for isolating a refused record. */
export function halves<T>(groups: readonly T[][]): [T[], T[]] {
  const middle = Math.ceil(groups.length / 2);
  return [groups.slice(0, middle).flat(), groups.slice(middle).flat()];
}
