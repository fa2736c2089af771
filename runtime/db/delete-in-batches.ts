/**
 * Deletes the rows of `table` matching `where` a batch at a time, so no
 * statement holds its locks for long; rows another session has locked are
 * left for the next run (SKIP LOCKED), so several processes may prune at once.
 * `where` uses $1..$n for `params`; the batch size is bound after them.
 * Returns how many rows were deleted.
 */
import type { Pool } from 'pg';

export async function deleteInBatches(
  pool: Pool,
  options: {
    /** Already quoted or schema-relative. */
    readonly table: string;
    readonly where: string;
    readonly params: readonly unknown[];
    readonly batchSize: number;
  },
): Promise<number> {
  const { table, where, params, batchSize } = options;
  const sql = `DELETE FROM ${table}
     WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM ${table} WHERE ${where} LIMIT $${params.length + 1} FOR UPDATE SKIP LOCKED))`;
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(sql, [...params, batchSize]);
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return deleted;
  }
}
