/** `node services/read-model-worker/main.ts`: the read-model-worker process (PORT default 3105). */
import { runService } from '../shared/server.ts';
import { readModelWorkerService } from './definition.ts';

await runService(readModelWorkerService());
