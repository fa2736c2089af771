/** `node services/notification/main.ts`: the notification service process (PORT default 3004). */
import { runService } from '../shared/server.ts';
import { notificationService } from './definition.ts';

await runService(notificationService());
