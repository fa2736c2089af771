/**
 * The service kit's request validation, class by class of hostile input: each
 * answers 4xx JSON before the handler runs (the handler counts its calls),
 * never 500. Runs the kit's app in-process; the pool is never used.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createServiceApp } from '../../services/shared/app.ts';
import { createLogger } from '../../services/shared/logger.ts';
import {
  isCalendarDate,
  isTimestamp,
  jsonBody,
  parseTimestamp,
  pathParams,
  queryParams,
  requestSchema,
} from '../../services/shared/validate.ts';

interface Body {
  name: string;
  count?: number;
  at?: string;
  tags?: string[];
}
const bodySchema = requestSchema<Body>({
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    count: { type: 'integer', minimum: 0, maximum: 10 },
    at: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' } },
  },
});
const idSchema = requestSchema<{ id: number }>({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
});
interface Query {
  limit: number;
  ratio?: number;
  unread: boolean;
  day?: string;
}
const querySchema = requestSchema<Query>({
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    ratio: { type: 'number', minimum: 0, maximum: 1 },
    unread: { type: 'boolean', default: false },
    day: { type: 'string', format: 'date' },
  },
});

function testApp() {
  const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
  const service = createServiceApp({
    name: 'kit-test',
    logger: createLogger('kit-test', { level: 'silent' }),
    pool,
    defaultMetrics: false,
    maxBodyBytes: 64 * 1024,
  });
  const calls: unknown[] = [];
  service.app.post(
    '/things/:id',
    pathParams(idSchema),
    queryParams(querySchema),
    jsonBody(bodySchema),
    (c) => {
      const seen = { id: c.req.valid('param').id, query: c.req.valid('query'), body: c.req.valid('json') };
      calls.push(seen);
      return c.json(seen, 201);
    },
  );
  return { app: service.app, calls };
}

async function send(path: string, body: string, contentType = 'application/json') {
  const { app, calls } = testApp();
  const res = await app.request(path, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, calls };
}

const ok = JSON.stringify({ name: 'n' });

describe('request validation', () => {
  it('passes typed, converted values to the handler', async () => {
    const r = await send('/things/7?limit=5&ratio=0.25&unread=true&day=2024-02-29', ok);
    expect(r.status).toBe(201);
    expect(r.json).toEqual({
      id: 7,
      query: { limit: 5, ratio: 0.25, unread: true, day: '2024-02-29' },
      body: { name: 'n' },
    });
  });

  it('fills query defaults', async () => {
    const r = await send('/things/1', ok);
    expect(r.json.query).toEqual({ limit: 20, unread: false });
  });

  const refused: [string, string, string, string][] = [
    // [what, path, body, field path expected]
    ['Infinity as an id', '/things/Infinity', ok, '/params/id'],
    ['-Infinity as a limit', '/things/1?limit=-Infinity', ok, '/query/limit'],
    ['1e400 as a limit', '/things/1?limit=1e400', ok, '/query/limit'],
    ['an exponent as an integer', '/things/1?limit=1e1', ok, '/query/limit'],
    ['hex as an integer', '/things/0x10', ok, '/params/id'],
    ['a padded integer', '/things/1?limit=%2010', ok, '/query/limit'],
    ['an id beyond 2^53', '/things/9007199254740993', ok, '/params/id'],
    ['an id of 0 (minimum)', '/things/0', ok, '/params/id'],
    ['NaN as a number', '/things/1?ratio=NaN', ok, '/query/ratio'],
    ['Infinity as a number', '/things/1?ratio=Infinity', ok, '/query/ratio'],
    ['a limit given twice', '/things/1?limit=1&limit=2', ok, '/query/limit'],
    ['yes as a boolean', '/things/1?unread=yes', ok, '/query/unread'],
    ['NUL in a query value', '/things/1?day=%00', ok, '/query/day'],
    ['a control character in a query value', '/things/1?day=2024-01-01%0A', ok, '/query/day'],
    ['an unknown query name', '/things/1?evil=1', ok, '/query/evil'],
    ['2020-02-30', '/things/1?day=2020-02-30', ok, '/query/day'],
    ['year 0000', '/things/1?day=0000-01-01', ok, '/query/day'],
    ['a bare number as a date', '/things/1?day=1', ok, '/query/day'],
    ['2023-02-29 (not a leap year)', '/things/1?day=2023-02-29', ok, '/query/day'],
    ['NUL in a body string', '/things/1', JSON.stringify({ name: 'a\u0000b' }), '/body/name'],
    ['NUL in an array item', '/things/1', JSON.stringify({ name: 'a', tags: ['x\u0000'] }), '/body/tags/0'],
    ['a NUL in a body key', '/things/1', '{"name":"a","\\u0000":1}', '/body/\u0000'],
    ['an escape character in a body string', '/things/1', JSON.stringify({ name: 'a\u001bb' }), '/body/name'],
    ['1e400 in the body', '/things/1', '{"name":"a","count":1e400}', '/body/count'],
    ['a fractional count', '/things/1', '{"name":"a","count":1.5}', '/body/count'],
    [
      'a date-time without zone',
      '/things/1',
      JSON.stringify({ name: 'a', at: '2024-01-01T00:00:00' }),
      '/body/at',
    ],
    [
      'a date-time in year 0000',
      '/things/1',
      JSON.stringify({ name: 'a', at: '0000-01-01T00:00:00Z' }),
      '/body/at',
    ],
    [
      'a date-time at 24:00',
      '/things/1',
      JSON.stringify({ name: 'a', at: '2024-01-01T24:00:00Z' }),
      '/body/at',
    ],
    ['a missing field', '/things/1', '{}', '/body/name'],
    ['an extra field', '/things/1', '{"name":"a","admin":true}', '/body/admin'],
    ['malformed JSON', '/things/1', '{"name":', '/body'],
    ['a JSON null body', '/things/1', 'null', '/body'],
  ];
  it.each(refused)(
    'refuses %s with 400 naming the field, handler not called',
    async (_what, path, body, field) => {
      const r = await send(path, body);
      expect(r.status).toBe(400);
      expect(r.json.error).toBe('validation');
      const fields = r.json.fields as { path: string; message: string }[];
      expect(fields.map((f) => f.path)).toContain(field);
      expect(r.calls).toHaveLength(0);
    },
  );

  it('keeps tab, line feed and carriage return in body strings', async () => {
    const r = await send('/things/1', JSON.stringify({ name: 'line one\n\tline two\r\n' }));
    expect(r.status).toBe(201);
  });

  it('refuses a body that is not application/json', async () => {
    const r = await send('/things/1', ok, 'text/plain');
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual([{ path: '/body', message: 'must be application/json' }]);
    expect(r.calls).toHaveLength(0);
  });

  it('refuses a body above the limit with 413 JSON', async () => {
    const r = await send('/things/1', JSON.stringify({ name: 'x'.repeat(100_000) }));
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('payload_too_large');
    expect(r.calls).toHaveLength(0);
  });
});

describe('dates and timestamps PostgreSQL accepts', () => {
  it.each([
    ['2024-02-29', true],
    ['0001-01-01', true],
    ['9999-12-31', true],
    ['2023-02-29', false],
    ['2020-02-30', false],
    ['0000-01-01', false],
    ['2020-13-01', false],
    ['2020-1-01', false],
    ['1', false],
  ])('date %s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });

  it.each([
    ['2024-01-01T00:00:00Z', true],
    ['2024-01-01T23:59:59.123456+09:00', true],
    ['2024-01-01t00:00:00z', true],
    ['2024-01-01T00:00:00', false],
    ['2024-01-01 00:00:00Z', false],
    ['2024-01-01T24:00:00Z', false],
    ['2024-01-01T00:60:00Z', false],
    ['2024-01-01T00:00:00+16:00', false],
    ['0000-01-01T00:00:00Z', false],
    ['1', false],
  ])('timestamp %s → %s', (value, expected) => {
    expect(isTimestamp(value)).toBe(expected);
  });

  it('parses only valid timestamps', () => {
    expect(parseTimestamp('2024-01-01T00:00:00.000Z')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseTimestamp('2020-02-30T00:00:00Z')).toBeUndefined();
  });
});
