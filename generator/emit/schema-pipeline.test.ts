/**
 * The schema side of emit on a document as tools export it, through the real
 * parser: a Springwolf/Jackson class hierarchy (root `oneOf` of subtypes that
 * each `allOf` the root), a component used by two messages, keywords and
 * formats ajv does not know, and an enum value with a newline. The generated
 * `types.ts` must compile under strict and the validators must work.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type GenerateResult, generate } from '../generate.ts';
import { typeErrors } from './test-catalog.ts';

const root = path.resolve(import.meta.dirname, '../..');

const document = {
  asyncapi: '3.0.0',
  id: 'urn:test:zoo',
  info: { title: 'Zoo', version: '1.0.0' },
  defaultContentType: 'application/json',
  channels: {
    animals: {
      address: 'zoo.animals',
      messages: {
        AnimalSeen: { $ref: '#/components/messages/AnimalSeen' },
        KeeperMoved: { $ref: '#/components/messages/KeeperMoved' },
      },
      'x-dead-letter-channel': { $ref: '#/channels/animalsDlq' },
    },
    animalsDlq: { address: 'zoo.animals.dlq', messages: {} },
  },
  operations: {
    publishAnimals: { action: 'send', channel: { $ref: '#/channels/animals' } },
  },
  components: {
    messages: {
      AnimalSeen: {
        name: 'AnimalSeen',
        'x-partition-key': '$message.payload#/name',
        payload: { $ref: '#/components/schemas/Sighting' },
        examples: [
          {
            name: 'dog',
            payload: { name: 'Rex', animal: { kind: 'dog', name: 'Rex', bark: true }, at: { city: 'Oslo' } },
          },
        ],
      },
      KeeperMoved: {
        name: 'KeeperMoved',
        'x-partition-key': '$message.payload#/keeper',
        payload: {
          type: 'object',
          required: ['keeper', 'to'],
          properties: { keeper: { type: 'string' }, to: { $ref: '#/components/schemas/Address' } },
        },
      },
    },
    schemas: {
      Sighting: {
        type: 'object',
        required: ['name', 'animal'],
        javaType: 'com.example.Sighting',
        properties: {
          name: { type: 'string' },
          animal: { $ref: '#/components/schemas/Animal' },
          at: { $ref: '#/components/schemas/Address' },
          weight: { type: 'string', format: 'decimal' },
          mood: { type: 'string', enum: ['calm', 'two\nlines'] },
        },
      },
      Address: {
        type: 'object',
        required: ['city'],
        properties: { city: { type: 'string' } },
      },
      Animal: {
        type: 'object',
        required: ['kind', 'name'],
        discriminator: 'kind',
        properties: { kind: { type: 'string' }, name: { type: 'string' } },
        oneOf: [{ $ref: '#/components/schemas/Dog' }, { $ref: '#/components/schemas/Cat' }],
      },
      Dog: {
        allOf: [
          { $ref: '#/components/schemas/Animal' },
          { type: 'object', required: ['bark'], properties: { bark: { type: 'boolean' } } },
        ],
      },
      Cat: {
        allOf: [
          { $ref: '#/components/schemas/Animal' },
          { type: 'object', required: ['lives'], properties: { lives: { type: 'integer' } } },
        ],
      },
    },
  },
};

let dir: string;
let result: GenerateResult;
const text = (file: string) => result.files.find((f) => f.path === file)?.content ?? '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'schema-pipeline-'));
  await writeFile(path.join(dir, 'zoo.yaml'), stringify(document));
  result = await generate({
    input: dir,
    outDir: path.join(dir, 'out'),
    runtimeEntry: path.join(root, 'runtime/contract/index.ts'),
    cwd: dir,
    mode: 'strict',
  });
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a Springwolf-style document', () => {
  it('types.ts compiles under strict', () => {
    expect(typeErrors(text('types.ts'))).toEqual([]);
  }, 30_000);

  it('names component schemas from the document, once', () => {
    const types = text('types.ts');
    expect(types.match(/^export interface Address \{/gm)).toHaveLength(1);
    expect(types).toContain('to: Address;');
    expect(types).toContain('at?: Address;');
    expect(types).toContain("mood?: 'calm' | 'two\\nlines';");
  });

  it('warns about the keyword and the format it does not check', () => {
    const warnings = result.diagnostics.filter((d) => d.code === 'unsupported').map((d) => d.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/keyword "javaType" is not JSON Schema/),
        expect.stringMatching(/format "decimal" is not one ajv knows/),
      ]),
    );
  });

  it('validates the class hierarchy without overflowing', async () => {
    const file = path.join(root, '.cache/validators-test', `pipeline-${process.pid}.js`);
    await import('node:fs').then((fs) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text('validators.js'));
    });
    const module = (await import(file)) as Record<string, (data: unknown) => boolean>;
    const validate = module.validateAnimalSeenPayload!;
    expect(validate({ name: 'Rex', animal: { kind: 'dog', name: 'Rex', bark: true } })).toBe(true);
    expect(validate({ name: 'Tom', animal: { kind: 'cat', name: 'Tom', lives: 9 } })).toBe(true);
    expect(validate({ name: 'Rex', animal: { kind: 'dog', name: 'Rex' } })).toBe(false);
    expect(validate({ name: 'Rex', animal: { kind: 'dog', bark: true } })).toBe(false);
  });
});
