/**
 * The policy service as the source of the bundle schedule at start-up
 * (dw-gateway and server):
 *
 *   GET {POLICY_SERVICE_URL}/bundle-applications?from=<RFC 3339>
 *   Authorization: Bearer <the service's own token, scope platform:read>
 *   → 200 { from, bundles: [{ bundleId, inForce: Application | null, scheduled: Application[] }] }
 *     Application = { applicationId, bundleId, gitHash, effectiveAt, appliedAt, appliedBy, eventId }
 *
 * per bundle the application in force at `from` and every one scheduled
 * later (services/policy/service.ts). Each becomes the PolicyBundleApplied
 * payload its event carried (`occurredAt` = `appliedAt`) and is checked
 * against the contract's payload schema; a body that does not pass is
 * refused like an outage.
 *
 * `rebuildBundleSchedule` asks with from = now until it gets an answer
 * (500 ms doubling to 15 s between attempts), then applies everything to the
 * schedule. Events consumed meanwhile are applied too: the schedule's rules
 * do not depend on the order, so the list and the events merge.
 */
import { policyBundleAppliedEvent } from '../../generated/index.ts';
import type { ServiceToken } from '../policy-cache/service-token.ts';
import { HttpError } from '../shared/errors.ts';
import type { ServiceLogger } from '../shared/logger.ts';
import type { BundleApplication, BundleSchedule } from './bundle-schedule.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response> | Response;

export interface BundleApplicationSource {
  /** Applications with effectiveAt ≥ from, plus each bundle's revision in force at from; throws when unavailable. */
  applicationsFrom(from: Date): Promise<BundleApplication[]>;
}

export function httpPolicyService(options: {
  /** e.g. http://127.0.0.1:3102 */
  readonly baseUrl: string;
  readonly token: ServiceToken;
  /** Default 5 000 ms. */
  readonly timeoutMs?: number;
  readonly fetch?: Fetch;
}): BundleApplicationSource {
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    async applicationsFrom(from) {
      const url = `${base}/bundle-applications?from=${encodeURIComponent(from.toISOString())}`;
      const res = await fetchFn(url, {
        headers: { authorization: `Bearer ${await options.token()}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (!res.ok) throw new Error(`policy service: GET /bundle-applications answered ${res.status}`);
      const body = (await res.json()) as { bundles?: unknown };
      if (!Array.isArray(body?.bundles)) {
        throw new Error('policy service: GET /bundle-applications answered without a bundles array');
      }
      const items: unknown[] = [];
      for (const bundle of body.bundles as { inForce?: unknown; scheduled?: unknown }[]) {
        if (bundle?.inForce) items.push(bundle.inForce);
        if (Array.isArray(bundle?.scheduled)) items.push(...bundle.scheduled);
      }
      return items.map((item, i) => {
        const a = (item ?? {}) as Record<string, unknown>;
        const payload = {
          bundleId: a.bundleId,
          gitHash: a.gitHash,
          effectiveAt: a.effectiveAt,
          occurredAt: a.appliedAt,
        };
        if (!policyBundleAppliedEvent.validatePayload(payload)) {
          const problems = (policyBundleAppliedEvent.validatePayload.errors ?? [])
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
            .join('; ');
          throw new Error(`policy service: application ${i} is not a bundle application: ${problems}`);
        }
        return payload;
      });
    },
  };
}

/**
 * Fills `schedule` from the policy service, retrying until it answers or
 * `signal` aborts (then rejects). Resolves with how many applications it got.
 */
export async function rebuildBundleSchedule(
  schedule: BundleSchedule,
  source: BundleApplicationSource,
  options: { readonly logger: ServiceLogger; readonly signal: AbortSignal; readonly now?: () => number },
): Promise<number> {
  const now = options.now ?? Date.now;
  for (let attempt = 1, delayMs = 500; ; attempt++, delayMs = Math.min(delayMs * 2, 15_000)) {
    options.signal.throwIfAborted();
    try {
      const applications = await source.applicationsFrom(new Date(now()));
      for (const application of applications) schedule.apply(application);
      options.logger.info({ applications: applications.length, attempt }, 'bundle schedule rebuilt');
      return applications.length;
    } catch (err) {
      options.signal.throwIfAborted();
      options.logger.warn({ err, attempt, retryInMs: delayMs }, 'bundle schedule rebuild failed; retrying');
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      options.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** A rebuild running in the background, shaped for `ServiceApp.addConsumer` so `/ready` waits for it. */
export interface BundleRebuild {
  /** Resolves once the schedule holds the policy service's list. */
  readonly ready: Promise<void>;
  /** Whether `ready` has resolved. */
  done(): boolean;
  /** Gives up a rebuild still retrying. */
  stop(): Promise<void>;
}

/** The name under which `/ready` lists the rebuild. */
export const BUNDLE_REBUILD = 'bundle-schedule-rebuild';

export function startBundleRebuild(
  schedule: BundleSchedule,
  source: BundleApplicationSource,
  options: { readonly logger: ServiceLogger; readonly now?: () => number },
): BundleRebuild {
  const abort = new AbortController();
  let finished = false;
  // It fails only when given up at shutdown: then `ready` never settles (the service is not ready).
  const ready = new Promise<void>((resolve) => {
    rebuildBundleSchedule(schedule, source, { ...options, signal: abort.signal }).then(
      () => {
        finished = true;
        resolve();
      },
      () => {},
    );
  });
  return {
    ready,
    done: () => finished,
    stop: async () => abort.abort(),
  };
}

/** 503 for a route that needs the schedule before the start-up rebuild is done. */
export function notRebuiltYet(): HttpError {
  return new HttpError(503, 'unavailable', {
    message: 'the policy bundle schedule is still being rebuilt from the policy service',
  });
}
