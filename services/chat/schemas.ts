/** Request schemas of the chat service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

const id = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 };
const uuid = { type: 'string', format: 'uuid' };

/** A group room holds at most this many members, creator included. */
export const GROUP_MAX_MEMBERS = 100;

/**
 * `{ type: 'direct', user_id }` (the other participant) or
 * `{ type: 'group', name, member_ids }` (the invited users; the creator is added).
 */
export const createRoomSchema = requestSchema<CreateRoomBody>({
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'user_id'],
      properties: { type: { const: 'direct' }, user_id: id },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'name', 'member_ids'],
      properties: {
        type: { const: 'group' },
        name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
        member_ids: {
          type: 'array',
          minItems: 1,
          maxItems: GROUP_MAX_MEMBERS - 1,
          uniqueItems: true,
          items: id,
        },
      },
    },
  ],
});
export type CreateRoomBody =
  | { type: 'direct'; user_id: number }
  | { type: 'group'; name: string; member_ids: number[] };

/** Text: 1–10000 characters, not only whitespace. Image and file: the http(s) URL of the uploaded object. */
export const sendMessageSchema = requestSchema<SendMessageBody>({
  type: 'object',
  additionalProperties: false,
  required: ['content', 'message_type'],
  properties: {
    content: { type: 'string', minLength: 1, maxLength: 10_000, pattern: '\\S' },
    message_type: { type: 'string', enum: ['text', 'image', 'file'] },
  },
  if: { required: ['message_type'], properties: { message_type: { enum: ['image', 'file'] } } },
  // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword here.
  then: {
    properties: { content: { type: 'string', maxLength: 2048, format: 'uri', pattern: '^https?://' } },
  },
});
export interface SendMessageBody {
  content: string;
  message_type: 'text' | 'image' | 'file';
}

export const markReadSchema = requestSchema<MarkReadBody>({
  type: 'object',
  additionalProperties: false,
  required: ['message_ids'],
  properties: { message_ids: { type: 'array', minItems: 1, maxItems: 500, uniqueItems: true, items: uuid } },
});
export interface MarkReadBody {
  message_ids: string[];
}

export const roomIdParamsSchema = requestSchema<RoomIdParams>({
  type: 'object',
  required: ['id'],
  properties: { id },
});
export interface RoomIdParams {
  id: number;
}

export const listMessagesQuerySchema = requestSchema<ListMessagesQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    /** `next_cursor` of the previous page: messages older than it. */
    cursor: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
  },
});
export interface ListMessagesQuery {
  limit: number;
  cursor?: string;
}
