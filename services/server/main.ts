/** `node services/server/main.ts`: the platform server process (PORT default 3106). */
import { runService } from '../shared/server.ts';
import { serverService } from './definition.ts';

await runService(serverService());
