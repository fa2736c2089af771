/**
 * Keeps SummaryReporter (and with it the CI skip guard) in every run:
 * `--reporter=…` replaces the reporters vitest.config.ts lists, but this
 * plugin's `configureVitest` hook runs after that and before vitest creates
 * its reporters, so it adds the reporter to whatever list the run ended up with.
 */
import type { Vite, VitestPluginContext } from 'vitest/node';
import SummaryReporter, { isSummaryReporter } from './summary-reporter.ts';

export function summaryReporterPlugin(): Vite.Plugin {
  return {
    name: 'contract-events:summary-reporter',
    // Called once per project, each of which loads the config (and so this module) again:
    // the reporter is recognized by a global symbol, not by its class.
    configureVitest({ vitest }: VitestPluginContext) {
      const reporters = vitest.config.reporters;
      if (!reporters.some(isSummaryReporter)) reporters.push(new SummaryReporter());
    },
  };
}
