/** Exact decimal arithmetic on JSON numbers, for `multipleOf` (as Java's BigDecimal does it). */

interface Decimal {
  /** The value is digits × 10^-scale. */
  readonly digits: bigint;
  readonly scale: number;
}

function toDecimal(value: number): Decimal {
  const [mantissa = '0', exponentText = '0'] = String(value).toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const [whole = '0', fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = BigInt(`${whole}${fraction}`) * (negative ? -1n : 1n);
  const scale = fraction.length - Number(exponentText);
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

function atScale(value: Decimal, scale: number): bigint {
  return value.digits * 10n ** BigInt(scale - value.scale);
}

/** True when `dividend` is an exact multiple of `divisor` (never for a zero divisor). */
export function isMultipleOf(dividend: number, divisor: number): boolean {
  const a = toDecimal(dividend);
  const b = toDecimal(divisor);
  const scale = Math.max(a.scale, b.scale);
  const bScaled = atScale(b, scale);
  return bScaled !== 0n && atScale(a, scale) % bScaled === 0n;
}
