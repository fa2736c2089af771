import { describe, expect, it } from 'vitest';
import { eventExamples, messageEventsTopic } from '../../generated/index.ts';
import { jobsTopic } from '../../test/support/typed-headers-topic.ts';
import { EventValidationError } from './errors.ts';
import { prepareEvent } from './prepare-event.ts';

const example = eventExamples.MessageSent[0]!;
const event = { type: 'MessageSent', payload: example.payload };
const validateHeaders = messageEventsTopic.events.MessageSent.validateHeaders!;

describe('prepareEvent', () => {
  it('builds envelope headers that satisfy the contract’s header schema', () => {
    for (let i = 0; i < 200; i++) {
      const prepared = prepareEvent(messageEventsTopic, event);
      expect(validateHeaders(prepared.headers), JSON.stringify(validateHeaders.errors)).toBe(true);
      expect(prepared.key).toBe(String(example.payload.room_id));
      expect(JSON.parse(prepared.value)).toEqual(example.payload);
    }
  });

  it('shares the formatted time within a millisecond, never across one', async () => {
    const a = prepareEvent(messageEventsTopic, event).headers.ce_time!;
    await new Promise((r) => setTimeout(r, 5));
    const b = prepareEvent(messageEventsTopic, event).headers.ce_time!;
    expect(Date.parse(b)).toBeGreaterThan(Date.parse(a));
    expect(Math.abs(Date.parse(b) - Date.now())).toBeLessThan(1_000);
  });

  it('checks headers a caller supplied against the contract, naming the failing header', () => {
    const bad = () => prepareEvent(messageEventsTopic, event, { traceparent: 'not-a-trace-context' });
    expect(bad).toThrow(EventValidationError);
    expect(bad).toThrow(/headers breaks its contract: \/traceparent/);
    expect(() => prepareEvent(messageEventsTopic, event, { id: 'not a uuid' })).toThrow(/\/ce_id/);
  });
});

describe('prepareEvent with typed application headers', () => {
  const job = { type: 'JobQueued', payload: { jobId: 'j-1' } } as const;
  const prepare = (headers: Record<string, unknown> | undefined) =>
    prepareEvent(jobsTopic, headers === undefined ? job : { ...job, headers });

  it('validates the typed values and encodes each one as text: numbers and objects as JSON, booleans as true/false', () => {
    const prepared = prepare({
      retryCount: 3,
      urgent: false,
      ratio: -1.5,
      priority: 'high',
      meta: { origin: 'cron', hops: [1, 2] },
    });
    expect(prepared.headers).toMatchObject({
      retryCount: '3',
      urgent: 'false',
      ratio: '-1.5',
      priority: 'high',
      meta: '{"origin":"cron","hops":[1,2]}',
    });
    expect(prepared.headers.ce_type).toBe('JobQueued');
    for (const value of Object.values(prepared.headers)) expect(typeof value).toBe('string');
  });

  it('writes large and small numbers as JSON numbers', () => {
    expect(prepare({ retryCount: 1e21, ratio: 1e-7 }).headers).toMatchObject({
      retryCount: '1e+21',
      ratio: '1e-7',
    });
  });

  it('leaves an optional header out when it is absent or undefined', () => {
    const prepared = prepare({ retryCount: 0, urgent: undefined });
    expect(prepared.headers).not.toHaveProperty('urgent');
    expect(prepared.headers.retryCount).toBe('0');
  });

  const refusals: [string, Record<string, unknown> | undefined, RegExp][] = [
    [
      'a missing required header (no headers at all)',
      undefined,
      /headers breaks its contract: \/retryCount is required/,
    ],
    ['a missing required header', { urgent: true }, /\/retryCount is required/],
    ['a string for an integer', { retryCount: '3' }, /\/retryCount must be integer/],
    ['a fraction for an integer', { retryCount: 1.5 }, /\/retryCount must be integer/],
    ['a number below the minimum', { retryCount: -1 }, /\/retryCount must be >= 0/],
    ['a string for a boolean', { retryCount: 1, urgent: 'yes' }, /\/urgent must be boolean/],
    [
      'an enum value outside its list',
      { retryCount: 1, priority: 'urgent' },
      /\/priority must be equal to one of/,
    ],
    ['an object missing a field', { retryCount: 1, meta: { hops: [] } }, /\/meta\/origin is required/],
    ['NaN', { retryCount: 1, ratio: Number.NaN }, /\/ratio must be number/],
    ['Infinity', { retryCount: 1, ratio: Number.POSITIVE_INFINITY }, /\/ratio must be number/],
    [
      'a non-finite number inside an object',
      { retryCount: 1, meta: { origin: 'x', hops: [Number.NaN] } },
      /\/meta/,
    ],
    ['a header the contract does not type, given a number', { retryCount: 1, note: 7 }, /\/note/],
    ['an envelope header', { retryCount: 1, ce_type: 'Other' }, /\/ce_type is an envelope header/],
    ['content-type', { retryCount: 1, 'content-type': 'text/plain' }, /\/content-type is an envelope header/],
    ['traceparent', { retryCount: 1, traceparent: 'x' }, /\/traceparent is an envelope header.*options/],
  ];
  it.each(refusals)('refuses %s', (_name, headers, message) => {
    expect(() => prepare(headers)).toThrow(EventValidationError);
    expect(() => prepare(headers)).toThrow(message);
  });

  it('refuses, on an event whose contract declares only the envelope, a header that is not a string', () => {
    expect(() => prepareEvent(messageEventsTopic, { ...event, headers: { retryCount: 3 } })).toThrow(
      /\/retryCount must be string/,
    );
  });

  it('refuses a value its codec cannot write even where the schema lets it through', () => {
    const untyped = { ...jobsTopic.events.JobQueued, validateHeaders: undefined };
    const topic = { ...jobsTopic, events: { JobQueued: untyped } };
    expect(() => prepareEvent(topic, { ...job, headers: { retryCount: Number.NaN } })).toThrow(
      /\/retryCount is not an integer as JSON text/,
    );
    expect(() => prepareEvent(topic, { ...job, headers: { retryCount: 1, note: 7 } })).toThrow(
      /\/note is not text \(a string\)/,
    );
  });

  it('costs an event without application headers nothing: its headers are the envelope alone', () => {
    expect(Object.keys(prepareEvent(messageEventsTopic, event).headers).sort()).toEqual(
      [
        'ce_id',
        'ce_schemaversion',
        'ce_source',
        'ce_specversion',
        'ce_subject',
        'ce_time',
        'ce_type',
        'content-type',
        'traceparent',
      ].sort(),
    );
  });
});
