/**
 * Request validation: Hono's own `validator` running our ajv schemas, so
 * handlers read typed values with `c.req.valid('json' | 'param' | 'query')`.
 *
 * A schema is declared once with the type it describes (`requestSchema<T>`)
 * and compiled when the route is declared (service start-up). A request that
 * fails answers 400 `{ error: 'validation', fields: [{ path, message }] }`
 * before the handler runs, so nothing is written. Input is treated as hostile:
 *
 * - path and query values are strings on the wire; they are converted by the
 *   schema's types with strict rules (`10`, not `1e1`, `Infinity`, `0x10` or
 *   ` 10`; integers within ±2^53; `true`/`false`), and a value given twice is
 *   refused, before ajv sees them, so min/max always apply to a finite number;
 * - no string anywhere (bodies, keys, paths, queries) may hold NUL, which
 *   PostgreSQL refuses in text; path and query values may hold no control
 *   character at all, body strings none but tab, line feed and carriage return;
 * - `date` and `date-time` accept only calendar dates PostgreSQL accepts too
 *   (years 0001–9999, real days of the month, hours below 24);
 * - a JSON body must be `application/json` and parse; its size is bounded by
 *   the app (`createServiceApp`'s `maxBodyBytes`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import { type FieldError, validationError } from './errors.ts';

/** A JSON Schema object (ajv checks it at compile time). */
export type JsonSchema = Record<string, unknown>;

/** A request schema and the TypeScript type of the values it accepts. */
export interface RequestSchema<T> {
  readonly jsonSchema: JsonSchema;
  /** Phantom: carries `T`; never set. */
  readonly type?: T;
}

/**
 * Declares a schema with its type. The type is the author's claim about the
 * schema, made here once, next to it; handlers get it from `c.req.valid()`.
 */
export function requestSchema<T>(jsonSchema: JsonSchema): RequestSchema<T> {
  return { jsonSchema };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function validDay(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** `YYYY-MM-DD`, a real day of years 0001–9999. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** RFC 3339 date-time with a zone (`Z` or ±hh:mm), a real day of years 0001–9999, a real time of day. */
export function isTimestamp(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m || !validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  return m[9] === undefined || (Number(m[10]) <= 15 && Number(m[11]) <= 59);
}

/** The instant of an `isTimestamp` string, or undefined (cursors and other hand-parsed values). */
export function parseTimestamp(value: string): Date | undefined {
  if (!isTimestamp(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
  addFormatsModule.default(ajv);
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
  ajv.addFormat('date-time', { type: 'string', validate: isTimestamp });
  return ajv;
}

const ajv = newAjv();

function fieldErrors(prefix: string, errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const missing =
      e.keyword === 'required'
        ? `/${String((e.params as { missingProperty?: unknown }).missingProperty)}`
        : '';
    const extra =
      e.keyword === 'additionalProperties'
        ? `/${String((e.params as { additionalProperty?: unknown }).additionalProperty)}`
        : '';
    return { path: `${prefix}${e.instancePath}${missing}${extra}`, message: e.message ?? 'is invalid' };
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const BODY_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const WIRE_FORBIDDEN = /[\u0000-\u001f\u007f]/;

/** Every string (and object key) of a JSON value that holds a forbidden character, as field errors. */
function forbiddenCharacters(value: unknown, path: string, pattern: RegExp, out: FieldError[]): void {
  if (out.length >= 20) return;
  if (typeof value === 'string') {
    if (pattern.test(value)) {
      out.push({
        path,
        message: value.includes('\u0000')
          ? 'must not contain NUL characters'
          : 'must not contain control characters',
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      forbiddenCharacters(item, `${path}/${i}`, pattern, out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const child = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (pattern.test(key)) out.push({ path: child, message: 'name must not contain control characters' });
      forbiddenCharacters(item, child, pattern, out);
    }
  }
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function scalarTypeOf(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const type = (schema as { type?: unknown }).type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

/**
 * Path or query strings → the schema's scalar types, strictly. Unknown names
 * stay strings (ajv's `additionalProperties` answers for them).
 */
function fromWire(
  values: Record<string, string | string[]>,
  schema: JsonSchema,
  prefix: string,
  fields: FieldError[],
): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const path = `${prefix}/${name}`;
    const type = scalarTypeOf(properties[name]);
    if (Array.isArray(raw)) {
      if (type !== 'array') {
        fields.push({ path, message: 'must be given once' });
        continue;
      }
      out[name] = raw;
      continue;
    }
    if (type === 'integer') {
      const n = Number(raw);
      if (!INTEGER.test(raw) || !Number.isSafeInteger(n)) {
        fields.push({ path, message: 'must be an integer between -9007199254740991 and 9007199254740991' });
        continue;
      }
      out[name] = n;
    } else if (type === 'number') {
      const n = Number(raw);
      if (!NUMBER.test(raw) || !Number.isFinite(n)) {
        fields.push({ path, message: 'must be a finite decimal number' });
        continue;
      }
      out[name] = n;
    } else if (type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        fields.push({ path, message: 'must be true or false' });
        continue;
      }
      out[name] = raw === 'true';
    } else {
      out[name] = raw;
    }
  }
  return out;
}

function failIf(fields: readonly FieldError[]): void {
  if (fields.length > 0) throw validationError(fields);
}

type Typed<K extends 'json' | 'param' | 'query', T> = {
  in: { [P in K]: P extends 'json' ? T : Record<string, string> };
  out: { [P in K]: T };
};

/** Validates the JSON body: `c.req.valid('json')` is a `T`. */
export function jsonBody<T, E extends Env = Env>(
  schema: RequestSchema<T>,
): MiddlewareHandler<E, string, Typed<'json', T>> {
  const check: ValidateFunction = ajv.compile(schema.jsonSchema);
  return validator('json', (value: unknown, c: Context) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw validationError([{ path: '/body', message: 'must be application/json' }]);
    }
    const fields: FieldError[] = [];
    forbiddenCharacters(value, '/body', BODY_FORBIDDEN, fields);
    failIf(fields);
    if (!check(value)) failIf(fieldErrors('/body', check.errors));
    return value as T; // checked by the schema `T` was declared with
  }) as unknown as MiddlewareHandler<E, string, Typed<'json', T>>;
}

function wireValidator<K extends 'param' | 'query', T, E extends Env>(
  target: K,
  schema: RequestSchema<T>,
): MiddlewareHandler<E, string, Typed<K, T>> {
  const check: ValidateFunction = ajv.compile(schema.jsonSchema);
  const prefix = target === 'param' ? '/params' : '/query';
  return validator(target, (raw: Record<string, string | string[]>) => {
    const fields: FieldError[] = [];
    forbiddenCharacters(raw, prefix, WIRE_FORBIDDEN, fields);
    failIf(fields);
    const value = fromWire(raw, schema.jsonSchema, prefix, fields);
    failIf(fields);
    if (!check(value)) failIf(fieldErrors(prefix, check.errors));
    return value as T; // checked by the schema `T` was declared with
  }) as unknown as MiddlewareHandler<E, string, Typed<K, T>>;
}

/** Validates the path parameters: `c.req.valid('param')` is a `T`. */
export function pathParams<T, E extends Env = Env>(
  schema: RequestSchema<T>,
): MiddlewareHandler<E, string, Typed<'param', T>> {
  return wireValidator<'param', T, E>('param', schema);
}

/** Validates the query string: `c.req.valid('query')` is a `T` (defaults filled in). */
export function queryParams<T, E extends Env = Env>(
  schema: RequestSchema<T>,
): MiddlewareHandler<E, string, Typed<'query', T>> {
  return wireValidator<'query', T, E>('query', schema);
}
