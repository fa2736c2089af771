/** Stops the native schema registry (SIGTERM, then SIGKILL); does nothing when it is not running. */
import { stopRegistry } from '../registry/native.ts';

try {
  const result = await stopRegistry({}, (line) => console.error(line));
  if (result.wasRunning) {
    console.log(`Registry stopped (pid ${result.pid}${result.killed ? ', had to SIGKILL' : ''}).`);
  } else {
    console.log(
      `Registry was not running${result.pid !== null ? ` (removed stale pid file for ${result.pid})` : ''}.`,
    );
  }
} catch (err) {
  console.error(`Could not stop the registry: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
