import { describe, expect, it } from 'vitest';
import { lockKeyOf, quoteIdent } from './migrate.ts';

describe('migration helpers', () => {
  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdent('public')).toBe('"public"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });

  it('derives stable, positive 31-bit advisory-lock keys from names: FNV-1a (32 bit) of the UTF-8 bytes, top bit cleared', () => {
    // FNV-1a's published 32-bit test vectors ('' → 0x811c9dc5, 'a' → 0xe40c292c, 'foobar' → 0xbf9cf968),
    // with the top bit cleared. Every process (relays, migrations, old and new versions) must derive
    // the same key for a name, or two of them would hold "the" lock at once: these are pinned.
    expect(lockKeyOf('')).toBe(0x811c9dc5 & 0x7fffffff);
    expect(lockKeyOf('a')).toBe(0xe40c292c & 0x7fffffff);
    expect(lockKeyOf('foobar')).toBe(0xbf9cf968 & 0x7fffffff);
    // The names the runtime locks, computed independently (Python, FNV-1a over the UTF-8 bytes).
    expect(lockKeyOf('public')).toBe(1_284_543_360);
    expect(lockKeyOf('public.domain_event_outbox')).toBe(1_353_435_931);
    expect(lockKeyOf('ünïcödé')).toBe(820_705_234); // bytes, not UTF-16 code units
    expect(lockKeyOf('public.domain_event_outbox')).not.toBe(lockKeyOf('other.domain_event_outbox'));
    for (const name of ['', 'a', 'public', 'x'.repeat(200), 'ünïcödé']) {
      const key = lockKeyOf(name);
      expect(Number.isInteger(key) && key >= 0 && key <= 0x7fffffff).toBe(true);
    }
  });
});
