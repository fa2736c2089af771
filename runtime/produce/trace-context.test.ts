import { describe, expect, it } from 'vitest';
import { newTraceparent } from './prepare-event.ts';

describe('newTraceparent', () => {
  it('is a sampled W3C version-00 trace context, new every time, across random-pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const traceparent = newTraceparent();
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(traceparent).not.toMatch(/^00-0{32}-|-0{16}-01$/);
      seen.add(traceparent);
    }
    expect(seen.size).toBe(1000);
  });
});
