import type { RetryPolicy } from './catalog.ts';
import { type DocumentScope, intOr, isJson, type Json } from './scope.ts';

/** The retry policy a receive operation gets when its contract names none. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 200,
  multiplier: 2,
  maxIntervalMs: 5000,
};

/** An `x-retry` object → policy, defaults filled in; undefined when absent. Invalid values are reported. */
export async function retryPolicy(
  value: unknown,
  at: readonly (string | number)[],
  scope: DocumentScope,
): Promise<RetryPolicy | undefined> {
  if (value === undefined) return undefined;
  const v = (isJson(value) ? value : {}) as Json;
  const backoff = (isJson(v.backoff) ? v.backoff : {}) as Json;
  let policy: RetryPolicy = {
    maxAttempts: intOr(v.maxAttempts, DEFAULT_RETRY.maxAttempts) ?? DEFAULT_RETRY.maxAttempts,
    initialIntervalMs:
      intOr(backoff.initialIntervalMs, DEFAULT_RETRY.initialIntervalMs) ?? DEFAULT_RETRY.initialIntervalMs,
    multiplier: typeof backoff.multiplier === 'number' ? backoff.multiplier : DEFAULT_RETRY.multiplier,
    maxIntervalMs: intOr(backoff.maxIntervalMs, DEFAULT_RETRY.maxIntervalMs) ?? DEFAULT_RETRY.maxIntervalMs,
  };
  const nonRetryable = v.nonRetryable;
  if (nonRetryable !== undefined) {
    const names = Array.isArray(nonRetryable) ? nonRetryable : [];
    if (
      !Array.isArray(nonRetryable) ||
      !names.every((n): n is string => typeof n === 'string' && /^[A-Za-z_$][\w$.]*$/.test(n))
    ) {
      scope.findings.error(
        'invalid-value',
        await scope.locate([...at, 'nonRetryable']),
        `x-retry nonRetryable ${JSON.stringify(nonRetryable)} is invalid: a list of error class names (e.g. [PermissionRuleViolation])`,
      );
    } else if (names.length > 0) {
      policy = { ...policy, nonRetryable: [...new Set(names as string[])].sort() };
    }
  }
  if (
    policy.maxAttempts < 1 ||
    policy.initialIntervalMs < 0 ||
    policy.multiplier < 1 ||
    policy.maxIntervalMs < policy.initialIntervalMs
  ) {
    scope.findings.error(
      'invalid-value',
      await scope.locate(at),
      `x-retry ${JSON.stringify(value)} is invalid: maxAttempts >= 1, initialIntervalMs >= 0, multiplier >= 1, maxIntervalMs >= initialIntervalMs`,
    );
  }
  return policy;
}
