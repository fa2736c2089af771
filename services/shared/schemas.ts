/** Request schema pieces the services' `schemas.ts` share (ajv, compiled by the routes' validators). */
import { requestSchema } from './validate.ts';

/**
 * An id with no leading or trailing white space (` u-1` and `u-1` would be
 * two ids); control characters are the kit's to refuse in paths.
 */
export const TRIMMED_PATTERN = '^\\S(.*\\S)?$';

/** GET routes without query parameters refuse any: a filter that would be ignored is an error. */
export const noQuerySchema = requestSchema<Record<string, never>>({
  type: 'object',
  additionalProperties: false,
});
