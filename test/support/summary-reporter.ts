/**
 * Ends every run with one plain line, `N passed, N failed, N skipped`, and
 * under CI=true turns a skipped test into a failed run: a test that skips
 * itself because Kafka or PostgreSQL is missing must never pass as green.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const skippedNames: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          skippedNames.push(`${module.moduleId}: ${test.fullName}`);
        }
      }
    }
    if (process.env.CI && skipped > 0) {
      console.error(
        `\nCI: ${skipped} test(s) were skipped, which counts as failure here:\n  ${skippedNames.join('\n  ')}`,
      );
      process.exitCode = 1;
    }
    console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
