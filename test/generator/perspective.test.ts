/**
 * AsyncAPI 3 perspective: a document speaks for its own application, so
 * `action: send` makes that context a producer of the channel's topic and
 * `action: receive` makes it a consumer group. The same pair of documents is
 * generated as written, then with the two actions swapped (the groupId binding
 * moving to the new receiver): the roles in the catalog and in the emitted
 * producers.ts / consumers.ts must swap with them.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type GenerateResult, generate } from '../../generator/generate.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeEntry = path.join(repoRoot, 'runtime', 'contract', 'index.ts');
const base = path.join(repoRoot, 'test', 'fixtures', 'bad', 'base');

type Json = Record<string, unknown>;
interface Operation extends Json {
  action: string;
  bindings?: Json;
}

const load = (name: string) => parse(readFileSync(path.join(base, name), 'utf8')) as Json;
const operation = (doc: Json, id: string) => (doc.operations as Record<string, Operation>)[id]!;

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(
  producer: Json,
  consumer: Json,
): Promise<{ result: GenerateResult; text: (file: string) => string }> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'perspective-'));
  scratch.push(cwd);
  await writeFile(path.join(cwd, 'producer.yaml'), stringify(producer));
  await writeFile(path.join(cwd, 'consumer.yaml'), stringify(consumer));
  const result = await generate({
    input: cwd,
    outDir: path.join(cwd, 'out'),
    runtimeEntry,
    cwd,
    mode: 'strict',
  });
  const text = (file: string) => {
    const found = result.files.find((f) => f.path === file);
    expect(found, `${file} is emitted`).toBeDefined();
    return found?.content ?? '';
  };
  return { result, text };
}

/** What the catalog says about items.events and its consumer groups. */
function roles(result: GenerateResult) {
  const topic = result.catalog.topics.find((t) => t.address === 'items.events');
  const dlq = result.catalog.topics.find((t) => t.address === 'items.events.dlq');
  return {
    producers: topic?.producers,
    consumerGroups: topic?.consumerGroups,
    owner: topic?.owner,
    dlq: { producers: dlq?.producers, consumerGroups: dlq?.consumerGroups },
    groups: result.catalog.consumerGroups.map((g) => ({
      groupId: g.groupId,
      context: g.context,
      subscriptions: g.subscriptions.map((s) => ({ topic: s.topic, events: s.events })),
    })),
  };
}

describe('AsyncAPI 3 perspective: send publishes, receive consumes', { timeout: 30_000 }, () => {
  it('as written: producer sends, consumer receives as group g', async () => {
    const { result, text } = await run(load('producer.yaml'), load('consumer.yaml'));
    expect(roles(result)).toEqual({
      producers: ['producer'],
      consumerGroups: ['g'],
      owner: 'producer',
      dlq: { producers: [], consumerGroups: [] },
      groups: [
        {
          groupId: 'g',
          context: 'consumer',
          subscriptions: [{ topic: 'items.events', events: ['ItemCreated'] }],
        },
      ],
    });

    const producers = text('producers.ts');
    expect(producers).toContain('published by producer in the contracts');
    expect(producers).toMatch(/export function itemsPublisher\(producer: EventProducer\)/);

    const consumers = text('consumers.ts');
    expect(consumers).toContain("groupId: 'g',\n  context: 'consumer',");
    expect(consumers).toMatch(/ItemCreated: EventHandler<'ItemCreated', ItemCreated\b/);
    expect(consumers).toContain('topic: itemsTopic,');
    expect(consumers).not.toContain("context: 'producer'");
    expect(text('catalog.ts')).toMatch(
      /\.\.\.itemsTopic\.spec,[\s\S]*?producers: \[\s*'producer',?\s*\],\s*consumerGroups: \[\s*'g',?\s*\]/,
    );
  });

  it('swapped: the consumer document sends and the producer document receives as group g', async () => {
    const producer = load('producer.yaml');
    const consumer = load('consumer.yaml');
    const publish = operation(producer, 'publishItems');
    const handle = operation(consumer, 'handleItems');
    expect([publish.action, handle.action]).toEqual(['send', 'receive']);
    publish.action = 'receive';
    publish.bindings = handle.bindings;
    handle.action = 'send';
    delete handle.bindings;

    const { result, text } = await run(producer, consumer);
    expect(roles(result)).toEqual({
      producers: ['consumer'],
      consumerGroups: ['g'],
      // Ownership follows where the channel is defined, not who sends.
      owner: 'producer',
      dlq: { producers: [], consumerGroups: [] },
      groups: [
        {
          groupId: 'g',
          context: 'producer',
          subscriptions: [{ topic: 'items.events', events: ['ItemCreated'] }],
        },
      ],
    });

    expect(text('producers.ts')).toContain('published by consumer in the contracts');
    const consumers = text('consumers.ts');
    expect(consumers).toContain("groupId: 'g',\n  context: 'producer',");
    expect(consumers).not.toContain("context: 'consumer'");
    expect(text('catalog.ts')).toMatch(
      /\.\.\.itemsTopic\.spec,[\s\S]*?producers: \[\s*'consumer',?\s*\],\s*consumerGroups: \[\s*'g',?\s*\]/,
    );
  });
});
