/** Request schemas of the batch application (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';
import type { JobKind, JobStatus } from './jobs.ts';

const batchId = { type: 'string', minLength: 1, maxLength: 128 };
const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 };
/** The id of the last item of the previous page. */
const cursor = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 };

export const jobsQuerySchema = requestSchema<JobsQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    batchId,
    status: { type: 'string', enum: ['scheduled', 'running', 'succeeded', 'failed'] },
    kind: { type: 'string', enum: ['full-follow-up', 'partial-retry'] },
    cursor,
    limit,
  },
});
export interface JobsQuery {
  batchId?: string;
  status?: JobStatus;
  kind?: JobKind;
  cursor?: number;
  limit: number;
}

export const failedBatchesQuerySchema = requestSchema<FailedBatchesQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { batchId, cursor, limit },
});
export interface FailedBatchesQuery {
  batchId?: string;
  cursor?: number;
  limit: number;
}
