/**
 * Application headers: the headers a contract declares beside the CloudEvents
 * envelope (`ce_*`, `content-type`, `traceparent`, `tracestate`). Kafka carries
 * every header as bytes, so a header the contract types as a number, a boolean
 * or an object travels as text; the generator writes down, per event, how each
 * such header is read and written (`EventDefinition.headerFields`), and the
 * runtime encodes on publish and decodes on consume with nothing else to look at.
 */

/**
 * How the text of one application header maps to its contract type:
 * - `integer`, `number`: a JSON number (`3`, `-1.5`, `1e+21`);
 * - `boolean`: `true` or `false`;
 * - `json`: JSON text (objects, arrays, `null`, unions of non-string types).
 *
 * A header typed `string` (an enum of strings, a format, ...) or left untyped needs no codec: its text is its value.
 */
export type HeaderCodec = 'integer' | 'number' | 'boolean' | 'json';

/** Header name → codec, for each declared application header that is not plain text. */
export type HeaderFields = { readonly [header: string]: HeaderCodec };

/** Envelope headers the runtime sets; a caller can never set them as application headers. */
export type EnvelopeHeaderName = `ce_${string}` | 'content-type' | 'traceparent' | 'tracestate';

/** True for a header of the envelope (CloudEvents binary mode, W3C trace context). */
export function isEnvelopeHeader(name: string): boolean {
  return name.startsWith('ce_') || name === 'content-type' || name === 'traceparent' || name === 'tracestate';
}

/**
 * The application headers of a header type: its declared fields minus the envelope fields
 * and minus any index signature (so an unknown header name is a compile error).
 */
export type ApplicationHeaders<THeaders> = {
  [K in keyof THeaders as K extends EnvelopeHeaderName
    ? never
    : string extends K
      ? never
      : number extends K
        ? never
        : K]: THeaders[K];
};

/**
 * The `headers` member of an outgoing event: refused when the event declares no application
 * headers, optional when it declares only optional ones, required when one of them is required.
 */
export type HeadersMember<TApplication> = [keyof TApplication] extends [never]
  ? { readonly headers?: never }
  : Record<never, never> extends TApplication
    ? { readonly headers?: Readonly<TApplication> }
    : { readonly headers: Readonly<TApplication> };

/**
 * A topic's event union (`{ type, payload }` members) with each member's application headers:
 * `THeaders` maps an event type to that event's header type (envelope included: it is dropped).
 * Event types missing from `THeaders` accept no headers.
 */
export type WithApplicationHeaders<TEvents extends { readonly type: string }, THeaders> = TEvents extends {
  readonly type: infer K;
}
  ? TEvents & HeadersMember<K extends keyof THeaders ? ApplicationHeaders<THeaders[K]> : Record<never, never>>
  : never;
