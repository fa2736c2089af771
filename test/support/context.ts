/** Typed access, inside a test, to the infrastructure the globalSetup resolved. */
import { inject } from 'vitest';
import type { Infrastructure } from './infrastructure.ts';

export type { Infrastructure } from './infrastructure.ts';

export function useInfrastructure(): Infrastructure {
  const infrastructure = inject('infrastructure');
  if (!infrastructure) {
    throw new Error(
      'No test infrastructure was provided. Tests that need Kafka, PostgreSQL or Redis belong to the ' +
        '"integration" vitest project (test/integration, test/e2e, test/fault, or a name ending in .integration.test.ts), whose globalSetup ' +
        'is test/support/global-setup.ts.',
    );
  }
  return infrastructure;
}
