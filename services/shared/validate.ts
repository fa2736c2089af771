/**
 * Request validation with ajv + ajv-formats. Schemas are compiled once, when
 * the route is declared (service start-up); a request that fails gets 400
 * `{ error: 'validation', fields: [{ path, message }] }` before the handler
 * runs, so nothing is written. Params and query are strings on the wire and
 * are coerced to the schema's types; the JSON body is not coerced.
 * Handlers read the validated values with `validated(c)`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Context, MiddlewareHandler } from 'hono';
import { type FieldError, validationError } from './errors.ts';

/** A JSON Schema object (ajv checks it at compile time). */
export type JsonSchema = Record<string, unknown>;

export interface RequestSchemas {
  readonly json?: JsonSchema;
  readonly params?: JsonSchema;
  readonly query?: JsonSchema;
}

export interface ValidatedRequest {
  readonly json: unknown;
  readonly params: unknown;
  readonly query: unknown;
}

export interface ValidationVariables {
  validated: ValidatedRequest;
}

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes, useDefaults: true });
  addFormatsModule.default(ajv);
  return ajv;
}

const bodyAjv = newAjv(false);
const stringAjv = newAjv(true);

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

/** Middleware validating the parts of the request that have a schema. */
export function validate(schemas: RequestSchemas): MiddlewareHandler<{ Variables: ValidationVariables }> {
  const json: ValidateFunction | undefined = schemas.json ? bodyAjv.compile(schemas.json) : undefined;
  const params: ValidateFunction | undefined = schemas.params ? stringAjv.compile(schemas.params) : undefined;
  const query: ValidateFunction | undefined = schemas.query ? stringAjv.compile(schemas.query) : undefined;
  return async (c, next) => {
    const fields: FieldError[] = [];
    let body: unknown;
    if (json) {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) {
        fields.push({ path: '/body', message: 'must be application/json' });
      } else {
        try {
          body = await c.req.json();
        } catch {
          fields.push({ path: '/body', message: 'must be valid JSON' });
        }
        if (fields.length === 0 && !json(body)) fields.push(...fieldErrors('/body', json.errors));
      }
    }
    const paramValues: Record<string, string> = { ...c.req.param() };
    if (params && !params(paramValues)) fields.push(...fieldErrors('/params', params.errors));
    const queryValues: Record<string, string> = { ...c.req.query() };
    if (query && !query(queryValues)) fields.push(...fieldErrors('/query', query.errors));
    if (fields.length > 0) throw validationError(fields);
    c.set('validated', { json: body, params: paramValues, query: queryValues });
    await next();
  };
}

/**
 * The request parts `validate` checked, typed by the caller. The cast is
 * sound only behind `validate` with a schema describing `T`.
 */
export function validated<T extends Partial<ValidatedRequest>>(c: Context): T {
  const value: unknown = c.get('validated');
  if (value === undefined) throw new Error('validated(c) used on a route without validate(...)');
  return value as T;
}
