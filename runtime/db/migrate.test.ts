import { describe, expect, it } from 'vitest';
import { lockKeyOf, quoteIdent } from './migrate.ts';

describe('migration helpers', () => {
  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdent('public')).toBe('"public"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });

  it('derives stable, positive 31-bit advisory-lock keys from names', () => {
    expect(lockKeyOf('public.domain_event_outbox')).toBe(lockKeyOf('public.domain_event_outbox'));
    expect(lockKeyOf('public.domain_event_outbox')).not.toBe(lockKeyOf('other.domain_event_outbox'));
    for (const name of ['', 'a', 'public', 'x'.repeat(200), 'ünïcödé']) {
      const key = lockKeyOf(name);
      expect(Number.isInteger(key) && key >= 0 && key <= 0x7fffffff).toBe(true);
    }
  });
});
