/** `node services/chat/main.ts`: the chat service process (PORT default 3003). */
import { runService } from '../shared/server.ts';
import { chatService } from './definition.ts';

await runService(chatService());
