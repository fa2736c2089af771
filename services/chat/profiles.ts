/**
 * The chat service's view of users: its `user_profiles` cache, kept by the
 * chat-profile-cache-group consumer (UserProfileUpdated), and the user service
 * as the fallback on a cache miss (a user who never edited a profile has no
 * UserProfileUpdated, and this group does not consume UserRegistered). A miss
 * is looked up with the caller's own token (`GET /users/:id`) and cached.
 */
import type pg from 'pg';
import { HttpError } from '../shared/errors.ts';

export interface ProfileSnapshot {
  readonly user_id: number;
  readonly display_name: string;
  readonly profile_image_url: string | null;
  readonly status_message: string;
  /** When the snapshot was true at the source (RFC 3339). */
  readonly profile_time: string;
}

export interface UserDirectory {
  /** The user's current profile, or undefined when the user does not exist; 503 HttpError when unreachable. */
  lookup(userId: number, authorization: string): Promise<ProfileSnapshot | undefined>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response> | Response;

/** The user service over HTTP (`USER_SERVICE_URL`). */
export function httpUserDirectory(options: { baseUrl: string; fetch?: Fetch }): UserDirectory {
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    async lookup(userId, authorization) {
      let res: Response;
      try {
        res = await fetchFn(`${base}/users/${userId}`, {
          headers: { authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(5_000),
        });
      } catch {
        throw new HttpError(503, 'unavailable', { message: 'user service unreachable' });
      }
      if (res.status === 404) return undefined;
      if (!res.ok)
        throw new HttpError(503, 'unavailable', { message: `user service answered ${res.status}` });
      const body = (await res.json()) as {
        user: {
          id: number;
          display_name: string;
          profile_image_url: string | null;
          status_message: string;
          updated_at: string;
        };
      };
      return {
        user_id: body.user.id,
        display_name: body.user.display_name,
        profile_image_url: body.user.profile_image_url,
        status_message: body.user.status_message,
        profile_time: body.user.updated_at,
      };
    },
  };
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Writes a snapshot unless the cache already holds a newer one; idempotent. */
export async function cacheProfile(db: Queryable, p: ProfileSnapshot): Promise<void> {
  await db.query(
    `INSERT INTO user_profiles (user_id, display_name, profile_image_url, status_message, profile_time)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id) DO UPDATE SET
       display_name = EXCLUDED.display_name,
       profile_image_url = EXCLUDED.profile_image_url,
       status_message = EXCLUDED.status_message,
       profile_time = EXCLUDED.profile_time,
       cached_at = now()
     WHERE user_profiles.profile_time <= EXCLUDED.profile_time`,
    [p.user_id, p.display_name, p.profile_image_url, p.status_message, p.profile_time],
  );
}

export async function cachedProfiles(
  db: Queryable,
  userIds: readonly number[],
): Promise<Map<number, ProfileSnapshot>> {
  const { rows } = await db.query<{
    user_id: string;
    display_name: string;
    profile_image_url: string | null;
    status_message: string;
    profile_time: Date;
  }>(
    `SELECT user_id, display_name, profile_image_url, status_message, profile_time
       FROM user_profiles WHERE user_id = ANY($1::bigint[])`,
    [userIds],
  );
  return new Map(
    rows.map((r) => [
      Number(r.user_id),
      { ...r, user_id: Number(r.user_id), profile_time: r.profile_time.toISOString() },
    ]),
  );
}

/** The cache, else the user service (caching what it answers); undefined when the user does not exist. */
export async function resolveProfile(
  pool: pg.Pool,
  directory: UserDirectory,
  userId: number,
  authorization: string,
): Promise<ProfileSnapshot | undefined> {
  const cached = (await cachedProfiles(pool, [userId])).get(userId);
  if (cached) return cached;
  const found = await directory.lookup(userId, authorization);
  if (found) await cacheProfile(pool, found);
  return found;
}

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
