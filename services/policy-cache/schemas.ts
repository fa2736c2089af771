/** Request schemas of the policy cache, shared with the server (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

/** The contract's patterns (common/schemas.yaml FeaturePermission, auth.yaml userId). */
export const userIdSchema = { type: 'string', minLength: 1, maxLength: 128 };
export const featureSchema = { type: 'string', maxLength: 128, pattern: '^[a-z][a-z0-9]*([._-][a-z0-9]+)*$' };
export const actionSchema = { type: 'string', maxLength: 64, pattern: '^[a-z][a-z0-9_-]*$' };

export const permissionCheckQuerySchema = requestSchema<PermissionCheckQuery>({
  type: 'object',
  additionalProperties: false,
  required: ['userId', 'feature', 'action'],
  properties: { userId: userIdSchema, feature: featureSchema, action: actionSchema },
});
export interface PermissionCheckQuery {
  userId: string;
  feature: string;
  action: string;
}
