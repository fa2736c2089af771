/**
 * Confluent's own diff examples (a selection of json-schema-provider/src/test/resources,
 * Confluent Community License — see fixtures/confluent-cases.json for the source) give
 * the same differences, paths included, and the same strict and lenient verdicts here.
 * Three 2020-12 examples are left out: Confluent's 2020-12 translation loses
 * `maxProperties`, `minProperties` and `additionalProperties: false` on one side, so it
 * reports nothing where this reports the (compatible) removal.
 */
import { describe, expect, it } from 'vitest';
import { isCompatible } from './compatibility.ts';
import cases from './fixtures/confluent-cases.json' with { type: 'json' };
import { compareSchemas } from './schema-diff.ts';

interface ConfluentCase {
  readonly description: string;
  readonly original_schema: unknown;
  readonly update_schema: unknown;
  readonly changes: readonly string[];
  readonly compatible: boolean;
  readonly compatible_lenient?: boolean;
}

const groups: Record<string, readonly ConfluentCase[]> = cases.cases;

describe.each(Object.entries(groups))('Confluent examples, %s', (_group, examples) => {
  it.each(examples.map((example, i) => [`${i}: ${example.description}`, example] as const))(
    '%s',
    (_name, example) => {
      const strict = compareSchemas(example.original_schema, example.update_schema);
      expect(strict.map((d) => `${d.type} ${d.path}`).sort()).toEqual([...example.changes].sort());
      expect(isCompatible(strict)).toBe(example.compatible);
      const lenient = compareSchemas(example.original_schema, example.update_schema, { lenient: true });
      expect(isCompatible(lenient, { lenient: true })).toBe(example.compatible_lenient ?? example.compatible);
    },
  );
});
