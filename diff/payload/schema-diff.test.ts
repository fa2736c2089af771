/** The payload table: each before/after pair gives its differences and its verdicts per mode. */
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from './compatibility.ts';
import type { ModeVerdicts } from './fixtures/payload-case.ts';
import { PAYLOAD_CASES } from './fixtures/payload-cases.ts';
import { compareSchemas } from './schema-diff.ts';

function verdicts(before: unknown, after: unknown, lenient: boolean): ModeVerdicts {
  return {
    backward: checkCompatibility('BACKWARD', [before], after, { lenient }).compatible,
    forward: checkCompatibility('FORWARD', [before], after, { lenient }).compatible,
    full: checkCompatibility('FULL', [before], after, { lenient }).compatible,
  };
}

describe('payload schema pairs', () => {
  it.each(PAYLOAD_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const differences = compareSchemas(row.before, row.after).map((d) => `${d.type} ${d.path}`);
    expect(differences.sort()).toEqual(row.expect.differences);
    const { backward, forward, full } = row.expect;
    expect(verdicts(row.before, row.after, false)).toEqual({ backward, forward, full });
    expect(verdicts(row.before, row.after, true)).toEqual(row.expect.lenient ?? { backward, forward, full });
  });
});
