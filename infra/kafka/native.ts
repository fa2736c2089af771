/**
 * A single-node Apache Kafka broker (KRaft, broker+controller in one JVM) run
 * straight from the official jars on Maven Central, for machines without Docker.
 *
 *   jars:  `mvn dependency:copy-dependencies` on infra/kafka/pom.xml, cached
 *          outside the clone (KAFKA_NATIVE_CACHE); fetched into a temp dir and
 *          renamed into place only when complete.
 *   state: ~/.cache/contract-events/kafka-<version>/state (KAFKA_NATIVE_STATE_DIR): server.properties,
 *          log4j2.xml, data/ (log.dirs), logs/server.log, kafka.pid.
 *
 * Two brokers, so the test suite never shares topics, groups and offsets
 * with the system a developer runs: the `dev` profile (`npm start`,
 * `npm run infra:*`) on 127.0.0.1:9092 with `state/`, the `test` profile (the
 * test run's globalSetup, `npm run infra:* -- --test`) on 127.0.0.1:19092 with
 * `state-test/`. KAFKA_NATIVE_PORT, KAFKA_NATIVE_CONTROLLER_PORT and
 * KAFKA_NATIVE_STATE_DIR override the profile's defaults, whichever it is.
 *
 * `startNativeKafka` is idempotent (a running broker is reused), the broker runs
 * detached and outlives the caller; `stopNativeKafka` sends SIGTERM, waits, then
 * SIGKILLs. Nothing here prints: pass `log` to hear progress.
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
import { type KafkaProbe, probeKafka } from './probe.ts';

export { isProcessAlive, type Log };

export const KAFKA_VERSION = '4.1.1';

export interface NativeKafkaConfig {
  readonly repoRoot: string;
  readonly pomFile: string;
  /** Where the broker's jars live once fetched. */
  readonly libDir: string;
  readonly stateDir: string;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  /** JVM max heap, as in -Xmx (512m). */
  readonly heap: string;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly java: string;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Which broker: the one `npm start` runs on, or the test suite's own. */
export type NativeKafkaProfile = 'dev' | 'test';

/** Each profile's listener ports and state folder (under ~/.cache/contract-events/kafka-<version>/). */
export const NATIVE_KAFKA_PROFILES: Readonly<
  Record<
    NativeKafkaProfile,
    { readonly port: number; readonly controllerPort: number; readonly state: string }
  >
> = {
  dev: { port: 9092, controllerPort: 9093, state: 'state' },
  test: { port: 19092, controllerPort: 19093, state: 'state-test' },
};

/**
 * The configuration of one profile's broker, from the environment (see the
 * names below) with the profile's defaults; the environment wins.
 */
export function nativeKafkaConfig(
  env: NodeJS.ProcessEnv = process.env,
  profile: NativeKafkaProfile = 'dev',
): NativeKafkaConfig {
  const defaults = NATIVE_KAFKA_PROFILES[profile];
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return {
    repoRoot: REPO_ROOT,
    pomFile: path.join(REPO_ROOT, 'infra', 'kafka', 'pom.xml'),
    libDir: path.resolve(
      env.KAFKA_NATIVE_CACHE || path.join(cacheHome, 'contract-events', `kafka-${KAFKA_VERSION}`, 'libs'),
    ),
    // One broker per profile and machine, whichever clone started it: a second checkout (or a CI clone) finds and reuses it.
    stateDir: path.resolve(
      env.KAFKA_NATIVE_STATE_DIR ||
        path.join(cacheHome, 'contract-events', `kafka-${KAFKA_VERSION}`, defaults.state),
    ),
    host: '127.0.0.1',
    port: intFromEnv(env, 'KAFKA_NATIVE_PORT', defaults.port),
    controllerPort: intFromEnv(env, 'KAFKA_NATIVE_CONTROLLER_PORT', defaults.controllerPort),
    heap: env.KAFKA_NATIVE_HEAP || '512m',
    startTimeoutMs: intFromEnv(env, 'KAFKA_NATIVE_START_TIMEOUT_MS', 120_000),
    stopTimeoutMs: intFromEnv(env, 'KAFKA_NATIVE_STOP_TIMEOUT_MS', 30_000),
    java: env.KAFKA_NATIVE_JAVA || (env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java'),
  };
}

export function nativeBrokers(config: NativeKafkaConfig): string[] {
  return [`${config.host}:${config.port}`];
}

const files = (c: NativeKafkaConfig) => ({
  properties: path.join(c.stateDir, 'server.properties'),
  log4j: path.join(c.stateDir, 'log4j2.xml'),
  toolsLog4j: path.join(c.stateDir, 'tools-log4j2.xml'),
  dataDir: path.join(c.stateDir, 'data'),
  logsDir: path.join(c.stateDir, 'logs'),
  serverLog: path.join(c.stateDir, 'logs', 'server.log'),
  stdoutLog: path.join(c.stateDir, 'logs', 'stdout.log'),
  pid: path.join(c.stateDir, 'kafka.pid'),
  lock: path.join(c.stateDir, '.lock'),
  clusterId: path.join(c.stateDir, 'cluster-id'),
});

// ---------------------------------------------------------------- processes

/** Is `pid` our broker (guards against a recycled pid)? */
async function isOurBroker(pid: number, config: NativeKafkaConfig): Promise<boolean> {
  const commandLine = await commandLineOf(pid);
  if (commandLine === null) return false;
  return commandLine.includes('kafka.Kafka') && commandLine.includes(files(config).properties);
}

/** Our broker's pid found by its command line (Linux), for when the pid file was lost. */
function findOurBrokerPid(config: NativeKafkaConfig): number | null {
  const properties = files(config).properties;
  return findProcess((argv) => argv.includes('kafka.Kafka') && argv.includes(properties));
}

function readPid(config: NativeKafkaConfig): number | null {
  return readPidFile(files(config).pid);
}

/** A lock file around start and stop, so two callers (a CLI and a test run) do not race. */
function withLock<T>(config: NativeKafkaConfig, work: () => Promise<T>): Promise<T> {
  return withLockFile(files(config).lock, config.startTimeoutMs + 30_000, work);
}

/** The last lines of the broker's logs, for error messages. */
export function brokerLogTail(config: NativeKafkaConfig, lines = 40): string {
  const f = files(config);
  return [
    `--- ${f.serverLog} (last ${lines} lines)`,
    tailFile(f.serverLog, lines),
    `--- ${f.stdoutLog}`,
    tailFile(f.stdoutLog, 15),
  ].join('\n');
}

// ---------------------------------------------------------------- jars

export interface JarsResult {
  readonly libDir: string;
  readonly fetched: boolean;
  readonly durationMs: number;
  readonly jarCount: number;
}

interface JarManifest {
  readonly kafkaVersion: string;
  readonly pomSha256: string;
  readonly jars: readonly string[];
  readonly fetchedAt: string;
}

const MANIFEST = '.complete.json';

async function readManifest(libDir: string): Promise<JarManifest | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(libDir, MANIFEST), 'utf8')) as JarManifest;
  } catch {
    return null;
  }
}

/**
 * Makes sure the broker's jars are in `config.libDir`. A cache counts only if
 * its manifest (written last, before the rename) names the current pom.
 */
export async function ensureKafkaJars(config: NativeKafkaConfig, log: Log = () => {}): Promise<JarsResult> {
  const started = Date.now();
  const pom = await fsp.readFile(config.pomFile);
  const pomSha256 = createHash('sha256').update(pom).digest('hex');
  const manifest = await readManifest(config.libDir);
  if (manifest && manifest.pomSha256 === pomSha256 && manifest.kafkaVersion === KAFKA_VERSION) {
    return {
      libDir: config.libDir,
      fetched: false,
      durationMs: Date.now() - started,
      jarCount: manifest.jars.length,
    };
  }

  await fsp.mkdir(path.dirname(config.libDir), { recursive: true });
  await removeAbandonedPartials(config.libDir);
  const partial = `${config.libDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  log(`Fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${config.libDir} ...`);
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        config.pomFile,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${partial}`,
        '-DincludeScope=runtime',
      ],
      { cwd: path.dirname(config.pomFile), timeoutMs: 15 * 60_000 },
    ).catch((err: unknown) => {
      const hint = String(err).includes('was not found on PATH')
        ? '\nMaven is needed once to fetch the jars (Debian: apt-get install -y maven).'
        : '';
      throw new Error(
        `Could not fetch Kafka's jars.${hint}\n${err instanceof Error ? err.message : String(err)}`,
      );
    });
    const jars = (await fsp.readdir(partial)).filter((n) => n.endsWith('.jar')).sort();
    for (const needed of [`kafka_2.13-${KAFKA_VERSION}.jar`, `kafka-clients-${KAFKA_VERSION}.jar`]) {
      if (!jars.includes(needed)) throw new Error(`The jar fetch finished without ${needed} in ${partial}`);
    }
    if (
      !jars.some((n) => n.startsWith('log4j-slf4j-impl-')) ||
      !jars.some((n) => n.startsWith('log4j-core-'))
    ) {
      throw new Error(
        `The jar fetch finished without a Log4j 2 binding (log4j-slf4j-impl, log4j-core) in ${partial}`,
      );
    }
    const complete: JarManifest = {
      kafkaVersion: KAFKA_VERSION,
      pomSha256,
      jars,
      fetchedAt: new Date().toISOString(),
    };
    await fsp.writeFile(path.join(partial, MANIFEST), `${JSON.stringify(complete, null, 2)}\n`);

    // An outdated cache (other pom) is moved aside first; a rename onto a non-empty directory fails.
    if (fs.existsSync(config.libDir)) {
      const current = await readManifest(config.libDir);
      if (current && current.pomSha256 === pomSha256) {
        // Another process completed the same fetch meanwhile.
        await fsp.rm(partial, { recursive: true, force: true });
        return {
          libDir: config.libDir,
          fetched: false,
          durationMs: Date.now() - started,
          jarCount: current.jars.length,
        };
      }
      const old = `${config.libDir}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
      await fsp.rename(config.libDir, old);
      await fsp.rm(old, { recursive: true, force: true });
    }
    try {
      await fsp.rename(partial, config.libDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (
        (code === 'ENOTEMPTY' || code === 'EEXIST') &&
        (await readManifest(config.libDir))?.pomSha256 === pomSha256
      ) {
        await fsp.rm(partial, { recursive: true, force: true });
      } else {
        throw err;
      }
    }
    log(`Fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { libDir: config.libDir, fetched: true, durationMs: Date.now() - started, jarCount: jars.length };
  } finally {
    await fsp.rm(partial, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- broker files

function serverProperties(config: NativeKafkaConfig): string {
  const f = files(config);
  const lines: [string, string | number][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${config.host}:${config.controllerPort}`],
    [
      'listeners',
      `PLAINTEXT://${config.host}:${config.port},CONTROLLER://${config.host}:${config.controllerPort}`,
    ],
    ['advertised.listeners', `PLAINTEXT://${config.host}:${config.port}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', f.dataDir],
    ['num.partitions', 1],
    ['default.replication.factor', 1],
    ['auto.create.topics.enable', 'false'],
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0],
  ];
  return `# Written by infra/kafka/native.ts at every start; edit that file, not this one.\n${lines
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function brokerLog4j(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/kafka/native.ts. The broker logs to logs/server.log; errors also go to stderr (logs/stdout.log). -->
<Configuration status="WARN" name="contract-events-kafka">
  <Appenders>
    <RollingFile name="server" fileName="\${sys:kafka.logs.dir}/server.log" filePattern="\${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d{ISO8601}] %-5p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
    <Console name="stderr" target="SYSTEM_ERR">
      <PatternLayout pattern="[%d{ISO8601}] %-5p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO">
      <AppenderRef ref="server"/>
      <AppenderRef ref="stderr" level="ERROR"/>
    </Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
  </Loggers>
</Configuration>
`;
}

function toolsLog4j(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/kafka/native.ts for kafka.tools.StorageTool: warnings and errors to stderr. -->
<Configuration status="WARN" name="contract-events-kafka-tools">
  <Appenders>
    <Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="%-5p %m (%c)%n"/></Console>
  </Appenders>
  <Loggers>
    <Root level="WARN"><AppenderRef ref="stderr"/></Root>
  </Loggers>
</Configuration>
`;
}

async function checkJava(config: NativeKafkaConfig): Promise<void> {
  let version: { major: number; banner: string };
  try {
    version = await javaMajorVersion(config.java);
  } catch (err) {
    throw new Error(
      `Java 17 or newer is needed to run Kafka ${KAFKA_VERSION} (set JAVA_HOME or KAFKA_NATIVE_JAVA).\n${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!(version.major >= 17)) {
    throw new Error(`Kafka ${KAFKA_VERSION} needs Java 17 or newer; ${config.java} is: ${version.banner}`);
  }
}

async function writeBrokerFiles(config: NativeKafkaConfig): Promise<void> {
  const f = files(config);
  await fsp.mkdir(f.dataDir, { recursive: true });
  await fsp.mkdir(f.logsDir, { recursive: true });
  await fsp.writeFile(f.properties, serverProperties(config));
  await fsp.writeFile(f.log4j, brokerLog4j());
  await fsp.writeFile(f.toolsLog4j, toolsLog4j());
}

function javaTool(config: NativeKafkaConfig, mainClass: string, args: readonly string[]): string[] {
  const f = files(config);
  return [
    '-Xmx256m',
    `-Dlog4j2.configurationFile=${f.toolsLog4j}`,
    '-cp',
    `${config.libDir}${path.sep}*`,
    mainClass,
    ...args,
  ];
}

/** Formats the KRaft storage once (a random cluster id); later starts find meta.properties and skip it. */
async function formatStorageIfNeeded(config: NativeKafkaConfig, log: Log): Promise<void> {
  const f = files(config);
  if (fs.existsSync(path.join(f.dataDir, 'meta.properties'))) return;
  const { stdout } = await run(config.java, javaTool(config, 'kafka.tools.StorageTool', ['random-uuid']), {
    timeoutMs: 120_000,
  });
  const clusterId = stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId))
    throw new Error(`StorageTool random-uuid printed no cluster id: ${stdout}`);
  log(`Formatting KRaft storage in ${f.dataDir} (cluster id ${clusterId}) ...`);
  try {
    await run(
      config.java,
      javaTool(config, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', f.properties]),
      { timeoutMs: 120_000 },
    );
  } catch (err) {
    if (!String(err).includes('already formatted')) throw err;
  }
  await fsp.writeFile(f.clusterId, `${clusterId}\n`);
}

// ---------------------------------------------------------------- start / stop / status

export interface StartResult {
  readonly brokers: string[];
  readonly pid: number;
  /** True when a running broker was found and reused. */
  readonly reused: boolean;
  readonly clusterId: string;
  /** From launching the JVM to the broker answering admin requests (0 when reused). */
  readonly startMs: number;
  readonly jars: JarsResult | null;
  readonly logFile: string;
}

async function waitUntilReady(
  config: NativeKafkaConfig,
  pid: number,
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | null,
): Promise<Extract<KafkaProbe, { ok: true }>> {
  const brokers = nativeBrokers(config);
  const deadline = Date.now() + config.startTimeoutMs;
  let last: KafkaProbe = { ok: false, error: 'not probed yet' };
  for (;;) {
    const gone = exited();
    if (gone || !isProcessAlive(pid)) {
      const how = gone
        ? gone.signal
          ? `was killed by ${gone.signal}`
          : `exited with code ${gone.code}`
        : 'is gone';
      throw new Error(`The Kafka broker (pid ${pid}) ${how} before it was ready.\n${brokerLogTail(config)}`);
    }
    last = await probeKafka(brokers, 2000);
    if (last.ok) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `The Kafka broker (pid ${pid}) did not answer admin requests on ${brokers.join(',')} within ${config.startTimeoutMs / 1000} s (last error: ${last.error}). ` +
          `Raise KAFKA_NATIVE_START_TIMEOUT_MS on a slow machine.\n${brokerLogTail(config)}`,
      );
    }
    await sleep(300);
  }
}

/** Starts the broker, or reuses the one already running; resolves once it answers admin requests. */
export async function startNativeKafka(
  config: NativeKafkaConfig = nativeKafkaConfig(),
  log: Log = () => {},
): Promise<StartResult> {
  await fsp.mkdir(config.stateDir, { recursive: true });
  const f = files(config);
  const brokers = nativeBrokers(config);
  return withLock(config, async () => {
    let known = readPid(config);
    if (known !== null && !(isProcessAlive(known) && (await isOurBroker(known, config)))) {
      log(`Removing stale pid file (process ${known} is not a running broker).`);
      await fsp.rm(f.pid, { force: true });
      known = null;
    }
    if (known === null) {
      known = findOurBrokerPid(config);
      if (known !== null) {
        log(`Found the broker running as pid ${known} without a pid file; adopting it.`);
        await fsp.writeFile(f.pid, `${known}\n`);
      }
    }
    if (known !== null) {
      // Running, or still starting (launched by another caller): wait for it.
      const ready = await waitUntilReady(config, known, () => null);
      return {
        brokers,
        pid: known,
        reused: true,
        clusterId: ready.clusterId,
        startMs: 0,
        jars: null,
        logFile: f.serverLog,
      };
    }

    for (const port of [config.port, config.controllerPort]) {
      if (await portAnswers(config.host, port)) {
        const probe = port === config.port ? await probeKafka([`${config.host}:${port}`]) : null;
        const who = probe?.ok
          ? `a Kafka broker (cluster ${probe.clusterId}) that this script did not start, perhaps docker compose's; stop it, or use it with KAFKA_BROKERS=${config.host}:${port}`
          : 'another program';
        throw new Error(`${config.host}:${port} is already in use by ${who}.`);
      }
    }

    const jars = await ensureKafkaJars(config, log);
    await checkJava(config);
    await writeBrokerFiles(config);
    await formatStorageIfNeeded(config, log);

    const out = fs.openSync(f.stdoutLog, 'w');
    const launched = Date.now();
    const child = spawn(
      config.java,
      [
        `-Xmx${config.heap}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:InitiatingHeapOccupancyPercent=35',
        '-XX:+ExplicitGCInvokesConcurrent',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${f.log4j}`,
        `-Dkafka.logs.dir=${f.logsDir}`,
        '-cp',
        `${config.libDir}${path.sep}*`,
        'kafka.Kafka',
        f.properties,
      ],
      { cwd: config.stateDir, detached: true, stdio: ['ignore', out, out] },
    );
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
      throw new Error(`Could not launch ${config.java}: ${spawnError?.message ?? 'no pid'}`);
    }
    const pid = child.pid;
    await fsp.writeFile(f.pid, `${pid}\n`);
    log(`Started Kafka ${KAFKA_VERSION} (pid ${pid}), waiting for it to accept admin requests ...`);
    try {
      const ready = await waitUntilReady(config, pid, () => exit);
      child.unref();
      return {
        brokers,
        pid,
        reused: false,
        clusterId: ready.clusterId,
        startMs: Date.now() - launched,
        jars,
        logFile: f.serverLog,
      };
    } catch (err) {
      // Do not leave a half-started broker behind.
      await abandonStart(pid, f.pid);
      child.unref();
      throw err;
    }
  });
}

/** Stops the broker gracefully (SIGTERM, then SIGKILL after `stopTimeoutMs`); a no-op when none runs. */
export async function stopNativeKafka(
  config: NativeKafkaConfig = nativeKafkaConfig(),
  log: Log = () => {},
): Promise<StopResult> {
  if (!fs.existsSync(config.stateDir)) return { wasRunning: false, pid: null, killed: false };
  const f = files(config);
  return withLock(config, () =>
    stopServer(
      {
        name: 'Kafka',
        pidFile: f.pid,
        find: () => findOurBrokerPid(config),
        isOurs: (pid) => isOurBroker(pid, config),
        stopTimeoutMs: config.stopTimeoutMs,
      },
      log,
    ),
  );
}

export interface NativeKafkaStatus {
  readonly brokers: string[];
  readonly pid: number | null;
  /** The pid file names a live process that is our broker. */
  readonly running: boolean;
  readonly probe: KafkaProbe;
  readonly stateDir: string;
  readonly libDir: string;
  readonly jarsCached: boolean;
}

export async function nativeKafkaStatus(
  config: NativeKafkaConfig = nativeKafkaConfig(),
): Promise<NativeKafkaStatus> {
  const recorded = readPid(config);
  const pid =
    recorded !== null && isProcessAlive(recorded) ? recorded : (findOurBrokerPid(config) ?? recorded);
  const running = pid !== null && isProcessAlive(pid) && (await isOurBroker(pid, config));
  const brokers = nativeBrokers(config);
  return {
    brokers,
    pid,
    running,
    probe: await probeKafka(brokers),
    stateDir: config.stateDir,
    libDir: config.libDir,
    jarsCached: (await readManifest(config.libDir)) !== null,
  };
}
