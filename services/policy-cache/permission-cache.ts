/**
 * The in-process permission cache of policy-cache and server: users'
 * feature/action sets, answered from memory, kept by PermissionChanged
 * events and filled on a miss from the read-model-worker.
 *
 * Rules (one place for both services):
 * - An event carries the user's complete set and its version; it replaces the
 *   cached entry only when its version is newer (higher). Redeliveries,
 *   replays and older versions arriving late change nothing.
 * - A miss (user not cached) reads the user's set through from the read model
 *   (`PermissionSource`) and caches it with source `read-model`. Concurrent
 *   misses for one user share one fetch. A user the read model does not know
 *   is cached as version 0 with no permissions (every event is newer).
 * - Every entry has a revalidation time: `readThroughTtlMs` after a
 *   read-through (default 30 s), `eventMaxAgeMs` after an event (default
 *   10 min). Past it the entry counts as a miss: the check waits for a fresh
 *   read, which replaces the entry only if its version is at least as new.
 *   The read model unreachable on a miss is an error (the caller answers 503),
 *   never an answer from a stale or empty entry.
 * - A fetch that returns after a newer event arrived loses to that event.
 * - At most `maxEntries` users; the least recently written one is dropped first.
 *
 * Staleness bound of an answer: for an entry kept by events, the event
 * pipeline's lag (outbox commit → relay → Kafka → this consumer, see the
 * latency benchmark); for an entry learned by read-through, at most
 * `readThroughTtlMs` plus the read model's own lag. `eventMaxAgeMs` bounds
 * the case where this instance stops receiving a user's events (several
 * members share the consumer group and the user's partition now belongs to
 * another member): such an entry is re-read at least that often.
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';

export interface FeaturePermission {
  readonly feature: string;
  readonly actions: readonly string[];
}

/** A user's complete permission set at one version (an event's payload, or the read model's row). */
export interface PermissionSet {
  readonly userId: string;
  readonly version: number;
  readonly permissions: readonly FeaturePermission[];
  readonly occurredAt: string;
}

/** Where a missing user's permissions are read from (the read-model-worker). */
export interface PermissionSource {
  /** The user's current set, or undefined when the source does not know the user; throws when it cannot answer. */
  fetch(userId: string): Promise<PermissionSet | undefined>;
}

export type EntrySource = 'event' | 'read-model';

export interface CachedPermissions {
  readonly userId: string;
  /** 0 when the read model did not know the user. */
  readonly version: number;
  readonly source: EntrySource;
  readonly features: ReadonlyMap<string, ReadonlySet<string>>;
  readonly occurredAt: string | null;
  /** Epoch ms after which the entry is read again before it is used. */
  readonly revalidateAt: number;
}

export interface PermissionCheck {
  readonly allowed: boolean;
  readonly version: number;
  readonly source: EntrySource;
}

export interface PermissionCacheOptions {
  readonly source: PermissionSource;
  /** How long an entry learned by read-through is used before it is read again; default 30 s. */
  readonly readThroughTtlMs?: number;
  /** How long an entry kept by events is used before it is read again; default 10 min. */
  readonly eventMaxAgeMs?: number;
  /** Most users held; default 100 000. */
  readonly maxEntries?: number;
  /** Epoch ms; tests move it. */
  readonly now?: () => number;
  /** Registers `permission_cache_*` metrics here when given. */
  readonly registry?: Registry;
}

export const DEFAULT_READ_THROUGH_TTL_MS = 30_000;
export const DEFAULT_EVENT_MAX_AGE_MS = 600_000;
export const DEFAULT_MAX_ENTRIES = 100_000;

function featureMap(permissions: readonly FeaturePermission[]): Map<string, ReadonlySet<string>> {
  return new Map(permissions.map((p) => [p.feature, new Set(p.actions)]));
}

export class PermissionCache {
  readonly #source: PermissionSource;
  readonly #ttlMs: number;
  readonly #eventMaxAgeMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, CachedPermissions>();
  readonly #inflight = new Map<string, Promise<CachedPermissions>>();
  readonly #lookups: Counter<'result'> | undefined;
  readonly #events: Counter<'outcome'> | undefined;

  constructor(options: PermissionCacheOptions) {
    this.#source = options.source;
    this.#ttlMs = options.readThroughTtlMs ?? DEFAULT_READ_THROUGH_TTL_MS;
    this.#eventMaxAgeMs = options.eventMaxAgeMs ?? DEFAULT_EVENT_MAX_AGE_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
    if (options.registry) {
      const registers = [options.registry];
      this.#lookups = new Counter({
        name: 'permission_cache_lookups_total',
        help: 'Permission cache look-ups: hit, miss (read through), or error (the read model could not answer).',
        labelNames: ['result'],
        registers,
      });
      this.#events = new Counter({
        name: 'permission_cache_events_total',
        help: 'PermissionChanged events seen by the cache: applied (newer version) or ignored (not newer).',
        labelNames: ['outcome'],
        registers,
      });
      const entries = this.#entries;
      new Gauge({
        name: 'permission_cache_entries',
        help: 'Users held in the permission cache.',
        registers,
        collect() {
          this.set(entries.size);
        },
      });
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry as held, fresh or not (tests, the benchmark); no read-through. */
  peek(userId: string): CachedPermissions | undefined {
    return this.#entries.get(userId);
  }

  /** A PermissionChanged: replaces the entry when its version is newer. Returns whether it did. */
  applyEvent(event: PermissionSet): boolean {
    const held = this.#entries.get(event.userId);
    if (held && held.version >= event.version) {
      this.#events?.inc({ outcome: 'ignored' });
      return false;
    }
    this.#store({
      userId: event.userId,
      version: event.version,
      source: 'event',
      features: featureMap(event.permissions),
      occurredAt: event.occurredAt,
      revalidateAt: this.#now() + this.#eventMaxAgeMs,
    });
    this.#events?.inc({ outcome: 'applied' });
    return true;
  }

  /** Whether the user may perform `action` on `feature`, from memory, reading the user through on a miss. */
  async check(userId: string, feature: string, action: string): Promise<PermissionCheck> {
    const entry = await this.lookup(userId);
    return {
      allowed: entry.features.get(feature)?.has(action) ?? false,
      version: entry.version,
      source: entry.source,
    };
  }

  /** The user's fresh entry: from memory, or read through (one fetch for all concurrent misses of the user). */
  async lookup(userId: string): Promise<CachedPermissions> {
    const held = this.#entries.get(userId);
    if (held && held.revalidateAt > this.#now()) {
      this.#lookups?.inc({ result: 'hit' });
      return held;
    }
    const pending = this.#inflight.get(userId);
    if (pending) return pending;
    const fetching = this.#readThrough(userId).finally(() => this.#inflight.delete(userId));
    this.#inflight.set(userId, fetching);
    return fetching;
  }

  async #readThrough(userId: string): Promise<CachedPermissions> {
    let found: PermissionSet | undefined;
    try {
      found = await this.#source.fetch(userId);
    } catch (err) {
      this.#lookups?.inc({ result: 'error' });
      throw err;
    }
    this.#lookups?.inc({ result: 'miss' });
    const version = found?.version ?? 0;
    // An event may have arrived while the fetch was out: the newer version wins, the event on a tie.
    const held = this.#entries.get(userId);
    if (held && (held.version > version || (held.version === version && held.source === 'event'))) {
      const renewed = { ...held, revalidateAt: this.#now() + this.#revalidateAfter(held.source) };
      this.#store(renewed);
      return renewed;
    }
    const entry: CachedPermissions = {
      userId,
      version,
      source: 'read-model',
      features: featureMap(found?.permissions ?? []),
      occurredAt: found?.occurredAt ?? null,
      revalidateAt: this.#now() + this.#ttlMs,
    };
    this.#store(entry);
    return entry;
  }

  #revalidateAfter(source: EntrySource): number {
    return source === 'event' ? this.#eventMaxAgeMs : this.#ttlMs;
  }

  #store(entry: CachedPermissions): void {
    this.#entries.delete(entry.userId);
    this.#entries.set(entry.userId, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}
