/** Request schemas of the analytics service (ajv, compiled once at start-up by the route's validator). */
import { requestSchema } from '../shared/validate.ts';

export const statsQuerySchema = requestSchema<StatsQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    /** First UTC day included (YYYY-MM-DD). */
    from: { type: 'string', format: 'date' },
    /** Last UTC day included (YYYY-MM-DD). */
    to: { type: 'string', format: 'date' },
    /** Only this event type. */
    type: { type: 'string', pattern: '^[A-Za-z]{1,100}$' },
  },
});
export interface StatsQuery {
  from?: string;
  to?: string;
  type?: string;
}
