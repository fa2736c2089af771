/** `node services/file-policy/main.ts`: the file-policy service process (PORT default 3104). */
import { runService } from '../shared/server.ts';
import { filePolicyService } from './definition.ts';

await runService(filePolicyService());
