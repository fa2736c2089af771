/** `node services/auth/main.ts`: the auth service process (PORT default 3101). */
import { runService } from '../shared/server.ts';
import { authService } from './definition.ts';

await runService(authService());
