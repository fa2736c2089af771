import { describe, expect, it } from 'vitest';
import { byKey, byTopic, firstRowPerKey, halves } from './batches.ts';

const row = (id: number, topic: string, key: string) => ({ id: String(id), topic, key });
const rows = [row(1, 'a', 'k1'), row(2, 'b', 'k1'), row(3, 'a', 'k2'), row(4, 'a', 'k1'), row(5, 'b', 'k1')];

describe('relay batch helpers', () => {
  it('groups by topic and by key in order of first appearance, rows in order', () => {
    expect(byTopic(rows).map((g) => g.map((r) => r.id))).toEqual([
      ['1', '3', '4'],
      ['2', '5'],
    ]);
    expect(byKey(rows).map((g) => g.map((r) => r.id))).toEqual([['1', '4'], ['2', '5'], ['3']]);
  });

  it('treats the same key on two topics as two keys', () => {
    expect(firstRowPerKey(rows).map((r) => r.id)).toEqual(['1', '2', '3']);
  });

  it('splits key groups into halves without cutting a key', () => {
    const [left, right] = halves(byKey(rows));
    expect(left.map((r) => r.id)).toEqual(['1', '4', '2', '5']);
    expect(right.map((r) => r.id)).toEqual(['3']);
    const leftKeys = new Set(left.map((r) => `${r.topic}/${r.key}`));
    expect(right.some((r) => leftKeys.has(`${r.topic}/${r.key}`))).toBe(false);
  });
});
