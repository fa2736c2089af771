/**
 * The listing cursor of the dw-integration service: the position (a batch's
 * `seq`) signed with an HMAC under a key derived from the service's secret,
 * so a cursor the service did not issue (edited, made up, from another
 * deployment) is refused with 400 instead of paging from an arbitrary place.
 * It survives restarts (same secret) and carries nothing secret itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CURSOR_PATTERN = '^[1-9][0-9]{0,17}\\.[A-Za-z0-9_-]{22}$';

export interface BatchCursor {
  /** The cursor of a page that ended at `seq`. */
  encode(seq: string): string;
  /** The position of a cursor this service issued, or undefined. */
  decode(cursor: string): string | undefined;
}

export function batchCursor(secret: string): BatchCursor {
  const key = createHmac('sha256', secret).update('dw-integration: batch listing cursor v1').digest();
  const signature = (seq: string) => createHmac('sha256', key).update(seq).digest().subarray(0, 16);
  return {
    encode: (seq) => `${seq}.${signature(seq).toString('base64url')}`,
    decode(cursor) {
      const match = /^([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
      if (!match) return undefined;
      const [, seq, mac] = match as unknown as [string, string, string];
      const given = Buffer.from(mac, 'base64url');
      const expected = signature(seq);
      return given.length === expected.length && timingSafeEqual(given, expected) ? seq : undefined;
    },
  };
}
