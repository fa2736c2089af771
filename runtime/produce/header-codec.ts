/**
 * Application header values to and from the text Kafka carries, by the codec
 * the generator chose from the contract (`HeaderCodec`). Pure and allocation-free
 * on the success path: the publisher and the consumer call it only for the
 * headers an event declares, so an event without application headers never gets here.
 */
import type { HeaderCodec } from '../contract/headers.ts';

/** Returned by `decodeHeader` and `encodeHeader` for a value that does not fit its codec. */
export const MISFIT: unique symbol = Symbol('header value does not fit its codec');

/** A JSON number, nothing around it (no whitespace, no `+`, no leading zeros, no hex). */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** The value of a header's text, or `MISFIT` when the text is not of the codec's kind. */
export function decodeHeader(codec: HeaderCodec, text: string): unknown {
  switch (codec) {
    case 'integer':
    case 'number':
      // The schema decides what else the number must be (an integer, a minimum, ...).
      return JSON_NUMBER.test(text) ? Number(text) : MISFIT;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : MISFIT;
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return MISFIT;
      }
  }
}

/** What a value decoded as: said in the dead-letter reason. */
export function describeCodec(codec: HeaderCodec | undefined): string {
  switch (codec) {
    case 'integer':
      return 'an integer as JSON text';
    case 'number':
      return 'a finite number as JSON text';
    case 'boolean':
      return '`true` or `false`';
    case 'json':
      return 'JSON text';
    case undefined:
      return 'text (a string)';
  }
}

/**
 * The text of a typed header value, or `MISFIT`. `codec` absent: the contract declares the header
 * a string (or does not type it), so only a string is taken, as it is.
 */
export function encodeHeader(codec: HeaderCodec | undefined, value: unknown): string | typeof MISFIT {
  switch (codec) {
    case undefined:
      return typeof value === 'string' ? value : MISFIT;
    case 'integer':
    case 'number':
      // String() of a finite number is its JSON text (`3`, `-1.5`, `1e+21`).
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : MISFIT;
    case 'boolean':
      return value === true ? 'true' : value === false ? 'false' : MISFIT;
    case 'json':
      return encodeJson(value);
  }
}

/** JSON text of a value; `MISFIT` for what JSON cannot say exactly (non-finite numbers, functions, ...). */
function encodeJson(value: unknown): string | typeof MISFIT {
  let exact = true;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    // JSON.stringify would write NaN and ±Infinity as null, and drop functions and symbols: refuse instead.
    if (
      (typeof v === 'number' && !Number.isFinite(v)) ||
      typeof v === 'function' ||
      typeof v === 'symbol' ||
      typeof v === 'bigint'
    ) {
      exact = false;
      return null;
    }
    return v;
  }) as string | undefined;
  return exact && text !== undefined ? text : MISFIT;
}
