/**
 * The generator's command line, run as a child process the way `npm run
 * generate` runs it: exit codes, what it prints, and above all what it does
 * (and never does) to the output folder.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANNER } from '../../generator/emit/render.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node = path.join(repoRoot, 'node_modules', '.bin', 'node');
const cliPath = path.join(repoRoot, 'generator', 'cli.ts');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'bad', 'base');
const KEY_POINTER = '#/components/messages/ItemCreated/x-partition-key';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in `cwd` with Node 24 (type stripping), as `npm run generate -- <args>` would. */
function cli(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh working directory with the valid base contracts in `contracts/`. */
async function workspace(): Promise<string> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'generator-cli-'));
  scratch.push(cwd);
  await cp(fixtures, path.join(cwd, 'contracts'), { recursive: true });
  return cwd;
}

/** Breaks the producer's partition key (a contract error at a known file and pointer). */
async function breakContract(cwd: string): Promise<void> {
  const file = path.join(cwd, 'contracts', 'producer.yaml');
  const text = await readFile(file, 'utf8');
  expect(text).toContain('$message.payload#/id');
  await writeFile(file, text.replace('$message.payload#/id', '$message.payload#/nope'));
}

interface Snapshot {
  /** Relative path → content (base64, so any byte difference shows). */
  readonly bytes: Record<string, string>;
  readonly mtimes: Record<string, number>;
}

async function snapshot(dir: string): Promise<Snapshot> {
  const bytes: Record<string, string> = {};
  const mtimes: Record<string, number> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    bytes[rel] = (await readFile(full)).toString('base64');
    mtimes[rel] = (await stat(full)).mtimeMs;
  }
  return { bytes, mtimes };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** The `stale: …` / `missing: …` / `extra: …` lines of a `--check` run. */
const reported = (run: Run) => run.stderr.split('\n').filter((line) => /^(stale|missing|extra): /.test(line));

/** A workspace whose `out/` holds the output of a good run (generated once, copied per test). */
let generated: string;
beforeAll(async () => {
  generated = await workspace();
  const run = await cli(generated, '--in', 'contracts', '--out', 'out');
  expect(run.code, run.stderr).toBe(0);
}, 60_000);

async function generatedWorkspace(): Promise<string> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'generator-cli-'));
  scratch.push(cwd);
  await cp(generated, cwd, { recursive: true });
  return cwd;
}

describe('generate CLI', { timeout: 60_000 }, () => {
  it('writes the SDK for a good contract set and exits 0', async () => {
    const cwd = await workspace();
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    const files = Object.keys((await snapshot(path.join(cwd, 'out'))).bytes);
    expect(files).toEqual(
      expect.arrayContaining(['index.ts', 'types.ts', 'producers.ts', 'consumers.ts', 'topics.ts']),
    );
    for (const file of files)
      expect(await readFile(path.join(cwd, 'out', file), 'utf8'), file).toContain(BANNER);
    expect(run.stdout).toContain('2 documents, 1 events, 2 topics (1 dead-letter), 1 consumer groups');
    expect(run.stdout).toContain(`(${files.length} file(s) written`);
  });

  it('is reproducible: a second run rewrites nothing and the bytes are identical', async () => {
    const cwd = await generatedWorkspace();
    const before = await snapshot(path.join(cwd, 'out'));
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(0 file(s) written');
    const after = await snapshot(path.join(cwd, 'out'));
    expect(after.bytes).toEqual(before.bytes);
    expect(after.mtimes).toEqual(before.mtimes);
    // And a run into a fresh folder produces the very same bytes.
    const again = await cli(cwd, '--in', 'contracts', '--out', 'out2');
    expect(again.code, again.stderr).toBe(0);
    expect((await snapshot(path.join(cwd, 'out2'))).bytes).toEqual(before.bytes);
  });

  it('exits 1 on a bad contract, naming file and pointer, and creates no output folder', async () => {
    const cwd = await workspace();
    await breakContract(cwd);
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${path.join('contracts', 'producer.yaml')} ${KEY_POINTER}: error [partition-key]`,
    );
    expect(run.stderr).toContain('nothing was written');
    expect(await exists(path.join(cwd, 'out'))).toBe(false);
  });

  it('leaves a previous output byte for byte as it was when the contracts turn bad', async () => {
    const cwd = await generatedWorkspace();
    await writeFile(path.join(cwd, 'out', 'old.ts'), `// ${BANNER}\nexport {};\n`);
    const before = await snapshot(path.join(cwd, 'out'));
    await breakContract(cwd);
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join('contracts', 'producer.yaml')} ${KEY_POINTER}`);
    expect(await snapshot(path.join(cwd, 'out'))).toEqual(before);
  });

  it('--check on an up-to-date output exits 0 and writes nothing', async () => {
    const cwd = await generatedWorkspace();
    const before = await snapshot(path.join(cwd, 'out'));
    const run = await cli(cwd, '--check', '--in', 'contracts', '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('is up to date');
    expect(await snapshot(path.join(cwd, 'out'))).toEqual(before);
  });

  it('--check names the one generated file that was edited, and does not repair it', async () => {
    const cwd = await generatedWorkspace();
    const edited = path.join(cwd, 'out', 'types.ts');
    await writeFile(edited, `${await readFile(edited, 'utf8')}// a local edit\n`);
    const before = await snapshot(path.join(cwd, 'out'));
    const run = await cli(cwd, '--check', '--in', 'contracts', '--out', 'out');
    expect(run.code).toBe(1);
    expect(reported(run)).toEqual([`stale: ${path.join('out', 'types.ts')}`]);
    expect(await snapshot(path.join(cwd, 'out'))).toEqual(before);
  });

  it('--check names a deleted generated file as missing', async () => {
    const cwd = await generatedWorkspace();
    await unlink(path.join(cwd, 'out', 'consumers.ts'));
    const run = await cli(cwd, '--check', '--in', 'contracts', '--out', 'out');
    expect(run.code).toBe(1);
    expect(reported(run)).toEqual([`missing: ${path.join('out', 'consumers.ts')}`]);
    expect(await exists(path.join(cwd, 'out', 'consumers.ts'))).toBe(false);
  });

  it('--check names an extra file carrying the banner; generate then removes it', async () => {
    const cwd = await generatedWorkspace();
    await mkdir(path.join(cwd, 'out', 'legacy'));
    await writeFile(path.join(cwd, 'out', 'legacy', 'old.ts'), `// ${BANNER}\nexport {};\n`);
    const check = await cli(cwd, '--check', '--in', 'contracts', '--out', 'out');
    expect(check.code).toBe(1);
    expect(reported(check)).toEqual([`extra: ${path.join('out', 'legacy', 'old.ts')}`]);
    expect(await exists(path.join(cwd, 'out', 'legacy', 'old.ts'))).toBe(true);

    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    expect(await exists(path.join(cwd, 'out', 'legacy', 'old.ts'))).toBe(false);
  });

  it('never touches or removes a hand-written file (no banner) in the output folder', async () => {
    const cwd = await generatedWorkspace();
    await mkdir(path.join(cwd, 'out', 'hand'));
    await writeFile(path.join(cwd, 'out', 'README.md'), '# notes about the generated SDK\n');
    await writeFile(path.join(cwd, 'out', 'hand', 'helpers.ts'), 'export const helper = 1;\n');
    const before = await snapshot(path.join(cwd, 'out'));

    const check = await cli(cwd, '--check', '--in', 'contracts', '--out', 'out');
    expect(check.code, check.stderr).toBe(0);
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    expect(await snapshot(path.join(cwd, 'out'))).toEqual(before);
  });

  it('refuses to overwrite a hand-written file (no banner) that has a generated file name', async () => {
    const cwd = await workspace();
    await mkdir(path.join(cwd, 'out'));
    const handWritten = path.join(cwd, 'out', 'index.ts');
    await writeFile(handWritten, "export * from './my-own-code.ts';\n");
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(await readFile(handWritten, 'utf8')).toBe("export * from './my-own-code.ts';\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(path.join('out', 'index.ts'));
  });

  it('--in accepts a single document', async () => {
    const cwd = await workspace();
    const run = await cli(cwd, '--in', path.join('contracts', 'producer.yaml'), '--out', 'out');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('1 documents, 1 events, 2 topics (1 dead-letter), 0 consumer groups');
    const catalog = await readFile(path.join(cwd, 'out', 'catalog.ts'), 'utf8');
    expect(catalog).toContain("source: 'urn:test:producer'");
    expect(catalog).not.toContain("source: 'urn:test:consumer'");
  });

  it('--in a path that does not exist exits 1 naming it as given', async () => {
    const cwd = await workspace();
    const run = await cli(cwd, '--in', 'nope', '--out', 'out');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^nope: error \[io\]/m);
    expect(await exists(path.join(cwd, 'out'))).toBe(false);
  });

  it('an unknown flag exits 2 with the usage and writes nothing', async () => {
    const cwd = await workspace();
    const run = await cli(cwd, '--in', 'contracts', '--out', 'out', '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--frobnicate');
    expect(run.stderr).toContain('usage: npm run generate');
    expect(await exists(path.join(cwd, 'out'))).toBe(false);
  });
  it('--mode picks the mode: the base contracts lack nothing, and a missing partition key is an error only in strict mode', async () => {
    const cwd = await workspace();
    const file = path.join(cwd, 'contracts', 'producer.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n\s*x-partition-key: .*\n/, '\n'));
    const strict = await cli(cwd, '--in', 'contracts', '--out', 'out', '--mode', 'strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/error \[partition-key\] event "ItemCreated" declares no x-partition-key/);
    expect(await exists(path.join(cwd, 'out'))).toBe(false);
    // Outside any configured input the default is lenient: a warning, and the SDK is written.
    const lenient = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(
      /warning \[partition-key\].*lenient mode: publishers take an optional key argument/,
    );
    expect(lenient.stdout).toContain('generate: lenient:');
    expect(await exists(path.join(cwd, 'out', 'producers.ts'))).toBe(true);
  });

  it('a bad --mode exits 2; a bad contract-events.config.json exits 1 naming the setting', async () => {
    const cwd = await workspace();
    const bad = await cli(cwd, '--in', 'contracts', '--out', 'out', '--mode', 'loose');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode must be strict or lenient, not "loose"');
    await writeFile(path.join(cwd, 'package.json'), '{}');
    await writeFile(
      path.join(cwd, 'contract-events.config.json'),
      JSON.stringify({ inputs: { contracts: { mode: 'relaxed' } } }),
    );
    const config = await cli(cwd, '--in', 'contracts', '--out', 'out');
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(
      /contract-events\.config\.json #\/inputs\/contracts\/mode: error \[invalid-value\] mode must be "strict" or "lenient", not "relaxed"/,
    );
    expect(await exists(path.join(cwd, 'out'))).toBe(false);
  });
});
