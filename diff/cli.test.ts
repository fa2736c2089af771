/**
 * `npm run contracts:diff` as a user runs it, in throw-away git repositories:
 * the exit status (0 safe, 1 breaking, 2 usage), the three formats, the
 * default base on main, a shallow clone (deepened once, or a clear refusal),
 * and a transitive mode that reaches back past the base into git history.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
const cli = path.join(repoRoot, 'diff', 'cli.ts');
const history = path.join(repoRoot, 'diff', 'history.ts');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'bad', 'base');
const scratch = await mkdtemp(path.join(os.tmpdir(), 'contracts-diff-cli-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

type Doc = Record<string, unknown> & {
  channels: { items: { bindings: { kafka: { partitions: number } } } };
  components: { messages: { ItemCreated: Record<string, unknown> & { payload: Payload } } };
};
type Payload = { properties: Record<string, unknown>; required: string[] };

const producer = (): Doc => parse(readFileSync(path.join(fixtures, 'producer.yaml'), 'utf8')) as Doc;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd });
  return stdout.trim();
}

type Outcome = { code: number; stdout: string; stderr: string };

const contractsDiff = (cwd: string, ...args: string[]): Promise<Outcome> => node(cwd, cli, ...args);

async function node(cwd: string, script: string, ...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let repos = 0;
/** A repository on `main` whose first commit holds the valid producer and consumer. */
async function repository(): Promise<{ dir: string; write: (doc: Doc) => Promise<void> }> {
  const dir = path.join(scratch, `repo${++repos}`);
  await mkdir(path.join(dir, 'asyncapi', 'shop'), { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.email', 'test@example.com');
  await git(dir, 'config', 'user.name', 'Test');
  await writeFile(path.join(dir, 'package.json'), '{}\n');
  await writeFile(
    path.join(dir, 'contract-events.config.json'),
    JSON.stringify({ inputs: { asyncapi: { mode: 'strict' } } }),
  );
  await writeFile(
    path.join(dir, 'asyncapi', 'shop', 'consumer.yaml'),
    readFileSync(path.join(fixtures, 'consumer.yaml'), 'utf8'),
  );
  const write = (doc: Doc) => writeFile(path.join(dir, 'asyncapi', 'shop', 'producer.yaml'), stringify(doc));
  await write(producer());
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'contracts');
  return { dir, write };
}

function withPartitions(n: number): Doc {
  const doc = producer();
  doc.channels.items.bindings.kafka.partitions = n;
  return doc;
}

// Each test runs the command in fresh processes (about 1 s each, several on a clean clone whose
// compile and validator caches are still empty): far past the unit project's 5 s default.
describe('npm run contracts:diff', { timeout: 60_000 }, () => {
  it('exits 0 on a safe change, 1 on a breaking one, and writes text, JSON and SARIF', async () => {
    const { dir, write } = await repository();
    const safe = producer();
    safe.components.messages.ItemCreated.payload.properties.comment = { type: 'string' };
    await write(safe);
    const ok = await contractsDiff(dir, '--base', 'main');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('contracts:diff: safe');

    await write(withPartitions(2));
    const text = await contractsDiff(dir, '--base', 'main');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'BREAKING [topic.partitions-decreased] partitions of "items.events" cut from 3 to 2',
    );
    expect(text.stdout).toContain('base: asyncapi/shop/producer.yaml #/channels/items');
    expect(text.stdout).toContain('producers: producer');
    expect(text.stdout).toContain('consumer groups: g');

    const json = await contractsDiff(dir, '--base', 'main', '--format', 'json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { safe: boolean; findings: { rule: string }[] };
    expect(report.safe).toBe(false);
    expect(report.findings.map((f) => f.rule)).toEqual(['topic.partitions-decreased']);

    const out = path.join(dir, 'report.sarif');
    const sarif = await contractsDiff(dir, '--base', 'main', '--format', 'sarif', '--out', out);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(readFileSync(out, 'utf8')) as {
      version: string;
      runs: {
        results: { ruleId: string; level: string; locations: unknown[] }[];
        tool: { driver: { rules: { id: string }[] } };
      }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]?.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['topic.partitions-decreased', 'error'],
    ]);
    expect(log.runs[0]?.tool.driver.rules.some((r) => r.id === 'topic.partitions-decreased')).toBe(true);
  });

  it('exits 2 on usage errors', async () => {
    const { dir } = await repository();
    const unknown = await contractsDiff(dir, '--base', 'no-such-ref');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown git revision "no-such-ref"');
    const format = await contractsDiff(dir, '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be text, json or sarif');
    const outside = await contractsDiff(scratch);
    expect(outside.code).toBe(2);
  });

  it('on main compares with the change being landed (HEAD’s first parent)', async () => {
    const { dir, write } = await repository();
    await write(withPartitions(2));
    await git(dir, 'commit', '-q', '-am', 'fewer partitions');
    const result = await contractsDiff(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("HEAD's first parent");
  });

  it('deepens a shallow clone once, and refuses clearly when it cannot', async () => {
    const { dir, write } = await repository();
    await write(withPartitions(2));
    await git(dir, 'commit', '-q', '-am', 'fewer partitions');
    const shallow = path.join(scratch, `shallow${repos}`);
    await git(scratch, 'clone', '-q', '--depth', '1', `file://${dir}`, shallow);
    const deepened = await contractsDiff(shallow);
    expect(deepened.code, deepened.stderr).toBe(1);
    expect(deepened.stdout).toContain('topic.partitions-decreased');

    const cutOff = path.join(scratch, `cut-off${repos}`);
    await git(scratch, 'clone', '-q', '--depth', '1', `file://${dir}`, cutOff);
    await git(cutOff, 'remote', 'remove', 'origin');
    const refused = await contractsDiff(cutOff);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('shallow clone');
  });

  it('reads the base in the working tree’s mode, so a base without the config is not judged by other rules', async () => {
    const { dir, write } = await repository();
    // Headers that describe an envelope header: strict mode keeps ce_type, lenient leaves it to the runtime.
    const withHeaders = producer();
    withHeaders.components.messages.ItemCreated.headers = {
      type: 'object',
      required: ['ce_type'],
      properties: { ce_type: { type: 'string' }, region: { type: 'string' } },
    };
    await write(withHeaders);
    await git(dir, 'commit', '-q', '-am', 'headers');
    await git(dir, 'rm', '-q', 'contract-events.config.json');
    await git(dir, 'commit', '-q', '-m', 'no config: lenient by default');
    await writeFile(
      path.join(dir, 'contract-events.config.json'),
      JSON.stringify({ inputs: { asyncapi: { mode: 'strict' } } }),
    );
    // Read leniently, the base's headers and keys would differ from the strict head's though no contract changed.
    const result = await contractsDiff(dir, '--base', 'main');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('no contract changes that need attention');
  });

  it('contracts:history classifies every commit that changed the contracts', async () => {
    const { dir, write } = await repository();
    await write(withPartitions(2));
    await git(dir, 'commit', '-q', '-am', 'fewer partitions');
    const result = await node(dir, history);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('2 commit(s) changed the contracts');
    expect(result.stdout).toMatch(/contracts\n {2}safe/);
    expect(result.stdout).toMatch(
      /fewer partitions\n {2}1 breaking \(1 without an override\)\n {2}topic\.partitions-decreased: items\.events/,
    );
  });

  it('checks a _TRANSITIVE mode against every earlier version in git, not only the base', async () => {
    const { dir, write } = await repository();
    // v1 (the first commit) has `note`; v2 removes it (an earlier, reviewed break); the head adds `comment`.
    const v2 = producer();
    const payload = v2.components.messages.ItemCreated.payload;
    delete payload.properties.note;
    await write(v2);
    await git(dir, 'commit', '-q', '-am', 'v2');
    const v3 = producer();
    delete v3.components.messages.ItemCreated.payload.properties.note;
    v3.components.messages.ItemCreated.payload.properties.comment = { type: 'string' };
    await write(v3);
    const latestOnly = await contractsDiff(dir, '--base', 'main');
    expect(latestOnly.code, latestOnly.stdout).toBe(0);

    v3.components.messages.ItemCreated['x-compatibility'] = 'BACKWARD_TRANSITIVE';
    await write(v3);
    const transitive = await contractsDiff(dir, '--base', 'main');
    expect(transitive.code, transitive.stdout).toBe(1);
    const first = (await git(dir, 'rev-list', '--max-parents=0', 'HEAD')).slice(0, 12);
    expect(transitive.stdout).toContain(`PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at #/properties/note`);
    expect(transitive.stdout).toContain(`against ${first}`);
  });
});
