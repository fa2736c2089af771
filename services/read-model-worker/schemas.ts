/** Request schemas of the read-model-worker (ajv, compiled once at start-up by the route's validator). */
import { bundleIdSchema } from '../dw-gateway/schemas.ts';
import { userIdSchema } from '../policy-cache/schemas.ts';
import { requestSchema } from '../shared/validate.ts';
import type { BatchStatus } from './batches.ts';

const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 };
const cursor = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' };

export const userIdParamsSchema = requestSchema<UserIdParams>({
  type: 'object',
  additionalProperties: false,
  required: ['userId'],
  properties: { userId: userIdSchema },
});
export interface UserIdParams {
  userId: string;
}

export const pageQuerySchema = requestSchema<PageQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { cursor, limit },
});
export interface PageQuery {
  cursor?: string;
  limit: number;
}

export const batchIdParamsSchema = requestSchema<BatchIdParams>({
  type: 'object',
  additionalProperties: false,
  required: ['batchId'],
  properties: { batchId: { type: 'string', minLength: 1, maxLength: 128 } },
});
export interface BatchIdParams {
  batchId: string;
}

export const batchesQuerySchema = requestSchema<BatchesQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED'] },
    /** Only batches whose orgRange covers this organization code. */
    orgCode: { type: 'string', minLength: 1, maxLength: 64 },
    cursor,
    limit,
  },
});
export interface BatchesQuery {
  status?: BatchStatus;
  orgCode?: string;
  cursor?: string;
  limit: number;
}

export const bundleIdParamsSchema = requestSchema<BundleIdParams>({
  type: 'object',
  additionalProperties: false,
  required: ['bundleId'],
  properties: { bundleId: bundleIdSchema },
});
export interface BundleIdParams {
  bundleId: string;
}
