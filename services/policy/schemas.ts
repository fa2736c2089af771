/** Request schemas of the policy service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

/** The contract's patterns (asyncapi/platform/policy.yaml): lower-case names, full lower-case SHA-1s. */
const bundleId = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' };
const gitHash = { type: 'string', pattern: '^[0-9a-f]{40}$' };
const timestamp = { type: 'string', format: 'date-time' };

export const registerSchema = requestSchema<RegisterBody>({
  type: 'object',
  additionalProperties: false,
  required: ['bundleId', 'gitHash'],
  properties: {
    bundleId,
    gitHash,
    description: { type: 'string', minLength: 1, maxLength: 1000 },
  },
});
export interface RegisterBody {
  bundleId: string;
  gitHash: string;
  description?: string;
}

export const applySchema = requestSchema<ApplyBody>({
  type: 'object',
  additionalProperties: false,
  required: ['gitHash'],
  properties: { gitHash, effectiveAt: timestamp },
});
export interface ApplyBody {
  gitHash: string;
  /** RFC 3339; absent: now. */
  effectiveAt?: string;
}

export const bundleParamsSchema = requestSchema<BundleParams>({
  type: 'object',
  required: ['bundleId'],
  properties: { bundleId },
});
export interface BundleParams {
  bundleId: string;
}

export const inForceQuerySchema = requestSchema<InForceQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { at: timestamp },
});
export interface InForceQuery {
  /** RFC 3339; absent: now. */
  at?: string;
}

export const timelineQuerySchema = requestSchema<TimelineQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { from: timestamp },
});
export interface TimelineQuery {
  /** RFC 3339; absent: now. */
  from?: string;
}
