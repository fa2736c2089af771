/**
 * Every public document of test/fixtures/public generates in lenient mode
 * (warnings, never errors), and the SDKs compile under this project's strict
 * compiler settings; the documents refused on purpose are refused with the
 * diagnostic that says why. The same SDKs are exercised on the broker by
 * test/integration/public-corpus.test.ts.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractError } from '../../generator/diagnostics.ts';
import {
  corpusSlugs,
  generateCorpusSdk,
  generatedSlugs,
  REFUSED,
  repoRoot,
} from '../support/public-corpus.ts';

const outRoot = path.join(repoRoot, '.cache', 'public-corpus-unit');
afterAll(() => rm(outRoot, { recursive: true, force: true }));

it('holds at least 12 documents that generate, from several sources, 2.x and 3.x', () => {
  const slugs = generatedSlugs();
  expect(slugs.length).toBeGreaterThanOrEqual(12);
  expect(slugs.some((s) => s.endsWith('-2.0') || s.endsWith('-2.6') || s.endsWith('-2.3'))).toBe(true);
  expect(new Set(slugs.map((s) => s.split('-')[0])).size).toBeGreaterThanOrEqual(5);
});

describe.each(corpusSlugs())('%s', (slug) => {
  const refused = REFUSED[slug];
  if (refused) {
    it(`is refused: ${refused.includes}`, async () => {
      const error = await generateCorpusSdk(slug, outRoot).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ContractError);
      const found = (error as ContractError).diagnostics.filter(
        (d) => d.severity === 'error' && d.code === refused.code && d.message.includes(refused.includes),
      );
      expect(found, JSON.stringify((error as ContractError).diagnostics, null, 1)).not.toEqual([]);
    });
    return;
  }
  it('generates in lenient mode with warnings only', async () => {
    const result = await generateCorpusSdk(slug, outRoot).catch((e: unknown) => {
      if (e instanceof ContractError) throw new Error(e.message);
      throw e;
    });
    expect(result.mode).toBe('lenient');
    expect(result.catalog.events.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });
});

it('the generated SDKs compile under strict', { timeout: 180_000 }, async () => {
  for (const slug of generatedSlugs()) await generateCorpusSdk(slug, outRoot);
  const tsconfig = path.join(outRoot, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({ extends: '../../tsconfig.json', include: ['./**/*.ts'], exclude: [] }),
  );
  const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
  const run = await promisify(execFile)(tsc, ['-p', tsconfig], { cwd: repoRoot }).then(
    () => ({ ok: true, output: '' }),
    (e: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
  expect(run.output).toBe('');
  expect(run.ok).toBe(true);
});
