/**
 * `npm run demo [-- chat|platform]`: drives a system's scenario against the
 * running system (`npm start` in another terminal) and shows the events as
 * they flow (chat.ts, platform.ts). Exits non-zero when a step fails: an HTTP
 * call refused, an expected effect missing, an event some group did not
 * handle in time.
 */
import '../../infra/cli/quiet-warnings.ts';
import { chatDemo } from './chat.ts';
import { platformDemo } from './platform.ts';
import { DemoFailure } from './support.ts';

const scenarios: Record<string, () => Promise<void>> = { chat: chatDemo, platform: platformDemo };
const which = process.argv[2] ?? 'chat';
const scenario = scenarios[which];
if (!scenario) {
  console.error(`Unknown demo "${which}": choose ${Object.keys(scenarios).join(' or ')}.`);
  process.exit(2);
}
try {
  await scenario();
} catch (err) {
  console.error(`\nDemo failed: ${err instanceof DemoFailure ? err.message : (err as Error).stack}`);
  process.exitCode = 1;
}
