/**
 * A Confluent-compatible schema registry for machines without Docker: Apicurio
 * Registry (its `/apis/ccompat/v7` API), run from the ready-built Quarkus
 * application its release puts on Maven Central. Used to compare JSON Schema
 * compatibility verdicts with a real registry's (test/support/registry-compat.ts);
 * nothing in the runtime depends on it.
 *
 *   dist:  `mvn dependency:unpack-dependencies` on infra/registry/pom.xml (the
 *          `apicurio-registry-app-<version>-all.tar.gz` archive), cached outside
 *          the clone (REGISTRY_NATIVE_CACHE); unpacked into a temp dir and renamed
 *          into place only when complete.
 *   state: ~/.cache/contract-events/apicurio-registry-<version>/state (REGISTRY_NATIVE_STATE_DIR):
 *          logs/registry.log, registry.pid, tmp/. The registry keeps its data in an
 *          in-memory H2 database (its default storage): every start begins empty.
 *   java:  Apicurio Registry 3 is compiled for Java 21. REGISTRY_NATIVE_JAVA, else
 *          JAVA_HOME's or PATH's java when it is 21 or newer, else the newest JDK
 *          21+ under /usr/lib/jvm (where this project's machines keep a second JDK).
 *
 * Ports: HTTP on 127.0.0.1:18081 (REGISTRY_NATIVE_PORT), Quarkus' management
 * interface (/health) on the next port (REGISTRY_NATIVE_MANAGEMENT_PORT).
 * `startRegistry` is idempotent (a running registry is reused) and leaves the
 * registry running detached; `stopRegistry` sends SIGTERM, waits, then SIGKILLs.
 * Nothing here prints: pass `log` to hear progress.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  abandonStart,
  commandLineOf,
  findProcess,
  isProcessAlive,
  javaMajorVersion,
  type Log,
  portAnswers,
  readPidFile,
  removeAbandonedPartials,
  run,
  type StopResult,
  sleep,
  stopServer,
  tailFile,
  withLockFile,
} from '../native-process.ts';

export const REGISTRY_VERSION = '3.3.3';
/** The oldest Java that runs Apicurio Registry 3 (its classes are version 65). */
export const REGISTRY_MIN_JAVA = 21;

export interface RegistryConfig {
  readonly pomFile: string;
  /** Where the unpacked application (quarkus-run.jar, lib/, app/, quarkus/) lives once fetched. */
  readonly distDir: string;
  readonly stateDir: string;
  readonly host: string;
  readonly port: number;
  readonly managementPort: number;
  /** JVM max heap, as in -Xmx (512m). */
  readonly heap: string;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** A java binary to use as is; null: look for one of Java 21 or newer (see the file's comment). */
  readonly java: string | null;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The system property that marks our JVM's command line, so a pid can be told to be ours. */
const STATE_MARK = '-Dcontract-events.registry.state=';

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The registry's configuration: `overrides`, then the environment (names above), then the defaults. */
export function registryConfig(
  overrides: Partial<RegistryConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): RegistryConfig {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  const home = path.join(cacheHome, 'contract-events', `apicurio-registry-${REGISTRY_VERSION}`);
  const port = overrides.port ?? intFromEnv(env, 'REGISTRY_NATIVE_PORT', 18081);
  const explicitJava = env.REGISTRY_NATIVE_JAVA;
  return {
    pomFile: overrides.pomFile ?? path.join(REPO_ROOT, 'infra', 'registry', 'pom.xml'),
    distDir: path.resolve(overrides.distDir ?? (env.REGISTRY_NATIVE_CACHE || path.join(home, 'dist'))),
    stateDir: path.resolve(overrides.stateDir ?? (env.REGISTRY_NATIVE_STATE_DIR || path.join(home, 'state'))),
    host: '127.0.0.1',
    port,
    managementPort: overrides.managementPort ?? intFromEnv(env, 'REGISTRY_NATIVE_MANAGEMENT_PORT', port + 1),
    heap: overrides.heap ?? (env.REGISTRY_NATIVE_HEAP || '512m'),
    startTimeoutMs: overrides.startTimeoutMs ?? intFromEnv(env, 'REGISTRY_NATIVE_START_TIMEOUT_MS', 120_000),
    stopTimeoutMs: overrides.stopTimeoutMs ?? intFromEnv(env, 'REGISTRY_NATIVE_STOP_TIMEOUT_MS', 30_000),
    java: overrides.java !== undefined ? overrides.java : explicitJava ? explicitJava : null,
  };
}

/** The registry's base URL; the Confluent-compatible API is under `/apis/ccompat/v7`. */
export function registryUrl(config: RegistryConfig): string {
  return `http://${config.host}:${config.port}`;
}

const files = (c: RegistryConfig) => ({
  runJar: path.join(c.distDir, 'quarkus-run.jar'),
  logsDir: path.join(c.stateDir, 'logs'),
  log: path.join(c.stateDir, 'logs', 'registry.log'),
  tmpDir: path.join(c.stateDir, 'tmp'),
  pid: path.join(c.stateDir, 'registry.pid'),
  lock: path.join(c.stateDir, '.lock'),
});

// ---------------------------------------------------------------- processes

/** The argument that marks our JVM; the trailing separator keeps `state` from matching `state-test`. */
const stateMark = (config: RegistryConfig) => `${STATE_MARK}${config.stateDir}${path.sep}`;

async function isOurRegistry(pid: number, config: RegistryConfig): Promise<boolean> {
  const commandLine = await commandLineOf(pid);
  if (commandLine === null) return false;
  return commandLine.includes(stateMark(config)) && commandLine.includes('quarkus-run.jar');
}

function findOurRegistryPid(config: RegistryConfig): number | null {
  const mark = stateMark(config);
  return findProcess((argv) => argv.includes(mark) && argv.some((a) => a.endsWith('quarkus-run.jar')));
}

function withLock<T>(config: RegistryConfig, work: () => Promise<T>): Promise<T> {
  // Room for a first fetch of the archive as well as a start.
  return withLockFile(files(config).lock, config.startTimeoutMs + 15 * 60_000, work);
}

/** The last lines of the registry's log, for error messages. */
export function registryLogTail(config: RegistryConfig, lines = 40): string {
  const f = files(config);
  return [`--- ${f.log} (last ${lines} lines)`, tailFile(f.log, lines)].join('\n');
}

// ---------------------------------------------------------------- java

/**
 * A java of version 21 or newer: the configured one (which must be), else
 * JAVA_HOME's, PATH's, or the newest under /usr/lib/jvm.
 */
export async function findRegistryJava(
  config: RegistryConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ java: string; major: number }> {
  if (config.java !== null) {
    const found = await javaMajorVersion(config.java).catch((err: unknown) => {
      throw new Error(`REGISTRY_NATIVE_JAVA=${config.java} does not run: ${String(err)}`);
    });
    if (!(found.major >= REGISTRY_MIN_JAVA)) {
      throw new Error(
        `Apicurio Registry ${REGISTRY_VERSION} needs Java ${REGISTRY_MIN_JAVA} or newer; ${config.java} is: ${found.banner}`,
      );
    }
    return { java: config.java, major: found.major };
  }
  const seen: string[] = [];
  const tryJava = async (java: string): Promise<number | null> => {
    try {
      const { major, banner } = await javaMajorVersion(java);
      seen.push(`${java}: ${banner}`);
      return major;
    } catch {
      return null;
    }
  };
  const first = [env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : null, 'java'];
  for (const java of first) {
    if (java === null) continue;
    const major = await tryJava(java);
    if (major !== null && major >= REGISTRY_MIN_JAVA) return { java, major };
  }
  const jvmRoot = '/usr/lib/jvm';
  let best: { java: string; major: number } | null = null;
  const probed = new Set<string>();
  for (const name of (await fsp.readdir(jvmRoot).catch(() => [] as string[])).sort()) {
    const java = path.join(jvmRoot, name, 'bin', 'java');
    const real = await fsp.realpath(java).catch(() => null);
    // Debian links one JDK under several names.
    if (real === null || probed.has(real)) continue;
    probed.add(real);
    const major = await tryJava(java);
    if (major !== null && major >= REGISTRY_MIN_JAVA && (best === null || major > best.major)) {
      best = { java, major };
    }
  }
  if (best !== null) return best;
  throw new Error(
    `Apicurio Registry ${REGISTRY_VERSION} needs Java ${REGISTRY_MIN_JAVA} or newer (its classes are Java 21 bytecode), ` +
      `and none was found; set REGISTRY_NATIVE_JAVA to one. Looked at:\n${seen.join('\n') || '(no java at all)'}`,
  );
}

// ---------------------------------------------------------------- distribution

export interface DistResult {
  readonly distDir: string;
  readonly fetched: boolean;
  readonly durationMs: number;
  /** The size of the unpacked application on disk. */
  readonly bytes: number;
}

interface DistManifest {
  readonly registryVersion: string;
  readonly pomSha256: string;
  readonly bytes: number;
  readonly fetchedAt: string;
}

const MANIFEST = '.complete.json';

async function readManifest(distDir: string): Promise<DistManifest | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(distDir, MANIFEST), 'utf8')) as DistManifest;
  } catch {
    return null;
  }
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fsp.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await fsp.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Makes sure the unpacked application is in `config.distDir`. A cache counts
 * only if its manifest (written last, before the rename) names the current pom.
 */
export async function ensureRegistryDist(config: RegistryConfig, log: Log = () => {}): Promise<DistResult> {
  const started = Date.now();
  const pomSha256 = createHash('sha256')
    .update(await fsp.readFile(config.pomFile))
    .digest('hex');
  const current = await readManifest(config.distDir);
  if (current && current.pomSha256 === pomSha256 && current.registryVersion === REGISTRY_VERSION) {
    return {
      distDir: config.distDir,
      fetched: false,
      durationMs: Date.now() - started,
      bytes: current.bytes,
    };
  }
  await fsp.mkdir(path.dirname(config.distDir), { recursive: true });
  await removeAbandonedPartials(config.distDir);
  const partial = `${config.distDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  const markers = `${partial}.markers`;
  log(
    `Fetching Apicurio Registry ${REGISTRY_VERSION} (about 159 MB) from Maven Central into ${config.distDir} ...`,
  );
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        config.pomFile,
        'dependency:unpack-dependencies',
        `-DoutputDirectory=${partial}`,
        `-Dregistry.markersDirectory=${markers}`,
      ],
      { cwd: path.dirname(config.pomFile), timeoutMs: 15 * 60_000 },
    ).catch((err: unknown) => {
      const hint = String(err).includes('was not found on PATH')
        ? '\nMaven is needed once to fetch the registry (Debian: apt-get install -y maven).'
        : '';
      throw new Error(
        `Could not fetch Apicurio Registry.${hint}\n${err instanceof Error ? err.message : String(err)}`,
      );
    });
    for (const needed of ['quarkus-run.jar', 'lib', 'app', 'quarkus']) {
      if (!fs.existsSync(path.join(partial, needed)))
        throw new Error(`The fetch finished without ${needed} in ${partial}`);
    }
    const bytes = await sizeOf(partial);
    const manifest: DistManifest = {
      registryVersion: REGISTRY_VERSION,
      pomSha256,
      bytes,
      fetchedAt: new Date().toISOString(),
    };
    await fsp.writeFile(path.join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (fs.existsSync(config.distDir)) {
      const now = await readManifest(config.distDir);
      if (now && now.pomSha256 === pomSha256) {
        // Another process completed the same fetch meanwhile.
        return {
          distDir: config.distDir,
          fetched: false,
          durationMs: Date.now() - started,
          bytes: now.bytes,
        };
      }
      const old = `${config.distDir}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
      await fsp.rename(config.distDir, old);
      await fsp.rm(old, { recursive: true, force: true });
    }
    await fsp.rename(partial, config.distDir);
    log(`Fetched and unpacked it in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { distDir: config.distDir, fetched: true, durationMs: Date.now() - started, bytes };
  } finally {
    await fsp.rm(partial, { recursive: true, force: true });
    await fsp.rm(markers, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- probe

export type RegistryProbe =
  | { readonly ok: true; readonly subjects: number }
  | { readonly ok: false; readonly error: string };

/** Does the Confluent-compatible API answer `GET /subjects` on this base URL? */
export async function probeRegistry(baseUrl: string, timeoutMs = 2000): Promise<RegistryProbe> {
  try {
    const response = await fetch(`${baseUrl}/apis/ccompat/v7/subjects`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { ok: false, error: `GET /apis/ccompat/v7/subjects: HTTP ${response.status}` };
    const body: unknown = await response.json();
    if (!Array.isArray(body)) return { ok: false, error: 'GET /apis/ccompat/v7/subjects: not a JSON array' };
    return { ok: true, subjects: body.length };
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : null;
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: code ? `${message} (${code})` : cause ? `${message}: ${cause.message}` : message,
    };
  }
}

// ---------------------------------------------------------------- start / stop / status

export interface RegistryStartResult {
  readonly url: string;
  readonly pid: number;
  /** True when a running registry was found and reused. */
  readonly reused: boolean;
  /** From launching the JVM to the ccompat API answering (0 when reused). */
  readonly startMs: number;
  readonly dist: DistResult | null;
  readonly java: string | null;
  readonly logFile: string;
}

async function waitUntilReady(
  config: RegistryConfig,
  pid: number,
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | null,
): Promise<void> {
  const url = registryUrl(config);
  const deadline = Date.now() + config.startTimeoutMs;
  let last: RegistryProbe = { ok: false, error: 'not probed yet' };
  for (;;) {
    const gone = exited();
    if (gone || !isProcessAlive(pid)) {
      const how = gone
        ? gone.signal
          ? `was killed by ${gone.signal}`
          : `exited with code ${gone.code}`
        : 'is gone';
      throw new Error(`The registry (pid ${pid}) ${how} before it was ready.\n${registryLogTail(config)}`);
    }
    last = await probeRegistry(url);
    if (last.ok) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The registry (pid ${pid}) did not answer on ${url} within ${config.startTimeoutMs / 1000} s (last error: ${last.error}). ` +
          `Raise REGISTRY_NATIVE_START_TIMEOUT_MS on a slow machine.\n${registryLogTail(config)}`,
      );
    }
    await sleep(250);
  }
}

function jvmArguments(config: RegistryConfig): string[] {
  const f = files(config);
  return [
    `-Xmx${config.heap}`,
    // A short-lived helper on two cores: C1 only and the serial collector start it about a third
    // sooner (4–5 s instead of 7 s under load) at the same RSS (about 260 MB).
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Djava.io.tmpdir=${f.tmpDir}`,
    stateMark(config),
    // Loopback only, on our ports (the application's defaults are 0.0.0.0:8080 and 9000).
    `-Dquarkus.http.host=${config.host}`,
    `-Dquarkus.http.port=${config.port}`,
    `-Dquarkus.management.host=${config.host}`,
    `-Dquarkus.management.port=${config.managementPort}`,
    // Storage stays the default, SQL on an in-memory H2 database. Let clients delete their throwaway subjects.
    '-Dapicurio.rest.deletion.artifact.enabled=true',
    '-Dapicurio.rest.deletion.artifact-version.enabled=true',
    // A quieter log: no line per request and per audited action.
    '-Dquarkus.http.access-log.enabled=false',
    '-Dquarkus.log.category."io.apicurio.registry.logging.audit".level=WARN',
    '-jar',
    f.runJar,
  ];
}

/** Starts the registry, or reuses the one already running; resolves once its ccompat API answers. */
export async function startRegistry(
  overrides: Partial<RegistryConfig> = {},
  log: Log = () => {},
): Promise<RegistryStartResult> {
  const config = registryConfig(overrides);
  const f = files(config);
  const url = registryUrl(config);
  await fsp.mkdir(config.stateDir, { recursive: true });
  return withLock(config, async () => {
    let known = readPidFile(f.pid);
    if (known !== null && !(isProcessAlive(known) && (await isOurRegistry(known, config)))) {
      log(`Removing stale pid file (process ${known} is not a running registry).`);
      await fsp.rm(f.pid, { force: true });
      known = null;
    }
    if (known === null) {
      known = findOurRegistryPid(config);
      if (known !== null) {
        log(`Found the registry running as pid ${known} without a pid file; adopting it.`);
        await fsp.writeFile(f.pid, `${known}\n`);
      }
    }
    if (known !== null) {
      await waitUntilReady(config, known, () => null);
      return { url, pid: known, reused: true, startMs: 0, dist: null, java: null, logFile: f.log };
    }

    for (const port of [config.port, config.managementPort]) {
      if (await portAnswers(config.host, port)) {
        const probe = port === config.port ? await probeRegistry(url) : null;
        const who = probe?.ok
          ? `a schema registry that this script did not start (use it with REGISTRY_URL=${url}/apis/ccompat/v7, or stop it)`
          : 'another program (pick other ports with REGISTRY_NATIVE_PORT and REGISTRY_NATIVE_MANAGEMENT_PORT)';
        throw new Error(`${config.host}:${port} is already in use by ${who}.`);
      }
    }

    const dist = await ensureRegistryDist(config, log);
    const { java } = await findRegistryJava(config);
    await fsp.mkdir(f.logsDir, { recursive: true });
    await fsp.mkdir(f.tmpDir, { recursive: true });

    const out = fs.openSync(f.log, 'w');
    const launched = Date.now();
    const child = spawn(java, jvmArguments(config), {
      cwd: config.stateDir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    const spawnError = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (err) => resolve(err));
    });
    if (spawnError || child.pid === undefined) {
      throw new Error(`Could not launch ${java}: ${spawnError?.message ?? 'no pid'}`);
    }
    const pid = child.pid;
    await fsp.writeFile(f.pid, `${pid}\n`);
    log(`Started Apicurio Registry ${REGISTRY_VERSION} (pid ${pid}, ${java}), waiting for ${url} ...`);
    try {
      await waitUntilReady(config, pid, () => exit);
      child.unref();
      return { url, pid, reused: false, startMs: Date.now() - launched, dist, java, logFile: f.log };
    } catch (err) {
      // Do not leave a half-started registry behind.
      await abandonStart(pid, f.pid);
      child.unref();
      throw err;
    }
  });
}

/** Stops the registry gracefully (SIGTERM, then SIGKILL after `stopTimeoutMs`); a no-op when none runs. */
export async function stopRegistry(
  overrides: Partial<RegistryConfig> = {},
  log: Log = () => {},
): Promise<StopResult> {
  const config = registryConfig(overrides);
  if (!fs.existsSync(config.stateDir)) return { wasRunning: false, pid: null, killed: false };
  const f = files(config);
  return withLock(config, () =>
    stopServer(
      {
        name: 'the registry',
        pidFile: f.pid,
        find: () => findOurRegistryPid(config),
        isOurs: (pid) => isOurRegistry(pid, config),
        stopTimeoutMs: config.stopTimeoutMs,
      },
      log,
    ),
  );
}

export interface RegistryStatus {
  readonly url: string;
  readonly pid: number | null;
  /** The pid file (or a search of /proc) names a live process that is our registry. */
  readonly running: boolean;
  readonly probe: RegistryProbe;
  readonly stateDir: string;
  readonly distDir: string;
  readonly distCached: boolean;
}

export async function registryStatus(overrides: Partial<RegistryConfig> = {}): Promise<RegistryStatus> {
  const config = registryConfig(overrides);
  const recorded = readPidFile(files(config).pid);
  const pid =
    recorded !== null && isProcessAlive(recorded) ? recorded : (findOurRegistryPid(config) ?? recorded);
  const running = pid !== null && isProcessAlive(pid) && (await isOurRegistry(pid, config));
  const url = registryUrl(config);
  return {
    url,
    pid,
    running,
    probe: await probeRegistry(url),
    stateDir: config.stateDir,
    distDir: config.distDir,
    distCached: (await readManifest(config.distDir)) !== null,
  };
}
