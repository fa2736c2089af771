/**
 * Vitest globalSetup of the integration project: finds the infrastructure once
 * per run (see infrastructure.ts) and hands it to every test file through
 * `provide`; tests read it with `useInfrastructure()` from ./context.ts.
 * Throwing here fails the whole run with the reason: nothing is skipped.
 */
import type { TestProject } from 'vitest/node';
import { resolveInfrastructure } from './infrastructure.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const resolved = await resolveInfrastructure({ log: (line) => console.log(`[infra] ${line}`) });
  console.log(`[infra] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('infrastructure', resolved.infrastructure);
  return () => resolved.teardown();
}
