/**
 * One set of images: the Testcontainers path of the test harness runs exactly
 * what docker-compose.yml runs, and the README names both.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGES } from '../support/infrastructure.ts';

const root = path.resolve(import.meta.dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string }>;
};
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('infrastructure images', () => {
  it('are the same for Testcontainers and docker compose', () => {
    expect({
      kafka: compose.services.kafka?.image,
      postgres: compose.services.postgres?.image,
      redis: compose.services.redis?.image,
    }).toEqual(IMAGES);
  });

  it('are the ones the README names for Testcontainers', () => {
    const line = readme.split('\n\n').find((p) => p.includes('**Testcontainers**'));
    expect(line).toBeDefined();
    for (const image of Object.values(IMAGES)) expect(line).toContain(`\`${image}\``);
  });
});
