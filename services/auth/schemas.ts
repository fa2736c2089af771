/**
 * Request schemas of the auth service (ajv, compiled once at start-up by the
 * route's validator). Feature keys and actions follow the contract's patterns
 * (asyncapi/common/schemas.yaml FeaturePermission), with length bounds the
 * contract leaves open.
 */
import { TRIMMED_PATTERN } from '../shared/schemas.ts';
import { requestSchema } from '../shared/validate.ts';
import { type FeaturePermission, MAX_ACTIONS_PER_FEATURE, MAX_FEATURES } from './permissions.ts';

/**
 * An identity-provider user id: 1–128 characters (the contract's bounds); no
 * control characters (the kit refuses them in paths) and no leading or
 * trailing white space (` u-1` and `u-1` would be two users).
 */
export const userIdSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: TRIMMED_PATTERN };

export const featureSchema = {
  type: 'string',
  maxLength: 128,
  pattern: '^[a-z][a-z0-9]*([._-][a-z0-9]+)*$',
};

const actionSchema = { type: 'string', maxLength: 64, pattern: '^[a-z][a-z0-9_-]*$' };

const actionsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_ACTIONS_PER_FEATURE,
  uniqueItems: true,
  items: actionSchema,
};

export const userParamsSchema = requestSchema<UserParams>({
  type: 'object',
  required: ['userId'],
  properties: { userId: userIdSchema },
});
export interface UserParams {
  userId: string;
}

export const grantSchema = requestSchema<GrantBody>({
  type: 'object',
  additionalProperties: false,
  required: ['feature', 'actions'],
  properties: { feature: featureSchema, actions: actionsSchema },
});
export interface GrantBody {
  feature: string;
  actions: string[];
}

export const revocationSchema = requestSchema<RevocationBody>({
  type: 'object',
  additionalProperties: false,
  required: ['feature'],
  properties: { feature: featureSchema, actions: actionsSchema },
});
export interface RevocationBody {
  feature: string;
  /** Absent: the whole feature. */
  actions?: string[];
}

export const replacementSchema = requestSchema<ReplacementBody>({
  type: 'object',
  additionalProperties: false,
  required: ['permissions'],
  properties: {
    permissions: {
      type: 'array',
      maxItems: MAX_FEATURES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['feature', 'actions'],
        properties: { feature: featureSchema, actions: actionsSchema },
      },
    },
  },
});
export interface ReplacementBody {
  permissions: FeaturePermission[];
}
