/**
 * Ends every run with one plain line, `N passed, N failed, N skipped` (and how
 * many tests a filter left out), and under CI=true turns a skipped test into a
 * failed run: a test that skips itself because Kafka or PostgreSQL is missing
 * must never pass as green.
 *
 * Skipped means the test was selected and did not run: `.skip`, `.todo`,
 * `skipIf(true)`, `ctx.skip()`, or `.only` on another test. Tests a filter of
 * the run left out (`-t`/`--testNamePattern`, `file:line`, test ids, a tags
 * filter) are not skipped, they were never asked for: vitest marks both kinds
 * `skip`, so the reporter tells them apart by the filters themselves.
 *
 * vitest replaces the configured reporters with those given by `--reporter`;
 * `summaryReporterPlugin` (test/support/summary-plugin.ts, in vitest.config.ts)
 * adds this one to whatever reporters a run ends up with.
 */
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node';

export type SkipKind = 'ran' | 'skipped' | 'filtered';

/** The name vitest's runner matches `-t` against: suite names and the test name, joined by spaces. */
export function runnerFullName(test: TestCase): string {
  const names = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name);
  return names.join(' ');
}

/** Lines of the test and its suites: a `file:line` filter selects a test through any of them. */
function lines(test: TestCase): number[] {
  const found: number[] = [];
  if (test.location) found.push(test.location.line);
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) {
    if (parent.location) found.push(parent.location.line);
  }
  return found;
}

export interface RunFilters {
  readonly namePattern?: RegExp | undefined;
  readonly testLines?: readonly number[] | undefined;
  readonly testIds?: readonly string[] | undefined;
  readonly tagsFilter?: readonly string[] | undefined;
}

/** Whether a test ran, was skipped although selected, or was left out by a filter of the run. */
export function classify(test: TestCase, filters: RunFilters): SkipKind {
  const state = test.result().state;
  if (state === 'passed' || state === 'failed') return 'ran';
  if (filters.namePattern && !filters.namePattern.test(runnerFullName(test))) return 'filtered';
  if (filters.testLines?.length && !lines(test).some((l) => filters.testLines!.includes(l)))
    return 'filtered';
  if (filters.testIds?.length && !filters.testIds.includes(test.id)) return 'filtered';
  // A tags expression is not evaluated here: a skipped test under one counts as filtered.
  if (filters.tagsFilter?.length) return 'filtered';
  return 'skipped';
}

const MARK = Symbol.for('contract-events.summary-reporter');

/** Whether a configured reporter is a SummaryReporter, from whichever copy of this module. */
export function isSummaryReporter(reporter: unknown): boolean {
  return typeof reporter === 'object' && reporter !== null && MARK in reporter;
}

export default class SummaryReporter implements Reporter {
  readonly [MARK] = true;
  #vitest: Vitest | undefined;
  readonly #specifications = new Map<string, TestSpecification>();

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.#specifications.clear();
    for (const spec of specifications)
      this.#specifications.set(`${spec.project.name}\0${spec.moduleId}`, spec);
  }

  #filters(module: TestModule): RunFilters {
    const spec = this.#specifications.get(`${module.project.name}\0${module.moduleId}`);
    return {
      namePattern:
        spec?.testNamePattern ??
        this.#vitest?.getGlobalTestNamePattern() ??
        module.project.config.testNamePattern,
      testLines: spec?.testLines,
      testIds: spec?.testIds,
      tagsFilter: spec?.testTagsFilter,
    };
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let filtered = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      const filters = this.#filters(module);
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (classify(test, filters) === 'filtered') filtered++;
        else skipped.push(`${module.moduleId}: ${test.fullName}`);
      }
    }
    if (process.env.CI && skipped.length > 0) {
      console.error(
        `\nCI: ${skipped.length} test(s) were skipped, which counts as failure here:\n  ${skipped.join('\n  ')}`,
      );
      process.exitCode = 1;
    }
    console.log(
      `\n${passed} passed, ${failed} failed, ${skipped.length} skipped${filtered > 0 ? ` (${filtered} left out by filters)` : ''}`,
    );
  }
}
