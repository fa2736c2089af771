/** `node services/analytics/main.ts`: the analytics service process (PORT default 3005). */
import { runService } from '../shared/server.ts';
import { analyticsService } from './definition.ts';

await runService(analyticsService());
