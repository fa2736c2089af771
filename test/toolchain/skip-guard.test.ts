/**
 * The CI skip guard (test/support/summary-reporter.ts, kept in every run by
 * test/support/summary-plugin.ts): under CI=true a selected test that did not
 * run fails the run, whatever `--reporter` says; a test a filter left out
 * (`-t`, `file:line`) does not. Each case runs vitest as a child process on the
 * fixture files of test/fixtures/skip-guard with the project's own plugins and
 * reporters.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join('test', 'fixtures', 'skip-guard');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

interface Run {
  readonly code: number;
  readonly output: string;
}

/** `vitest run` on the fixtures, with a clean environment (nothing of this run's VITEST_* variables). */
function runFixtures(args: readonly string[], ci: boolean): Promise<Run> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
  if (ci) env.CI = 'true';
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [vitest, 'run', '--config', path.join(fixtures, 'vitest.config.ts'), ...args],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : Number.NaN) : 0;
        if (Number.isNaN(code)) reject(error);
        else resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

const failsOnSkip = (run: Run, name: string) => {
  expect(run.code, run.output).toBe(1);
  expect(run.output).toContain('CI: 1 test(s) were skipped, which counts as failure here');
  expect(run.output).toContain(name);
};

describe('the CI skip guard', { timeout: 120_000 }, () => {
  it('fails a run under CI=true in which a test is skipped with .skip', async () => {
    const run = await runFixtures(['skipped'], true);
    failsOnSkip(run, 'is skipped');
    expect(run.output).toContain('1 passed, 0 failed, 1 skipped');
  });

  it('still fails it with --reporter=dot, which replaces the configured reporters', async () => {
    failsOnSkip(await runFixtures(['--reporter=dot', 'skipped'], true), 'is skipped');
  });

  it('fails on skipIf, ctx.skip() and todo too', async () => {
    failsOnSkip(await runFixtures(['skip-if'], true), 'skips itself when the broker is missing');
    failsOnSkip(await runFixtures(['ctx-skip'], true), 'skips itself at run time');
    failsOnSkip(await runFixtures(['todo'], true), 'is not written yet');
  });

  it('passes a run whose -t or file:line filter leaves tests out', async () => {
    const named = await runFixtures(['plain', '-t', 'alpha'], true);
    expect(named.code, named.output).toBe(0);
    expect(named.output).toContain('1 passed, 0 failed, 0 skipped (1 left out by filters)');
    const line = await runFixtures([`${path.join(fixtures, 'skipped.fixture.ts')}:3`], true);
    expect(line.code, line.output).toBe(0);
    expect(line.output).toContain('1 passed, 0 failed, 0 skipped (1 left out by filters)');
  });

  it('fails a filtered run when the test the filter selects is skipped', async () => {
    failsOnSkip(await runFixtures(['skipped', '-t', 'is skipped'], true), 'is skipped');
  });

  it('only reports skips outside CI', async () => {
    const run = await runFixtures(['skipped'], false);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('1 passed, 0 failed, 1 skipped');
  });
});
