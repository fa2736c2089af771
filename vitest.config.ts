import { configDefaults, defineConfig } from 'vitest/config';
import { summaryReporterPlugin } from './test/support/summary-plugin.ts';

/**
 * Tests that need Kafka, PostgreSQL or Redis: these folders, or a name ending
 * in `.integration.test.ts` anywhere. Everything else runs without infrastructure.
 */
const INTEGRATION = [
  'test/integration/**/*.test.ts',
  'test/e2e/**/*.test.ts',
  'test/fault/**/*.test.ts',
  '**/*.integration.test.ts',
];

/**
 * Two projects, so a run of contract or generator tests does not start Kafka:
 * - unit: no infrastructure;
 * - integration: its globalSetup finds Kafka, PostgreSQL and Redis once per run
 *   (test/support/infrastructure.ts) and fails the run if they are missing.
 *   Vitest runs a project's globalSetup only when that project has files to run.
 * Together they cover test/**, generator/**, runtime/** and diff/** `*.test.ts`.
 */
export default defineConfig({
  // The summary line and the CI skip guard (test/support/summary-reporter.ts), in every run:
  // added to the reporters whatever `--reporter` says.
  plugins: [summaryReporterPlugin()],
  test: {
    // kafkajs on Node 24 warns about negative timer delays on every request; the warning is cosmetic.
    setupFiles: ['infra/cli/quiet-warnings.ts'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/**/*.test.ts',
            'generator/**/*.test.ts',
            'runtime/**/*.test.ts',
            'diff/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, ...INTEGRATION],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          exclude: [...configDefaults.exclude],
          globalSetup: ['test/support/global-setup.ts'],
          // Under KAFKA_CLIENT=platformatic, a file that built kafkajs runtime ports fails.
          setupFiles: ['test/support/client-guard.ts'],
          // Brokers are shared state: one file at a time, and room for a cold broker start or a rebalance.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
