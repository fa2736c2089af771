import { describe, expect, it } from 'vitest';
import { memberStatus } from './member-status.ts';

describe('memberStatus', () => {
  it('reports a joined member without broker contact for a session timeout as stalled, from its last contact', () => {
    expect(memberStatus({ state: 'joined', since: 1_000 }, 5_000, 10_000, 15_001)).toEqual({
      state: 'stalled',
      since: 5_000,
      lastContactAt: 5_000,
    });
    expect(memberStatus({ state: 'joined', since: 1_000 }, 5_000, 10_000, 15_000).state).toBe('joined');
    // Never in contact: silent since it joined.
    expect(memberStatus({ state: 'joined', since: 1_000 }, undefined, 10_000, 11_001).state).toBe('stalled');
  });

  it('keeps every other state as it is, with its error', () => {
    expect(memberStatus({ state: 'failed', since: 1_000, error: 'boom' }, undefined, 10_000, 99_000)).toEqual(
      {
        state: 'failed',
        since: 1_000,
        lastContactAt: undefined,
        error: 'boom',
      },
    );
    expect(memberStatus({ state: 'rebalancing', since: 1_000 }, 2_000, 10_000, 99_000).state).toBe(
      'rebalancing',
    );
  });
});
