/** Request schemas of the DW gateway (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

/** The contract's bundle id pattern (policy.yaml). */
export const bundleIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' };

export const querySchema = requestSchema<QueryBody>({
  type: 'object',
  additionalProperties: false,
  required: ['bundleId', 'dataset'],
  properties: {
    bundleId: bundleIdSchema,
    /** The warehouse dataset queried, e.g. `sales.orders`. */
    dataset: { type: 'string', maxLength: 128, pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,3}$' },
  },
});
export interface QueryBody {
  bundleId: string;
  dataset: string;
}

export const queryIdParamsSchema = requestSchema<QueryIdParams>({
  type: 'object',
  additionalProperties: false,
  required: ['queryId'],
  properties: { queryId: { type: 'string', format: 'uuid' } },
});
export interface QueryIdParams {
  queryId: string;
}
