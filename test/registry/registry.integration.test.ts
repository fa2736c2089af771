/**
 * A real schema registry's JSON Schema compatibility verdicts, through
 * test/support/registry-compat.ts: the native Apicurio Registry
 * (infra/registry/native.ts), started here when nothing answers and stopped
 * again afterwards, or the registry REGISTRY_URL names. The first run fetches
 * it from Maven Central (about 159 MB) and needs a Java 21+.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, stopRegistry } from '../../infra/registry/native.ts';
import { registryAnswers, registryCompatBaseUrl, registryVerdict } from '../support/registry-compat.ts';

const baseUrl = registryCompatBaseUrl();
let startedHere = false;

beforeAll(async () => {
  if (await registryAnswers(baseUrl)) return;
  if (process.env.REGISTRY_URL) throw new Error(`REGISTRY_URL=${process.env.REGISTRY_URL} does not answer`);
  const started = await startRegistry({}, (line) => console.log(`[registry] ${line}`));
  startedHere = !started.reused;
  console.log(
    `[registry] ${started.url} ${started.reused ? 'reused' : `started in ${(started.startMs / 1000).toFixed(1)} s`}`,
  );
}, 900_000);

afterAll(async () => {
  if (startedHere) await stopRegistry();
}, 60_000);

const person = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  description: 'A person',
  properties: {
    name: { type: 'string', description: 'Full name' },
    nickname: { type: 'string' },
  },
  required: ['name'],
};

describe('a Confluent-compatible registry’s JSON Schema verdicts', () => {
  it('adding a required property is not BACKWARD compatible', async () => {
    const candidate = {
      ...person,
      properties: { ...person.properties, email: { type: 'string' } },
      required: ['name', 'email'],
    };
    const verdict = await registryVerdict('add-required', [person], candidate, 'BACKWARD', { baseUrl });
    expect(verdict.compatible).toBe(false);
    expect(verdict.messages.join('\n')).toMatch(/required/i);
  });

  it('removing an optional property from a closed schema is not BACKWARD compatible, but is FORWARD', async () => {
    const closed = { ...person, additionalProperties: false };
    const { nickname: _removed, ...kept } = closed.properties;
    const candidate = { ...closed, properties: kept };
    const backward = await registryVerdict('closed-remove', [closed], candidate, 'BACKWARD', { baseUrl });
    expect(backward.compatible).toBe(false);
    expect(backward.messages.length).toBeGreaterThan(0);
    const forward = await registryVerdict('closed-remove', [closed], candidate, 'FORWARD', { baseUrl });
    expect(forward).toMatchObject({ compatible: true, messages: [] });
  });

  it('a description-only change is compatible, at FULL_TRANSITIVE too', async () => {
    const candidate = {
      ...person,
      description: 'Someone we know',
      properties: { ...person.properties, name: { type: 'string', description: 'Given and family name' } },
    };
    for (const level of ['BACKWARD', 'FULL_TRANSITIVE'] as const) {
      const history = [{ ...person, description: 'A human' }, person];
      const verdict = await registryVerdict('description', history, candidate, level, { baseUrl });
      expect(verdict, level).toMatchObject({ compatible: true, messages: [] });
    }
  });
});
