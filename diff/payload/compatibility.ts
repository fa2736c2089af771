/**
 * Compatibility verdicts with Confluent Schema Registry's modes.
 *
 * Who reads whom, as the registry does it (client/…/SchemaValidatorBuilder.java and
 * CompatibilityChecker.java, json-schema-provider/…/json/JsonSchema.java):
 * `a.isBackwardCompatible(b)` runs `SchemaDiff.compare(original = b, update = a)`,
 * i.e. "can a reader with schema `a` read data written with `b`". The original is the
 * writer's schema, the update the reader's.
 * - BACKWARD (`canReadStrategy`): `candidate.isBackwardCompatible(previous)` —
 *   compare(previous, candidate): consumers on the new schema read old data.
 * - FORWARD (`canBeReadStrategy`): `previous.isBackwardCompatible(candidate)` —
 *   compare(candidate, previous): consumers still on the old schema read new data.
 * - FULL (`mutualReadStrategy`): both.
 * - The plain modes check the latest version only (`validateLatest`); the _TRANSITIVE
 *   ones every earlier version (`validateAll`), newest first. The registry stops at the
 *   first version that fails; this checks them all so a report can show each one.
 * - NONE checks nothing.
 */

import type { CompatibilityMode } from '../../generator/model/catalog.ts';
import { compatibleChanges, type Readers } from './compatible-changes.ts';
import type { Difference } from './differences.ts';
import { type CompareOptions, compareSchemas } from './schema-diff.ts';

// The modes are the contract's vocabulary (`x-compatibility`), so the model owns their names.
export type { CompatibilityMode } from '../../generator/model/catalog.ts';
export { COMPATIBILITY_MODES } from '../../generator/model/evolution.ts';
export { COMPATIBLE_CHANGES_LENIENT, COMPATIBLE_CHANGES_STRICT, type Readers } from './compatible-changes.ts';

/**
 * Which way one check reads: `backward` — the candidate reads data written with the
 * earlier version; `forward` — the earlier version reads data written with the candidate.
 */
export type ReadDirection = 'backward' | 'forward';

/** The policy: strict (the registry's default) or lenient. */
export interface PolicyOptions {
  readonly lenient?: boolean;
  /** `confluent` (default) or `validating` readers: see `Readers`. */
  readonly readers?: Readers;
}

/** True when every difference is in the compatible set of the policy. */
export function isCompatible(differences: readonly Difference[], options: PolicyOptions = {}): boolean {
  return incompatibleDifferences(differences, options).length === 0;
}

/** The differences the policy does not accept. */
export function incompatibleDifferences(
  differences: readonly Difference[],
  options: PolicyOptions = {},
): Difference[] {
  const compatible = compatibleChanges(options.lenient ?? false, options.readers);
  return differences.filter((difference) => !compatible.has(difference.type));
}

/** One comparison of the candidate with one earlier version, in one direction. */
export interface VersionCheck {
  /** The earlier version's index in `history` (0 = oldest). */
  readonly version: number;
  readonly direction: ReadDirection;
  /** Every difference, the writer's schema as original and the reader's as update. */
  readonly differences: readonly Difference[];
  /** The ones the policy does not accept; the check passes when there are none. */
  readonly incompatible: readonly Difference[];
}

/** The outcome of checking a candidate against the history under one mode. */
export interface CompatibilityVerdict {
  readonly mode: CompatibilityMode;
  readonly compatible: boolean;
  /** Newest version first; for FULL modes the backward check comes before the forward one. */
  readonly checks: readonly VersionCheck[];
}

function directionsOf(mode: CompatibilityMode): readonly ReadDirection[] {
  if (mode.startsWith('BACKWARD')) return ['backward'];
  if (mode.startsWith('FORWARD')) return ['forward'];
  if (mode.startsWith('FULL')) return ['backward', 'forward'];
  return [];
}

/**
 * Whether `candidate` may follow `history` (the earlier versions of the schema, oldest
 * first) under `mode`, with what each check found. No history means compatible.
 */
export function checkCompatibility(
  mode: CompatibilityMode,
  history: readonly unknown[],
  candidate: unknown,
  options: CompareOptions = {},
): CompatibilityVerdict {
  const directions = directionsOf(mode);
  const newest = history.length - 1;
  const versions = mode.endsWith('_TRANSITIVE')
    ? history.map((_, i) => newest - i)
    : newest >= 0
      ? [newest]
      : [];
  const checks: VersionCheck[] = [];
  for (const version of versions) {
    const previous = history[version];
    for (const direction of directions) {
      const differences =
        direction === 'backward'
          ? compareSchemas(previous, candidate, options)
          : compareSchemas(candidate, previous, options);
      checks.push({
        version,
        direction,
        differences,
        incompatible: incompatibleDifferences(differences, options),
      });
    }
  }
  return { mode, compatible: checks.every((check) => check.incompatible.length === 0), checks };
}
