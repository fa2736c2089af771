/** Request schemas of the friend service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 };

export const sendRequestSchema = requestSchema<SendRequestBody>({
  type: 'object',
  additionalProperties: false,
  required: ['addressee_id'],
  properties: { addressee_id: id },
});
export interface SendRequestBody {
  addressee_id: number;
}

export const requestIdParamsSchema = requestSchema<RequestIdParams>({
  type: 'object',
  required: ['id'],
  properties: { id },
});
export interface RequestIdParams {
  id: number;
}
