/**
 * Opaque page cursors of the read model's lists: the last key of a page
 * (a user id, a batch id) as base64url. A cursor that does not decode to
 * what this service would have written is refused as a validation error.
 */
import { validationError } from '../shared/errors.ts';

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key inside `cursor`, or a 400 naming `/query/cursor`. */
export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || key.length > 128 || key.includes('\u0000') || encodeCursor(key) !== cursor) {
    throw validationError([{ path: '/query/cursor', message: 'is not a cursor this service returned' }]);
  }
  return key;
}
