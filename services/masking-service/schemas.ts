/** Request schemas of the masking service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

/** Longest sample text masked at once: 256 Ki characters. */
export const MAX_TEXT_LENGTH = 256 * 1024;
/** Request body limit: the longest text with every character JSON-escaped (`\uXXXX`), plus the envelope. */
export const MAX_BODY_BYTES = 6 * MAX_TEXT_LENGTH + 4096;

/** The contract's file type pattern (file.yaml). */
const fileType = { type: 'string', pattern: '^[a-z0-9][a-z0-9.+-]{0,31}$' };

export const maskRequestSchema = requestSchema<MaskRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['fileType', 'text'],
  properties: { fileType, text: { type: 'string', maxLength: MAX_TEXT_LENGTH } },
});
export interface MaskRequest {
  fileType: string;
  text: string;
}
