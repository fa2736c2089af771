import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../contract/definitions.ts';
import { immediateRetrier } from '../core/retrier.ts';
import {
  backoffDelayMs,
  handlerRetryPolicy,
  INFRASTRUCTURE_RETRY,
  InfrastructureFailure,
  whileInfrastructureFails,
} from './retry.ts';

const contractDefault: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 200,
  multiplier: 2,
  maxIntervalMs: 5000,
};

describe('backoffDelayMs', () => {
  const cases: [string, { failed: number; random: number; want: number }][] = [
    ['first failure, no jitter (random 0.5)', { failed: 1, random: 0.5, want: 200 }],
    ['second failure doubles', { failed: 2, random: 0.5, want: 400 }],
    ['fifth failure', { failed: 5, random: 0.5, want: 3200 }],
    ['capped at maxIntervalMs', { failed: 6, random: 0.5, want: 5000 }],
    ['far beyond the cap', { failed: 40, random: 0.5, want: 5000 }],
    ['lowest jitter is -20 %', { failed: 1, random: 0, want: 160 }],
    ['highest jitter is +20 %', { failed: 1, random: 0.999999, want: 240 }],
    ['jitter never exceeds the cap', { failed: 10, random: 0.999999, want: 5000 }],
    ['jitter goes below the cap', { failed: 10, random: 0, want: 4000 }],
  ];
  it.each(cases)('%s', (_name, { failed, random, want }) => {
    expect(backoffDelayMs(contractDefault, failed, () => random)).toBe(want);
  });

  it('grows monotonically without jitter until the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(contractDefault, n, () => 0.5));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});

describe('whileInfrastructureFails', () => {
  const signal = new AbortController().signal;
  const activeScope = () => ({
    active: true,
    isActive() {
      return this.active;
    },
    heartbeat: async () => {},
  });

  it('runs the step again after each infrastructure failure, telling of each', async () => {
    const told: number[] = [];
    let tries = 0;
    const result = await whileInfrastructureFails(
      immediateRetrier(INFRASTRUCTURE_RETRY),
      activeScope(),
      signal,
      async () => {
        tries += 1;
        if (tries < 4) throw new InfrastructureFailure(new Error(`down ${tries}`));
        return 'answered';
      },
      (_error, delayMs) => told.push(delayMs),
    );
    expect(result).toBe('answered');
    expect(told).toEqual([0, 0, 0]);
  });

  it('is interrupted once the scope is no longer active, and lets other errors through', async () => {
    const scope = activeScope();
    let tries = 0;
    const interrupted = await whileInfrastructureFails(
      immediateRetrier(INFRASTRUCTURE_RETRY),
      scope,
      signal,
      async () => {
        tries += 1;
        if (tries === 2) scope.active = false;
        throw new InfrastructureFailure(new Error('down'));
      },
      () => {},
    );
    expect(interrupted).toBe('interrupted');
    expect(tries).toBe(2);
    await expect(
      whileInfrastructureFails(
        immediateRetrier(INFRASTRUCTURE_RETRY),
        activeScope(),
        signal,
        async () => {
          throw new Error('rebalancing');
        },
        () => {},
      ),
    ).rejects.toThrow('rebalancing');
  });
});

describe('handlerRetryPolicy', () => {
  it('is the contract policy for the retrier: attempts in all, the backoff with ±20 % jitter', () => {
    expect(handlerRetryPolicy(contractDefault)).toEqual({
      maxAttempts: 3,
      backoff: { initialMs: 200, multiplier: 2, maxMs: 5000, jitter: 0.2 },
    });
  });
});
