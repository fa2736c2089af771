/** `node services/dw-gateway/main.ts`: the DW gateway process (PORT default 3108). */
import { runService } from '../shared/server.ts';
import { dwGatewayService } from './definition.ts';

await runService(dwGatewayService());
