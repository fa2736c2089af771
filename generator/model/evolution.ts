/**
 * How a contract says its events may evolve, for `npm run contracts:diff`:
 * - `x-compatibility` on a message or channel: the payload compatibility mode
 *   (Confluent Schema Registry's names; BACKWARD when absent);
 * - `x-breaking-changes` on a message or channel: reviewed overrides, each a
 *   `{ rule, reason }`, that let a breaking change of that rule pass the gate.
 *   An override applies to the change that adds it: one already present at the
 *   base revision is reported as stale, not applied again.
 */
import type { SourceLocation } from '../parse/locate.ts';
import type { BreakingChangeOverride, CompatibilityMode } from './catalog.ts';
import { type DocumentScope, isJson, type Segments, str } from './scope.ts';

export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

export interface Evolution {
  readonly compatibility?: CompatibilityMode;
  readonly breakingChanges?: readonly BreakingChangeOverride[];
}

/** Reads `x-compatibility` and `x-breaking-changes` of the object at `at`; malformed values are errors. */
export async function evolutionOf(
  node: Record<string, unknown>,
  at: Segments,
  scope: DocumentScope,
): Promise<Evolution> {
  const out: { compatibility?: CompatibilityMode; breakingChanges?: BreakingChangeOverride[] } = {};
  const mode = node['x-compatibility'];
  if (mode !== undefined) {
    if (typeof mode === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(mode)) {
      out.compatibility = mode as CompatibilityMode;
    } else {
      scope.findings.error(
        'invalid-value',
        await scope.locate([...at, 'x-compatibility']),
        `x-compatibility must be one of ${COMPATIBILITY_MODES.join(', ')}, not ${JSON.stringify(mode)}`,
      );
    }
  }
  const overrides = node['x-breaking-changes'];
  if (overrides !== undefined) {
    const list = Array.isArray(overrides) ? overrides : [];
    if (!Array.isArray(overrides)) {
      scope.findings.error(
        'invalid-value',
        await scope.locate([...at, 'x-breaking-changes']),
        'x-breaking-changes must be a list of { rule, reason }',
      );
    }
    const read: BreakingChangeOverride[] = [];
    for (const [i, entry] of list.entries()) {
      const where: SourceLocation = await scope.locate([...at, 'x-breaking-changes', i]);
      const rule = isJson(entry) ? str(entry.rule) : undefined;
      const reason = isJson(entry) ? str(entry.reason) : undefined;
      if (rule === undefined || reason === undefined || reason.trim().length < 10) {
        scope.findings.error(
          'invalid-value',
          where,
          'each x-breaking-changes entry needs a rule id and a reason of at least 10 characters saying why the break is acceptable',
        );
        continue;
      }
      read.push({ rule, reason: reason.trim(), location: where });
    }
    out.breakingChanges = read;
  }
  return out;
}
