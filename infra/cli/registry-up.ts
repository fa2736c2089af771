/**
 * Starts the native schema registry (Apicurio Registry, Confluent-compatible API
 * under /apis/ccompat/v7) or reuses the running one: infra/registry/native.ts.
 * Fetches it from Maven Central on first use.
 */
import { REGISTRY_VERSION, startRegistry } from '../registry/native.ts';

try {
  const result = await startRegistry({}, (line) => console.error(line));
  const how = result.reused
    ? `already running (pid ${result.pid}), reused`
    : `started (pid ${result.pid}) in ${(result.startMs / 1000).toFixed(1)} s`;
  console.log(
    `Registry   ok       ${result.url}/apis/ccompat/v7  (Apicurio Registry ${REGISTRY_VERSION}, ${how}; log ${result.logFile})`,
  );
} catch (err) {
  console.error(`Registry   FAILED   ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
