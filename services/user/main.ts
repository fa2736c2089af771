/** `node services/user/main.ts`: the user service process (PORT default 3001). */
import { runService } from '../shared/server.ts';
import { userService } from './definition.ts';

await runService(userService());
