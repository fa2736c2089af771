/** `node services/batch-app/main.ts`: the batch application process (PORT default 3109). */
import { runService } from '../shared/server.ts';
import { batchAppService } from './definition.ts';

await runService(batchAppService());
