/**
 * A service's view of users, for services that show names and pictures of
 * the chat product's users (friend, chat): a `user_profiles` cache kept by the
 * service's own profile-cache consumer group (UserProfileUpdated), and the
 * user service as the fallback on a cache miss (a user who never edited a
 * profile has no UserProfileUpdated, and those groups do not consume
 * UserRegistered). A miss is looked up with the caller's own token
 * (`GET /users/:id`) and cached; a user the user service does not know is
 * undefined, the user service unreachable a 503 HttpError.
 *
 * The service's migrations create the table:
 * `user_profiles (user_id bigint PRIMARY KEY, display_name text, profile_image_url text,
 *  status_message text, profile_time timestamptz, cached_at timestamptz DEFAULT now())`.
 * Writes never replace a newer snapshot (`profile_time`), so the consumer, the
 * fallback and redeliveries can race in any order.
 */
import type pg from 'pg';
import { HttpError } from './errors.ts';

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

/** One user from the cache (`cachedProfiles` for several). */
export async function cachedProfile(db: Queryable, userId: number): Promise<ProfileSnapshot | undefined> {
  return (await cachedProfiles(db, [userId])).get(userId);
}
