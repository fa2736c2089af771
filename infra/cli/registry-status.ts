/** Is the native schema registry running and answering? Exit code 0 only when it answers. */
import { registryStatus } from '../registry/native.ts';

const status = await registryStatus();
const process_ = status.running
  ? `pid ${status.pid}`
  : status.pid !== null
    ? `stale pid file (${status.pid})`
    : 'not running';
console.log(
  status.probe.ok
    ? `Registry   ok       ${status.url}/apis/ccompat/v7  (${status.probe.subjects} subject(s); ${process_})`
    : `Registry   MISSING  ${status.url}: ${process_} (${status.probe.error}); start it with: npm run registry:up`,
);
console.log(
  `           state ${status.stateDir}; application ${status.distCached ? 'cached' : 'not fetched yet'} in ${status.distDir}`,
);
process.exitCode = status.probe.ok ? 0 : 1;
