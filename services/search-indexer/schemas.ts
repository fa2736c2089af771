/** Request schemas of the search indexer (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

export const searchQuerySchema = requestSchema<SearchQuery>({
  type: 'object',
  additionalProperties: false,
  required: ['q'],
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    /** Only this room (it must be one of the caller's). */
    room_id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
});
export interface SearchQuery {
  q: string;
  room_id?: number;
  limit: number;
}
