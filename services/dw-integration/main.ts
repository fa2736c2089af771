/** `node services/dw-integration/main.ts`: the dw-integration service process (PORT default 3103). */
import { runService } from '../shared/server.ts';
import { dwIntegrationService } from './definition.ts';

await runService(dwIntegrationService());
