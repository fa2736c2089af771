/**
 * Spectral checks every ruleset it is given against its own ruleset schema,
 * compiling that schema with ajv (and ajv-errors) first: about 75 ms in every
 * process. The only ruleset the generator hands it is the AsyncAPI parser's
 * built-in one, a constant of an installed package, so that self-check can be
 * skipped while the parser is built. Anything unexpected (another Spectral
 * layout) keeps Spectral's own behaviour.
 */
import { createRequire } from 'node:module';

interface Assertions {
  assertValidRuleset: (...args: unknown[]) => void;
}

/** Runs `build` (which constructs the parser) with Spectral's ruleset self-check turned off. */
export function withBuiltInRuleset<T>(build: () => T): T {
  const assertions = spectralAssertions();
  if (assertions === undefined) return build();
  const original = assertions.assertValidRuleset;
  assertions.assertValidRuleset = () => {};
  try {
    return build();
  } finally {
    assertions.assertValidRuleset = original;
  }
}

function spectralAssertions(): Assertions | undefined {
  try {
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
    const fromCore = createRequire(fromParser.resolve('@stoplight/spectral-core'));
    const assertions = fromCore('./ruleset/validation/assertions.js') as Partial<Assertions>;
    const descriptor = Object.getOwnPropertyDescriptor(assertions, 'assertValidRuleset');
    return typeof assertions.assertValidRuleset === 'function' && descriptor?.writable
      ? (assertions as Assertions)
      : undefined;
  } catch {
    return undefined;
  }
}
