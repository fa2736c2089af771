/** `node services/friend/main.ts`: the friend service process (PORT default 3002). */
import { runService } from '../shared/server.ts';
import { friendService } from './definition.ts';

await runService(friendService());
