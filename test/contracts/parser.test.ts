/**
 * Every AsyncAPI document under asyncapi/ parses with @asyncapi/parser
 * (schema validation + the AsyncAPI Spectral ruleset, $refs across files
 * resolved) without a diagnostic of severity error.
 *
 * A document is any asyncapi/**\/*.yaml with a top-level `asyncapi:` key;
 * the shared pieces under asyncapi/common/ have none and are only reached
 * through $ref.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, fromFile, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const contractsDir = join(repoRoot, 'asyncapi');

/** Chat (6 contexts) + platform (10 contexts). */
const MIN_DOCUMENTS = 16;

function findDocuments(): string[] {
  return readdirSync(contractsDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => join(contractsDir, file))
    .filter((path) => /^asyncapi:/m.test(readFileSync(path, 'utf8')))
    .sort();
}

const documents = findDocuments();
const parser = new Parser();

describe('AsyncAPI contracts', () => {
  it(`finds at least ${MIN_DOCUMENTS} documents`, () => {
    const found = documents.map((path) => relative(repoRoot, path));
    expect(found.length, `found only:\n${found.join('\n')}`).toBeGreaterThanOrEqual(MIN_DOCUMENTS);
  });

  it('parses every document without errors', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const path of documents) {
      const { document, diagnostics } = await fromFile(parser, path).parse();
      const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
      if (errors.length > 0 || document === undefined) {
        const lines = errors.map((d) => `  - [${d.code}] ${d.path.join('/') || '(root)'}: ${d.message}`);
        failures.push(
          `${relative(repoRoot, path)}${document === undefined ? ' (no document)' : ''}\n${lines.join('\n')}`,
        );
      }
    }
    expect(failures, `AsyncAPI parser errors:\n${failures.join('\n')}`).toEqual([]);
  });
});
