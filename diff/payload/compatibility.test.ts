/** Modes, directions and history: which versions are checked, which way, and what is reported. */
import { describe, expect, it } from 'vitest';
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  checkCompatibility,
  incompatibleDifferences,
  isCompatible,
} from './compatibility.ts';
import { compareSchemas } from './schema-diff.ts';

const withA = (a: Record<string, unknown>, required: boolean) => ({
  type: 'object',
  properties: { id: { type: 'string' }, a },
  required: required ? ['id', 'a'] : ['id'],
});
const closed = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  additionalProperties: false,
});

interface TransitiveCase {
  readonly name: string;
  readonly mode: CompatibilityMode;
  readonly lenient: boolean;
  /** Three versions, oldest first; the third is the candidate. */
  readonly versions: readonly [unknown, unknown, unknown];
  /** The checks that fail under the transitive mode, `version direction TYPE path`. */
  readonly failing: readonly string[];
}

// In each, the candidate is compatible with the latest version but not with the oldest.
const TRANSITIVE_CASES: readonly TransitiveCase[] = [
  {
    name: 'made required through a version with a default, then the default dropped',
    mode: 'BACKWARD_TRANSITIVE',
    lenient: false,
    versions: [
      withA({ type: 'string' }, false),
      withA({ type: 'string', default: '' }, true),
      withA({ type: 'string' }, true),
    ],
    failing: ['0 backward REQUIRED_ATTRIBUTE_ADDED #/required/a'],
  },
  {
    name: 'made optional again after a version with a default',
    mode: 'FORWARD_TRANSITIVE',
    lenient: false,
    versions: [
      withA({ type: 'string' }, true),
      withA({ type: 'string', default: '' }, true),
      withA({ type: 'string' }, false),
    ],
    failing: ['0 forward REQUIRED_ATTRIBUTE_ADDED #/required/a'],
  },
  {
    name: 'both ways: the default trick under FULL',
    mode: 'FULL_TRANSITIVE',
    lenient: false,
    versions: [
      withA({ type: 'string' }, false),
      withA({ type: 'string', default: '' }, true),
      withA({ type: 'string' }, true),
    ],
    failing: ['0 backward REQUIRED_ATTRIBUTE_ADDED #/required/a'],
  },
  {
    name: 'lenient: a property removed from a closed model comes back with another type',
    mode: 'BACKWARD_TRANSITIVE',
    lenient: true,
    versions: [
      closed({ id: { type: 'string' }, a: { type: 'string' } }),
      closed({ id: { type: 'string' } }),
      closed({ id: { type: 'string' }, a: { type: 'integer' } }),
    ],
    failing: ['0 backward TYPE_CHANGED #/properties/a'],
  },
];

const plainMode = (mode: CompatibilityMode) => mode.replace('_TRANSITIVE', '') as CompatibilityMode;

describe('transitive modes over three versions', () => {
  it.each(TRANSITIVE_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const [v1, v2, candidate] = row.versions;
    const options = { lenient: row.lenient };
    const latestOnly = checkCompatibility(plainMode(row.mode), [v1, v2], candidate, options);
    expect(latestOnly.compatible).toBe(true);
    expect(latestOnly.checks.map((check) => check.version)).toEqual(
      row.mode.startsWith('FULL') ? [1, 1] : [1],
    );
    const all = checkCompatibility(row.mode, [v1, v2], candidate, options);
    expect(all.compatible).toBe(false);
    const failing = all.checks.flatMap((check) =>
      check.incompatible.map((d) => `${check.version} ${check.direction} ${d.type} ${d.path}`),
    );
    expect(failing).toEqual(row.failing);
  });
});

describe('checkCompatibility', () => {
  const v1 = { type: 'object', properties: { amount: { type: 'number' } } };
  const v2 = { type: 'object', properties: { amount: { type: 'integer' } } };

  it('BACKWARD: the candidate reads data written with the previous version', () => {
    const verdict = checkCompatibility('BACKWARD', [v1], v2);
    expect(verdict.compatible).toBe(false);
    expect(verdict.checks).toEqual([
      {
        version: 0,
        direction: 'backward',
        differences: compareSchemas(v1, v2),
        incompatible: [{ type: 'TYPE_NARROWED', path: '#/properties/amount' }],
      },
    ]);
  });

  it('FORWARD: the previous version reads data written with the candidate', () => {
    const verdict = checkCompatibility('FORWARD', [v1], v2);
    expect(verdict.compatible).toBe(true);
    expect(verdict.checks).toEqual([
      {
        version: 0,
        direction: 'forward',
        differences: [{ type: 'TYPE_EXTENDED', path: '#/properties/amount' }],
        incompatible: [],
      },
    ]);
  });

  it('FULL checks backward, then forward', () => {
    const verdict = checkCompatibility('FULL', [v1], v2);
    expect(verdict.compatible).toBe(false);
    expect(verdict.checks.map((check) => [check.direction, check.incompatible.length])).toEqual([
      ['backward', 1],
      ['forward', 0],
    ]);
  });

  it('transitive modes check every version, newest first; plain modes only the newest', () => {
    const history = [v1, v1, v1];
    expect(checkCompatibility('BACKWARD_TRANSITIVE', history, v1).checks.map((c) => c.version)).toEqual([
      2, 1, 0,
    ]);
    expect(checkCompatibility('FORWARD', history, v1).checks.map((c) => c.version)).toEqual([2]);
  });

  it.each(COMPATIBILITY_MODES.map((mode) => [mode] as const))('%s with no history is compatible', (mode) => {
    expect(checkCompatibility(mode, [], v2)).toEqual({ mode, compatible: true, checks: [] });
  });

  it('NONE accepts anything and checks nothing', () => {
    expect(checkCompatibility('NONE', [v1], { type: 'string' })).toEqual({
      mode: 'NONE',
      compatible: true,
      checks: [],
    });
  });

  it('passes lenient on to the diff and to the verdict', () => {
    const open = { type: 'object', properties: { id: { type: 'string' } } };
    const wider = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } };
    expect(checkCompatibility('BACKWARD', [open], wider).compatible).toBe(false);
    expect(checkCompatibility('BACKWARD', [open], wider, { lenient: true }).compatible).toBe(true);
  });
});

describe('isCompatible', () => {
  const differences = [
    { type: 'DESCRIPTION_CHANGED', path: '#/' },
    { type: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', path: '#/properties/name' },
  ] as const;

  it('strict refuses what only the lenient set accepts', () => {
    expect(isCompatible(differences)).toBe(false);
    expect(incompatibleDifferences(differences)).toEqual([differences[1]]);
    expect(isCompatible(differences, { lenient: true })).toBe(true);
  });

  it('accepts no differences at all', () => {
    expect(isCompatible([])).toBe(true);
  });
});

describe('validating readers (what the generated consumers are)', () => {
  const plain = { type: 'object', properties: { email: { type: 'string' } } };
  const withFormat = { type: 'object', properties: { email: { type: 'string', format: 'email' } } };
  const optional = { type: 'object', properties: { name: { type: 'string' } } };
  const requiredWithDefault = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', default: 'n/a' } },
  };

  it('compare string formats: added or changed breaks old data, removed does not', () => {
    expect(checkCompatibility('BACKWARD', [plain], withFormat).compatible).toBe(true);
    const added = checkCompatibility('BACKWARD', [plain], withFormat, { readers: 'validating' });
    expect(added.compatible).toBe(false);
    expect(added.checks[0]?.incompatible).toEqual([
      { type: 'FORMAT_ADDED', path: '#/properties/email/format' },
    ]);
    const changed = { type: 'object', properties: { email: { type: 'string', format: 'uri' } } };
    expect(
      checkCompatibility('BACKWARD', [withFormat], changed, { readers: 'validating' }).checks[0]
        ?.incompatible,
    ).toEqual([{ type: 'FORMAT_CHANGED', path: '#/properties/email/format' }]);
    expect(checkCompatibility('BACKWARD', [withFormat], plain, { readers: 'validating' }).compatible).toBe(
      true,
    );
  });

  it('fill in no defaults: a property made required with a default breaks old data', () => {
    expect(checkCompatibility('BACKWARD', [optional], requiredWithDefault).compatible).toBe(true);
    expect(
      checkCompatibility('BACKWARD', [optional], requiredWithDefault, { readers: 'validating' }).compatible,
    ).toBe(false);
  });
});
