import type { ConsumerMemberState, ConsumerStatus } from '../contract/events.ts';

/** Where a consumer port's member stands, as its adapter tracks it. */
export interface MemberState {
  readonly state: ConsumerMemberState;
  readonly since: number;
  readonly error?: string;
}

/**
 * A member's status for readiness, the same for every adapter: a joined member that has had no
 * contact with the broker (fetch, heartbeat, commit) for a session timeout is `stalled`. Pure.
 */
export function memberStatus(
  member: MemberState,
  lastContactAt: number | undefined,
  sessionTimeoutMs: number,
  now: number = Date.now(),
): ConsumerStatus {
  const { state, since, error } = member;
  const silentSince = lastContactAt ?? since;
  if (state === 'joined' && now - silentSince > sessionTimeoutMs) {
    return { state: 'stalled', since: silentSince, lastContactAt };
  }
  return { state, since, lastContactAt, ...(error !== undefined ? { error } : {}) };
}
