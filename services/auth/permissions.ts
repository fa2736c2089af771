/**
 * A user's permission set as the auth service computes it: features, each
 * with the set of actions allowed on it. Changes (grant, revoke, replace) are
 * pure functions from the current set to the next one; the service stores
 * the difference and publishes the whole next set (PermissionChanged is a
 * snapshot), sorted so equal sets are equal JSON.
 */
import type { FieldError } from '../shared/errors.ts';

/** At most this many features per user, and this many actions per feature (400 beyond, nothing written). */
export const MAX_FEATURES = 200;
export const MAX_ACTIONS_PER_FEATURE = 20;

/** A feature and the actions allowed on it, as PermissionChanged and the JSON API carry it. */
export interface FeaturePermission {
  feature: string;
  actions: string[];
}

/** feature → actions. */
export type PermissionSet = ReadonlyMap<string, ReadonlySet<string>>;

export type PermissionChange =
  | { readonly kind: 'grant'; readonly feature: string; readonly actions: readonly string[] }
  /** No `actions`: the whole feature. */
  | { readonly kind: 'revoke'; readonly feature: string; readonly actions?: readonly string[] | undefined }
  | { readonly kind: 'replace'; readonly permissions: readonly FeaturePermission[] };

/** Feature keys and actions are lower-case ASCII (contract patterns), so code-unit order is the byte order. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The set from rows of (feature, action). */
export function setFromRows(rows: readonly { feature: string; action: string }[]): PermissionSet {
  const set = new Map<string, Set<string>>();
  for (const { feature, action } of rows) {
    const actions = set.get(feature) ?? new Set<string>();
    actions.add(action);
    set.set(feature, actions);
  }
  return set;
}

/** The set as the event and the API carry it: features by name, each one's actions by name. */
export function sortedPermissions(set: PermissionSet): FeaturePermission[] {
  return [...set.keys()].sort(byName).map((feature) => ({
    feature,
    actions: [...(set.get(feature) ?? [])].sort(byName),
  }));
}

/** The set after `change`. Features left without actions disappear. */
export function applyChange(current: PermissionSet, change: PermissionChange): PermissionSet {
  if (change.kind === 'replace') {
    return new Map(change.permissions.map((p) => [p.feature, new Set(p.actions)]));
  }
  const next = new Map<string, ReadonlySet<string>>(current);
  const held = current.get(change.feature) ?? new Set<string>();
  if (change.kind === 'grant') {
    next.set(change.feature, new Set([...held, ...change.actions]));
  } else if (change.actions === undefined) {
    next.delete(change.feature);
  } else {
    const revoked = new Set(change.actions);
    const left = new Set([...held].filter((a) => !revoked.has(a)));
    if (left.size === 0) next.delete(change.feature);
    else next.set(change.feature, left);
  }
  return next;
}

/** The (feature, action) pairs in `a` but not in `b`. */
export function pairsMissingFrom(a: PermissionSet, b: PermissionSet): { feature: string; action: string }[] {
  const out: { feature: string; action: string }[] = [];
  for (const [feature, actions] of a) {
    const other = b.get(feature);
    for (const action of actions) if (!other?.has(action)) out.push({ feature, action });
  }
  return out;
}

export function sameSet(a: PermissionSet, b: PermissionSet): boolean {
  return a.size === b.size && pairsMissingFrom(a, b).length === 0 && pairsMissingFrom(b, a).length === 0;
}

/**
 * Where `next` breaks a limit, as field errors of the request that produced
 * it (`/body/feature` for a grant, `/body/actions` for too many actions).
 */
export function limitErrors(next: PermissionSet, change: PermissionChange): FieldError[] {
  const errors: FieldError[] = [];
  if (next.size > MAX_FEATURES) {
    errors.push({
      path: change.kind === 'replace' ? '/body/permissions' : '/body/feature',
      message: `a user may hold at most ${MAX_FEATURES} features; this change would make ${next.size}`,
    });
  }
  if (change.kind === 'grant') {
    const count = next.get(change.feature)?.size ?? 0;
    if (count > MAX_ACTIONS_PER_FEATURE) {
      errors.push({
        path: '/body/actions',
        message: `a feature may have at most ${MAX_ACTIONS_PER_FEATURE} actions; ${change.feature} would have ${count}`,
      });
    }
  }
  return errors;
}

/** Duplicate features of a replacement, as field errors (JSON Schema cannot say "unique by feature"). */
export function duplicateFeatureErrors(permissions: readonly FeaturePermission[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  permissions.forEach((p, i) => {
    if (seen.has(p.feature)) {
      errors.push({
        path: `/body/permissions/${i}/feature`,
        message: `feature ${p.feature} is listed twice`,
      });
    }
    seen.add(p.feature);
  });
  return errors;
}
