/**
 * The name the chat service puts on MessageSent (the profile cache itself is
 * the kit's, services/shared/profile-cache.ts).
 */
import type pg from 'pg';
import { HttpError } from '../shared/errors.ts';
import { type ProfileSnapshot, resolveProfile, type UserDirectory } from '../shared/profile-cache.ts';

/** MessageSent's `username` holds at most 50 characters. */
const USERNAME_MAX = 50;

/**
 * The sender name MessageSent carries: the cached display name (the user
 * service on a miss), cut to the contract's 50 characters. When the user
 * service cannot answer, `user-<id>`: a message is never refused because the
 * user service is down.
 */
export async function senderName(
  pool: pg.Pool,
  directory: UserDirectory,
  userId: number,
  authorization: string,
): Promise<string> {
  let profile: ProfileSnapshot | undefined;
  try {
    profile = await resolveProfile(pool, directory, userId, authorization);
  } catch (err) {
    if (!(err instanceof HttpError && err.status === 503)) throw err;
  }
  const name = profile?.display_name.trim() || `user-${userId}`;
  return [...name].slice(0, USERNAME_MAX).join('');
}
