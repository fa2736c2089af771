/**
 * The public AsyncAPI documents under test/fixtures/public, generated the way
 * a new user would (lenient mode, no configuration), into a folder of their
 * own under .cache/ so the generated SDKs resolve the runtime and ajv like any
 * project's would.
 */
import { readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE, NO_CONFIG, parseConfig } from '../../generator/config.ts';
import type { DiagnosticCode } from '../../generator/diagnostics.ts';
import { type GenerateResult, generate } from '../../generator/generate.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const corpusDir = path.join(repoRoot, 'test', 'fixtures', 'public');

/**
 * Documents that are refused on purpose, and the diagnostic that says why: a
 * non-Kafka document, and two whose referenced schemas are not available (remote
 * `$ref`s this machine cannot fetch and no `remoteRefs` maps; a file missing upstream).
 */
export const REFUSED: Readonly<Record<string, { readonly code: DiagnosticCode; readonly includes: string }>> =
  {
    'spec-streetlights-mqtt-3.0': { code: 'unsupported', includes: 'targets mqtt' },
    'spec-adeo-kafka-request-reply-3.0': { code: 'unresolved-ref', includes: 'https://' },
    'spec-json-schemas-streetlights-avro-3.0': {
      code: 'unresolved-ref',
      includes: 'reference-to-some-avro-file.avsc',
    },
  };

/**
 * The configuration a user of each document would write: `topicNames` for channel addresses
 * Kafka would refuse (2.x documents often use `/`; ZenWave writes `${param}`), which the generator
 * refuses with a pointer to exactly this setting.
 */
export const CONFIGS: Readonly<Record<string, { readonly topicNames: Readonly<Record<string, string>> }>> = {
  'generator-dummy-2.3': {
    topicNames: {
      'dummy/channel/with/{dummy}/parameter/create': 'dummy.channel.with.{dummy}.parameter.create',
    },
  },
  'microcks-user-signedup-avro-2.0': { topicNames: { 'user/signedup': 'user.signedup' } },
  'microcks-user-signedup-avro-ref-2.0': { topicNames: { 'user/signedup': 'user.signedup' } },
  // No parameters declared here: the placeholders are the deployment's, so the user names the topic.
  'zenwave-javatype-2.0': {
    topicNames: {
      'ecommerce.${tenant}.${environment}.purchase.cart.public.v1':
        'ecommerce.acme.prod.purchase.cart.public.v1',
    },
  },
  'zenwave-shopping-cart-avro-2.0': {
    topicNames: {
      'ecommerce.${tenant}.${environment}.purchase.cart.public.v1':
        'ecommerce.{tenant}.{environment}.purchase.cart.public.v1',
    },
  },
};

/** Every document folder of the corpus, sorted. */
export function corpusSlugs(): string[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'LICENSES')
    .map((e) => e.name)
    .sort();
}

/** The documents the generator must turn into a working SDK. */
export function generatedSlugs(): string[] {
  return corpusSlugs().filter((slug) => !(slug in REFUSED));
}

/** Generates one document folder leniently and writes the SDK to `outRoot/<slug>`; errors throw ContractError. */
export async function generateCorpusSdk(slug: string, outRoot: string): Promise<GenerateResult> {
  const outDir = path.join(outRoot, slug);
  const settings = CONFIGS[slug];
  const config = settings
    ? parseConfig(JSON.stringify(settings), path.join(corpusDir, slug, CONFIG_FILE), CONFIG_FILE).config
    : NO_CONFIG;
  const result = await generate({
    input: path.join(corpusDir, slug),
    outDir,
    runtimeEntry: path.join(repoRoot, 'runtime', 'contract', 'index.ts'),
    cwd: repoRoot,
    mode: 'lenient',
    config,
  });
  await rm(outDir, { recursive: true, force: true });
  for (const file of result.files) {
    const target = path.join(outDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  return result;
}
