/** `node services/masking-service/main.ts`: the masking service process (PORT default 3110). */
import { runService } from '../shared/server.ts';
import { maskingService } from './definition.ts';

await runService(maskingService());
