/**
 * Golden files: each `test/fixtures/<name>/contracts` generates exactly the
 * committed `test/fixtures/<name>/expected` (which `npm run typecheck` also
 * compiles under strict). Regenerate with `npm run fixtures:update` and review
 * the diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/generate.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures');
const names = readdirSync(fixtures).filter((n) => existsSync(path.join(fixtures, n, 'expected')));

describe.each(names)('fixture %s', (name) => {
  const dir = path.join(fixtures, name);
  const run = () =>
    generate({
      input: path.join(dir, 'contracts'),
      outDir: path.join(dir, 'expected'),
      runtimeEntry: path.join(root, 'runtime/contract/index.ts'),
      cwd: root,
    });

  it('generates the committed files, and no others', async () => {
    const { files } = await run();
    const expected = readdirSync(path.join(dir, 'expected')).sort();
    expect(files.map((f) => f.path)).toEqual(expected);
    for (const file of files) {
      expect(file.content, `${name}/expected/${file.path} is stale: run npm run fixtures:update`).toBe(
        readFileSync(path.join(dir, 'expected', file.path), 'utf8'),
      );
    }
  });

  it('is deterministic: two runs give byte-identical files', async () => {
    const [a, b] = [await run(), await run()];
    expect(b.files).toEqual(a.files);
  });
});

it('finds the fixtures', () => {
  expect(names).toContain('features');
});
