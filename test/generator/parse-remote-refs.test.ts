/**
 * Remote (http/https) `$ref`s are never fetched. Unmapped, one is an error at
 * the `$ref` naming the URL and the config setting that maps it; mapped
 * through `remoteRefs` in contract-events.config.json, it resolves to the
 * local copy everywhere, and problems inside that copy name the local file.
 * The URLs below use the reserved `.invalid` domain: nothing could answer.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CONFIG_FILE, parseConfig } from '../../generator/config.ts';
import { ContractError, type Diagnostic, formatDiagnostic } from '../../generator/diagnostics.ts';
import { type GenerateResult, generate } from '../../generator/generate.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');
const PRODUCER = readFileSync(
  path.join(repoRoot, 'test', 'fixtures', 'bad', 'base', 'producer.yaml'),
  'utf8',
);

const REMOTE = 'https://schemas.example.invalid/shop/v1/';

/** The base producer with its ItemCreated message (and so its payload) at a remote URL. */
function producer(ref = `${REMOTE}messages.yaml#/ItemCreated`): string {
  const doc = parse(PRODUCER) as { components: { messages: Record<string, unknown> } };
  doc.components.messages.ItemCreated = { $ref: ref };
  return stringify(doc);
}

/** The message as the remote file holds it; its payload is a relative reference inside the same folder. */
function remoteMessages(edit: (message: Record<string, unknown>) => void = () => {}): string {
  const doc = parse(PRODUCER) as { components: { messages: { ItemCreated: Record<string, unknown> } } };
  const message = doc.components.messages.ItemCreated;
  message.payload = { $ref: './schemas.yaml#/Item' };
  edit(message);
  return stringify({ ItemCreated: message });
}

function remoteSchemas(edit: (item: Record<string, unknown>) => void = () => {}): string {
  const doc = parse(PRODUCER) as {
    components: { messages: { ItemCreated: { payload: Record<string, unknown> } } };
  };
  const item = doc.components.messages.ItemCreated.payload;
  edit(item);
  return stringify({ Item: item });
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(
  files: Record<string, string>,
  remoteRefs: Record<string, string>,
): Promise<{ cwd: string; result?: GenerateResult; diagnostics: readonly Diagnostic[] }> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'parse-remote-'));
  scratch.push(cwd);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
    await writeFile(path.join(cwd, name), text);
  }
  const parsed = parseConfig(JSON.stringify({ remoteRefs }), path.join(cwd, CONFIG_FILE), CONFIG_FILE);
  expect(parsed.diagnostics).toEqual([]);
  const started = performance.now();
  try {
    const result = await generate({
      input: 'shop',
      outDir: 'out',
      runtimeEntry,
      cwd,
      mode: 'strict',
      config: parsed.config,
    });
    return { cwd, result, diagnostics: result.diagnostics };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return { cwd, diagnostics: error.diagnostics };
  } finally {
    // Nothing is fetched, so nothing waits on a network timeout.
    expect(performance.now() - started).toBeLessThan(20_000);
  }
}

describe('remote $refs', () => {
  it('unmapped: an error at the $ref naming the URL and how to map it', { timeout: 30_000 }, async () => {
    const { diagnostics } = await run({ 'shop/producer.yaml': producer() }, {});
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors, shown).toHaveLength(1);
    expect(errors[0], shown).toMatchObject({
      code: 'unresolved-ref',
      file: 'shop/producer.yaml',
      pointer: '#/components/messages/ItemCreated/$ref',
    });
    expect(errors[0]!.message).toContain(`${REMOTE}messages.yaml`);
    expect(errors[0]!.message).toContain('never fetched');
    expect(errors[0]!.message).toContain(`"remoteRefs": { "${REMOTE}"`);
    expect(errors[0]!.message).toContain(CONFIG_FILE);
  });

  it('mapped by URL prefix to a folder: resolves to the local copy, which the run depends on', {
    timeout: 30_000,
  }, async () => {
    const { cwd, result, diagnostics } = await run(
      {
        'shop/producer.yaml': producer(),
        'vendor/shop/messages.yaml': remoteMessages(),
        'vendor/shop/schemas.yaml': remoteSchemas(),
      },
      { [REMOTE]: 'vendor/shop/' },
    );
    expect(result, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
    const event = result!.catalog.events.find((e) => e.name === 'ItemCreated');
    expect(event?.location).toEqual({
      file: path.join(cwd, 'vendor/shop/messages.yaml'),
      pointer: '#/ItemCreated',
    });
    expect(Object.keys(result!.inputs)).toEqual(
      expect.arrayContaining([
        path.join(cwd, 'vendor/shop/messages.yaml'),
        path.join(cwd, 'vendor/shop/schemas.yaml'),
      ]),
    );
  });

  it('mapped by exact URL to a file', { timeout: 30_000 }, async () => {
    const { result, diagnostics } = await run(
      {
        'shop/producer.yaml': producer('https://schemas.example.invalid/item-created.yaml#/ItemCreated'),
        'vendor/item-created.yaml': remoteMessages((m) => {
          m.payload = parse(remoteSchemas()).Item;
        }),
      },
      { 'https://schemas.example.invalid/item-created.yaml': 'vendor/item-created.yaml' },
    );
    expect(result, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
  });

  const inside: [string, { files: Record<string, string>; code: string; file: string; pointer: string }][] = [
    [
      'a schema error in the mapped copy (found by the parser)',
      {
        files: {
          'vendor/shop/schemas.yaml': remoteSchemas(
            (item) => ((item.properties as Record<string, unknown>).id = { type: 5 }),
          ),
        },
        code: 'asyncapi-invalid',
        file: 'vendor/shop/schemas.yaml',
        pointer: '#/Item/properties/id/type',
      },
    ],
    [
      'a partition key naming a missing field in the mapped copy (found by the model)',
      {
        files: {
          'vendor/shop/messages.yaml': remoteMessages(
            (m) => (m['x-partition-key'] = '$message.payload#/nope'),
          ),
        },
        code: 'partition-key',
        file: 'vendor/shop/messages.yaml',
        pointer: '#/ItemCreated/x-partition-key',
      },
    ],
  ];

  it.each(inside)('%s names the local file', { timeout: 30_000 }, async (_name, want) => {
    const { diagnostics } = await run(
      {
        'shop/producer.yaml': producer(),
        'vendor/shop/messages.yaml': remoteMessages(),
        'vendor/shop/schemas.yaml': remoteSchemas(),
        ...want.files,
      },
      { [REMOTE]: 'vendor/shop/' },
    );
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    expect(diagnostics, shown).toContainEqual(
      expect.objectContaining({ code: want.code, file: want.file, pointer: want.pointer }),
    );
  });

  it('a mapping to a file that does not exist is an error at its config entry', {
    timeout: 30_000,
  }, async () => {
    const { diagnostics } = await run({ 'shop/producer.yaml': producer() }, { [REMOTE]: 'vendor/missing/' });
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors, shown).toHaveLength(1);
    expect(errors[0], shown).toMatchObject({
      code: 'io',
      file: CONFIG_FILE,
      pointer: `#/remoteRefs/${REMOTE.replaceAll('/', '~1')}`,
    });
    expect(errors[0]!.message).toContain('vendor/missing/messages.yaml');
    expect(errors[0]!.message).toContain('shop/producer.yaml');
  });
});
