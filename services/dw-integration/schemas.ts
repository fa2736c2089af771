/** Request schemas of the dw-integration service (ajv, compiled once at start-up by the route's validator). */
import { TRIMMED_PATTERN } from '../shared/schemas.ts';
import { requestSchema } from '../shared/validate.ts';
import { CURSOR_PATTERN } from './cursor.ts';

/** The contract's bounds (asyncapi/platform/dw-integration.yaml): 1–128 characters. */
export const batchIdSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: TRIMMED_PATTERN };
/** An organization code (asyncapi/common/schemas.yaml OrgRange): 1–64 characters. */
const orgCode = { type: 'string', minLength: 1, maxLength: 64, pattern: TRIMMED_PATTERN };

export const BATCH_STATUSES = ['RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export type CompletedStatus = Exclude<BatchStatus, 'RUNNING'>;

export const createBatchSchema = requestSchema<CreateBatchBody>({
  type: 'object',
  additionalProperties: false,
  required: ['batchId', 'orgRange'],
  properties: {
    batchId: batchIdSchema,
    orgRange: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: orgCode, to: orgCode },
    },
  },
});
export interface CreateBatchBody {
  batchId: string;
  orgRange: { from: string; to: string };
}

export const completionSchema = requestSchema<CompletionBody>({
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED'] },
    run: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
  },
});
export interface CompletionBody {
  status: CompletedStatus;
  /** The run being completed; when given and not the batch's current run, 409. */
  run?: number;
}

export const batchParamsSchema = requestSchema<BatchParams>({
  type: 'object',
  required: ['batchId'],
  properties: { batchId: batchIdSchema },
});
export interface BatchParams {
  batchId: string;
}

export const listQuerySchema = requestSchema<ListQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...BATCH_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', pattern: CURSOR_PATTERN },
  },
});
export interface ListQuery {
  status?: BatchStatus;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}
