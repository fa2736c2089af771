/** Application header values to and from text, per codec: every accepted form, every refused one, both ways. */
import { describe, expect, it } from 'vitest';
import type { HeaderCodec } from '../contract/headers.ts';
import { decodeHeader, encodeHeader, MISFIT } from './header-codec.ts';

const decodes: [HeaderCodec, string, unknown][] = [
  ['integer', '3', 3],
  ['integer', '0', 0],
  ['integer', '-12', -12],
  ['integer', '1e+21', 1e21],
  ['integer', '1.5', 1.5], // decoded; the schema then says it is no integer
  ['number', '-1.5', -1.5],
  ['number', '2.5E-3', 0.0025],
  ['boolean', 'true', true],
  ['boolean', 'false', false],
  ['json', '{"origin":"cron","hops":[1,2]}', { origin: 'cron', hops: [1, 2] }],
  ['json', '[1,"a"]', [1, 'a']],
  ['json', 'null', null],
  ['json', '"text"', 'text'],
];
const misfits: [HeaderCodec, string][] = [
  ['integer', 'abc'],
  ['integer', ''],
  ['integer', ' 3'],
  ['integer', '3 '],
  ['integer', '+3'],
  ['integer', '03'],
  ['integer', '0x10'],
  ['integer', 'NaN'],
  ['integer', 'Infinity'],
  ['number', '1.'],
  ['number', '.5'],
  ['boolean', 'True'],
  ['boolean', '1'],
  ['boolean', ''],
  ['json', '{origin: cron}'],
  ['json', ''],
];

describe('decodeHeader', () => {
  it.each(decodes)('%s reads %j', (codec, text, want) => {
    expect(decodeHeader(codec, text)).toEqual(want);
  });
  it.each(misfits)('%s refuses %j', (codec, text) => {
    expect(decodeHeader(codec, text)).toBe(MISFIT);
  });
});

describe('encodeHeader', () => {
  it.each(decodes)('%s writes what reads back as %j', (codec, _text, value) => {
    const text = encodeHeader(codec, value);
    expect(text).not.toBe(MISFIT);
    expect(decodeHeader(codec, text as string)).toEqual(value);
  });

  const refused: [HeaderCodec | undefined, unknown][] = [
    ['integer', Number.NaN],
    ['integer', Number.POSITIVE_INFINITY],
    ['number', Number.NEGATIVE_INFINITY],
    ['integer', '3'],
    ['boolean', 'true'],
    ['boolean', 0],
    ['json', { ratio: Number.NaN }],
    ['json', [Number.POSITIVE_INFINITY]],
    ['json', () => 1],
    ['json', undefined],
    ['json', 10n],
    [undefined, 3],
    [undefined, true],
    [undefined, { a: 1 }],
  ];
  it.each(refused)('%s refuses %s', (codec, value) => {
    expect(encodeHeader(codec, value)).toBe(MISFIT);
  });

  it('keeps text as it is when the contract declares a string', () => {
    expect(encodeHeader(undefined, 'high')).toBe('high');
    expect(encodeHeader(undefined, '')).toBe('');
  });
});
