/** Request schemas of the user service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

const email = { type: 'string', format: 'email', maxLength: 254 };
const displayName = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' };

export const registerSchema = requestSchema<RegisterBody>({
  type: 'object',
  additionalProperties: false,
  required: ['email', 'username', 'password'],
  properties: {
    email,
    username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,50}$' },
    password: { type: 'string', minLength: 8, maxLength: 200 },
    display_name: displayName,
  },
});
export interface RegisterBody {
  email: string;
  username: string;
  password: string;
  display_name?: string;
}

export const loginSchema = requestSchema<LoginBody>({
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email, password: { type: 'string', minLength: 1, maxLength: 200 } },
});
export interface LoginBody {
  email: string;
  password: string;
}

export const updateProfileSchema = requestSchema<UpdateProfileBody>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    display_name: displayName,
    profile_image_url: { type: ['string', 'null'], format: 'uri', maxLength: 2048 },
    status_message: { type: 'string', maxLength: 200 },
  },
});
export interface UpdateProfileBody {
  display_name?: string;
  profile_image_url?: string | null;
  status_message?: string;
}

export const onlineStatusSchema = requestSchema<OnlineStatusBody>({
  type: 'object',
  additionalProperties: false,
  required: ['is_online'],
  properties: { is_online: { type: 'boolean' } },
});
export interface OnlineStatusBody {
  is_online: boolean;
}

export const userIdParamsSchema = requestSchema<UserIdParams>({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
});
export interface UserIdParams {
  id: number;
}
