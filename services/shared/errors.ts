/**
 * Errors a handler throws to answer with a JSON status; anything else becomes
 * a 500 without details (see app.ts).
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class HttpError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 503;
  readonly body: Record<string, unknown>;

  constructor(status: HttpError['status'], error: string, extra: Record<string, unknown> = {}) {
    super(error);
    this.name = 'HttpError';
    this.status = status;
    this.body = { error, ...extra };
  }
}

export const validationError = (fields: readonly FieldError[]): HttpError =>
  new HttpError(400, 'validation', { fields });
export const unauthorized = (message = 'missing or invalid bearer token'): HttpError =>
  new HttpError(401, 'unauthorized', { message });
export const forbidden = (message: string): HttpError => new HttpError(403, 'forbidden', { message });
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', { message });
export const conflict = (message: string, extra: Record<string, unknown> = {}): HttpError =>
  new HttpError(409, 'conflict', { message, ...extra });

/** PostgreSQL's unique_violation, with the violated constraint's name. */
export function uniqueViolation(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const pgErr = err as { code?: unknown; constraint?: unknown };
  if (pgErr.code !== '23505') return undefined;
  return typeof pgErr.constraint === 'string' ? pgErr.constraint : '';
}
