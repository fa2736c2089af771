/** Request schemas of the notification service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

export const listQuerySchema = requestSchema<ListQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    /** `next_cursor` of the previous page. */
    cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$' },
    unread: { type: 'boolean', default: false },
  },
});
export interface ListQuery {
  limit: number;
  cursor?: string;
  unread: boolean;
}

export const notificationIdParamsSchema = requestSchema<NotificationIdParams>({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
});
export interface NotificationIdParams {
  id: string;
}
