/** `node services/policy-cache/main.ts`: the policy cache process (PORT default 3107). */
import { runService } from '../shared/server.ts';
import { policyCacheService } from './definition.ts';

await runService(policyCacheService());
