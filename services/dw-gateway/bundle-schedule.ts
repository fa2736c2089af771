/**
 * Which revision of each policy bundle is in force, from PolicyBundleApplied
 * events (and the policy service's list at start-up): one module for
 * dw-gateway and server.
 *
 * Per bundle, a schedule of applications sorted by (effectiveAt, occurredAt,
 * gitHash). The revision in force at instant t is the last application with
 * effectiveAt ≤ t; the ones after t are pending. Evaluated when asked, so a
 * future application takes over exactly at its effectiveAt with no timer and
 * no further event. Consequences, whatever the delivery order:
 * - an application arriving late with an earlier effectiveAt never displaces
 *   one with a later effectiveAt once both are past;
 * - two applications with the same effectiveAt: the later occurredAt wins
 *   (a re-application replaces the earlier one); the same three values and
 *   another gitHash, the greater hash, so every instance decides alike;
 * - the very same application again (redelivery, replay, the start-up list
 *   overlapping the events) changes nothing.
 * Applications before the one in force can never be in force again and are
 * dropped. Instants are compared in milliseconds.
 */

/** A bundle application as the contract's PolicyBundleApplied payload carries it. */
export interface BundleApplication {
  readonly bundleId: string;
  readonly gitHash: string;
  readonly effectiveAt: string;
  readonly occurredAt: string;
}

interface Scheduled {
  readonly application: BundleApplication;
  readonly effectiveMs: number;
  readonly occurredMs: number;
}

export type ApplyOutcome = 'scheduled' | 'duplicate' | 'superseded';

export interface BundleView {
  readonly bundleId: string;
  /** The revision in force now, or null when every application of the bundle is still pending. */
  readonly inForce: BundleApplication | null;
  /** Applications that take over later, soonest first. */
  readonly pending: readonly BundleApplication[];
}

function compare(a: Scheduled, b: Scheduled): number {
  return (
    a.effectiveMs - b.effectiveMs ||
    a.occurredMs - b.occurredMs ||
    (a.application.gitHash < b.application.gitHash
      ? -1
      : a.application.gitHash > b.application.gitHash
        ? 1
        : 0)
  );
}

function instant(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new Error(`bundle schedule: ${field} is not a date-time: ${JSON.stringify(value)}`);
  return ms;
}

export class BundleSchedule {
  readonly #bundles = new Map<string, Scheduled[]>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Adds an application to its bundle's schedule (see the module comment for what wins). */
  apply(application: BundleApplication): ApplyOutcome {
    const entry: Scheduled = {
      application: {
        bundleId: application.bundleId,
        gitHash: application.gitHash,
        effectiveAt: application.effectiveAt,
        occurredAt: application.occurredAt,
      },
      effectiveMs: instant(application.effectiveAt, 'effectiveAt'),
      occurredMs: instant(application.occurredAt, 'occurredAt'),
    };
    const schedule = this.#bundles.get(application.bundleId) ?? [];
    let at = schedule.length;
    while (at > 0 && compare(schedule[at - 1]!, entry) > 0) at--;
    if (at > 0 && compare(schedule[at - 1]!, entry) === 0) return 'duplicate';
    schedule.splice(at, 0, entry);
    this.#bundles.set(application.bundleId, schedule);
    this.#prune(schedule, this.#now());
    // Pruned at once when it sorts before the revision already in force.
    return schedule.includes(entry) ? 'scheduled' : 'superseded';
  }

  /** The revision of `bundleId` in force at `at` (epoch ms, default now; not before an earlier call's instant), if any. */
  inForce(bundleId: string, at = this.#now()): BundleApplication | undefined {
    const schedule = this.#bundles.get(bundleId);
    if (!schedule) return undefined;
    const now = at;
    this.#prune(schedule, now);
    const first = schedule[0];
    return first && first.effectiveMs <= now ? first.application : undefined;
  }

  /** Every bundle, sorted by id: the revision in force now and the pending ones. */
  view(): BundleView[] {
    const now = this.#now();
    return [...this.#bundles.keys()].sort().map((bundleId) => {
      const schedule = this.#bundles.get(bundleId)!;
      this.#prune(schedule, now);
      const first = schedule[0];
      const current = first && first.effectiveMs <= now ? first : undefined;
      return {
        bundleId,
        inForce: current?.application ?? null,
        pending: schedule.filter((s) => s !== current).map((s) => s.application),
      };
    });
  }

  /** Drops the applications before the one in force at `now`: they can never be in force again. */
  #prune(schedule: Scheduled[], now: number): void {
    let current = -1;
    for (let i = 0; i < schedule.length && schedule[i]!.effectiveMs <= now; i++) current = i;
    if (current > 0) schedule.splice(0, current);
  }
}
