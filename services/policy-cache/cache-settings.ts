/**
 * The permission cache's settings from the environment, for policy-cache and
 * server alike: `PERMISSION_CACHE_TTL_MS` (read-through entries, default
 * 30 000), `PERMISSION_CACHE_EVENT_MAX_AGE_MS` (event entries, default
 * 600 000), `PERMISSION_CACHE_MAX_ENTRIES` (default 100 000), and
 * `READ_MODEL_URL` (default http://127.0.0.1:3105).
 */
import {
  DEFAULT_EVENT_MAX_AGE_MS,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_READ_THROUGH_TTL_MS,
} from './permission-cache.ts';

export interface PermissionCacheSettings {
  readonly readModelUrl: string;
  readonly readThroughTtlMs: number;
  readonly eventMaxAgeMs: number;
  readonly maxEntries: number;
}

/** A positive integer from the environment, or the fallback; anything else throws naming the variable. */
export function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function permissionCacheSettingsFromEnv(env: NodeJS.ProcessEnv): PermissionCacheSettings {
  return {
    readModelUrl: env.READ_MODEL_URL || 'http://127.0.0.1:3105',
    readThroughTtlMs: positiveIntFromEnv(env, 'PERMISSION_CACHE_TTL_MS', DEFAULT_READ_THROUGH_TTL_MS),
    eventMaxAgeMs: positiveIntFromEnv(env, 'PERMISSION_CACHE_EVENT_MAX_AGE_MS', DEFAULT_EVENT_MAX_AGE_MS),
    maxEntries: positiveIntFromEnv(env, 'PERMISSION_CACHE_MAX_ENTRIES', DEFAULT_MAX_ENTRIES),
  };
}
