/** Request schemas of the friend service (ajv, compiled once at start-up by `validate`). */
import type { JsonSchema } from '../shared/validate.ts';

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 };

export const sendRequestSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['addressee_id'],
  properties: { addressee_id: id },
};
export interface SendRequestBody {
  addressee_id: number;
}

export const requestIdParamsSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: { id },
};
export interface RequestIdParams {
  id: number;
}
