/** Request schemas of the file-policy service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

/** The contract's pattern (asyncapi/platform/file.yaml): the lower-case extension. */
const fileType = { type: 'string', pattern: '^[a-z0-9][a-z0-9.+-]{0,31}$' };

export const fileTypeParamsSchema = requestSchema<FileTypeParams>({
  type: 'object',
  required: ['fileType'],
  properties: { fileType },
});
export interface FileTypeParams {
  fileType: string;
}

/** Any id of the contract's shape; whether the masking service knows it is checked against masking-rules.ts. */
export const maskingRuleSchema = requestSchema<MaskingRuleBody>({
  type: 'object',
  additionalProperties: false,
  required: ['maskingRuleId'],
  properties: { maskingRuleId: { type: 'string', minLength: 1, maxLength: 128 } },
});
export interface MaskingRuleBody {
  maskingRuleId: string;
}

export const listQuerySchema = requestSchema<ListQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    /** The last `fileType` of the previous page. */
    after: fileType,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
});
export interface ListQuery {
  after?: string;
  limit: number;
}
