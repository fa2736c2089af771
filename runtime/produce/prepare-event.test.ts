import { describe, expect, it } from 'vitest';
import { eventExamples, messageEventsTopic } from '../../generated/index.ts';
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
