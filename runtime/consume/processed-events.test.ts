import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlLiteral, textArray } from './processed-events.ts';

describe('sqlLiteral', () => {
  it.each([
    ['plain', 'user.events'],
    ['empty', ''],
    ['a quote', "o'brien"],
    ['quotes only', "''"],
    ['a backslash', 'a\\b'],
    ['both', "it's a\\path'"],
    ['a text[] literal of ids', textArray(['7d3c0a52-2f0e-4a53-9b7e-0c6a1f2e9d11', 'x"y', 'back\\slash'])],
    ['unicode', 'naïve ☃ 𝄞'],
  ])('writes %s as pg.escapeLiteral does', (_, text) => {
    expect(sqlLiteral(text)).toBe(pg.escapeLiteral(text));
  });
});
