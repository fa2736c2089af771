/** `node services/policy/main.ts`: the policy service process (PORT default 3102). */
import { runService } from '../shared/server.ts';
import { policyService } from './definition.ts';

await runService(policyService());
