/**
 * Finds the Kafka, PostgreSQL and Redis the tests run against, in this order:
 *
 *   1. explicit environment: KAFKA_BROKERS (comma-separated), DATABASE_URL, REDIS_URL;
 *   2. Testcontainers, when a Docker engine actually answers (not just a `docker` binary);
 *   3. the native broker of the `test` profile (infra/kafka/native.ts:
 *      127.0.0.1:19092, state in kafka-<version>/state-test; KAFKA_NATIVE_PORT,
 *      KAFKA_NATIVE_CONTROLLER_PORT and KAFKA_NATIVE_STATE_DIR override it), never
 *      `npm start`'s (127.0.0.1:9092), plus the PostgreSQL and Redis that already
 *      listen on 127.0.0.1.
 *
 * Each service given explicitly is used as given; the others come from 2 or 3.
 * `source` says where Kafka came from. TEST_INFRA=native|testcontainers forces
 * a way. Whatever the source, every service is checked before a test runs, and
 * a missing one fails the run with what is wrong and how to start it: tests
 * that need infrastructure never skip.
 */
import { randomBytes } from 'node:crypto';
import {
  checkPostgres,
  checkRedis,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  formatServiceCheck,
  redactUrl,
} from '../../infra/check.ts';
import {
  type NativeKafkaConfig,
  nativeBrokers,
  nativeKafkaConfig,
  startNativeKafka,
  stopNativeKafka,
} from '../../infra/kafka/native.ts';
import { type KafkaProbe, probeKafka } from '../../infra/kafka/probe.ts';

export type InfrastructureSource = 'env' | 'testcontainers' | 'native';

export interface Infrastructure {
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** How Kafka was found. */
  readonly source: InfrastructureSource;
  /** Live brokers in the Kafka cluster (replication factors above it are capped). */
  readonly brokerCount: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infrastructure: Infrastructure;
  }
}

export interface ResolvedInfrastructure {
  readonly infrastructure: Infrastructure;
  /** Stops what this call started (containers; the native broker only with KAFKA_NATIVE_STOP_AFTER_TESTS=1). */
  teardown(): Promise<void>;
}

export interface ResolveOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** The images the Testcontainers path runs: docker-compose.yml's (test/infra/images.test.ts holds them together). */
export const IMAGES = {
  kafka: 'apache/kafka:4.1.1',
  postgres: 'postgres:15',
  redis: 'redis:7',
} as const;

const DOCKER_DETECT_TIMEOUT_MS = 15_000;

/**
 * The native broker a test run starts or reuses: the `test` profile, so the
 * suite's topics, groups and offsets never mix with those of the system
 * `npm start` runs. Tests that stop and start the broker (test/fault) use this too.
 */
export function testKafkaConfig(env: NodeJS.ProcessEnv = process.env): NativeKafkaConfig {
  return nativeKafkaConfig(env, 'test');
}

/**
 * Where `npm start` finds Kafka when nothing is configured: the `dev`
 * profile's native broker (127.0.0.1:9092), whatever KAFKA_NATIVE_* this
 * process was given for its own broker.
 */
export function npmStartDefaultBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  const home: NodeJS.ProcessEnv = {};
  if (env.HOME !== undefined) home.HOME = env.HOME;
  if (env.XDG_CACHE_HOME !== undefined) home.XDG_CACHE_HOME = env.XDG_CACHE_HOME;
  return nativeBrokers(nativeKafkaConfig(home, 'dev'));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Is a Docker (or compatible) engine reachable, as Testcontainers itself would find it? */
export async function dockerEngineAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(getContainerRuntimeClient(), DOCKER_DETECT_TIMEOUT_MS, 'container runtime detection');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

function splitBrokers(raw: string): string[] {
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

async function probeWithPatience(brokers: readonly string[], patienceMs: number): Promise<KafkaProbe> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const probe = await probeKafka(brokers, 3000);
    if (probe.ok || Date.now() > deadline) return probe;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Containers {
  kafkaBrokers?: string[];
  databaseUrl?: string;
  redisUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts what is not given explicitly in containers. Kafka runs the official
 * apache/kafka image in KRaft mode. @testcontainers/kafka 12 supports only
 * Confluent images (it runs /etc/confluent/docker/run and rejects tag 4.1.1 in
 * KRaft mode), so this follows Testcontainers for Java's KafkaContainer: the
 * container waits for a start script that is copied in once the mapped port,
 * and so the advertised listener, is known.
 */
async function startContainers(
  want: { kafka: boolean; postgres: boolean; redis: boolean },
  log: (line: string) => void,
): Promise<Containers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  type Started = Awaited<ReturnType<InstanceType<typeof GenericContainer>['start']>>;
  const started: { stop(): Promise<unknown> }[] = [];
  const result: Containers = {
    async stop() {
      await Promise.allSettled(started.map((c) => c.stop()));
    },
  };

  const kafka = async () => {
    log(`starting ${IMAGES.kafka} (Testcontainers)`);
    const startScript = '/tmp/contract-events-start.sh';
    const readyFlag = '/tmp/contract-events-start.ready';
    const container: Started = await new GenericContainer(IMAGES.kafka)
      .withExposedPorts(9092)
      .withEnvironment({
        CLUSTER_ID: randomBytes(16).toString('base64url'),
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,BROKER://:9093,CONTROLLER://:9094',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
        KAFKA_NUM_PARTITIONS: '1',
        KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_LOG_DIRS: '/var/lib/kafka/data',
        KAFKA_HEAP_OPTS: '-Xmx512m',
      })
      .withCommand([
        'sh',
        '-c',
        `echo 'waiting for start script'; while [ ! -f ${readyFlag} ]; do sleep 0.1; done; exec ${startScript}`,
      ])
      .withWaitStrategy(Wait.forLogMessage('waiting for start script'))
      .withStartupTimeout(180_000)
      .start();
    started.push(container);
    const bootstrap = `${container.getHost()}:${container.getMappedPort(9092)}`;
    await container.copyContentToContainer([
      {
        content: `#!/bin/sh\nexport KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${bootstrap},BROKER://localhost:9093\nexec /etc/kafka/docker/run\n`,
        target: startScript,
        mode: 0o755,
      },
    ]);
    // A separate flag, written after the script is complete, so the loop never runs a half-copied file.
    await container.copyContentToContainer([{ content: '', target: readyFlag }]);
    result.kafkaBrokers = [bootstrap];
  };

  const postgres = async () => {
    log(`starting ${IMAGES.postgres} (Testcontainers)`);
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(IMAGES.postgres)
      .withDatabase('test')
      .withUsername('postgres')
      .withPassword('postgres')
      .start();
    started.push(container);
    result.databaseUrl = container.getConnectionUri();
  };

  const redis = async () => {
    log(`starting ${IMAGES.redis} (Testcontainers)`);
    const container: Started = await new GenericContainer(IMAGES.redis)
      .withExposedPorts(6379)
      .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
    started.push(container);
    result.redisUrl = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  };

  const jobs = await Promise.allSettled([
    want.kafka ? kafka() : Promise.resolve(),
    want.postgres ? postgres() : Promise.resolve(),
    want.redis ? redis() : Promise.resolve(),
  ]);
  const failures = jobs.filter((j): j is PromiseRejectedResult => j.status === 'rejected');
  if (failures.length > 0) {
    await result.stop();
    throw new Error(
      `Testcontainers could not start the test infrastructure:\n  ${failures
        .map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)))
        .join('\n  ')}`,
    );
  }
  return result;
}

/** Finds (and if need be starts) the infrastructure, checks every part, and says clearly what is missing. */
export async function resolveInfrastructure(options: ResolveOptions = {}): Promise<ResolvedInfrastructure> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const mode = (env.TEST_INFRA || 'auto').toLowerCase();
  if (!['auto', 'env', 'testcontainers', 'native'].includes(mode)) {
    throw new Error(`TEST_INFRA must be auto, env, testcontainers or native, got "${env.TEST_INFRA}"`);
  }
  const explicitKafka = env.KAFKA_BROKERS ? splitBrokers(env.KAFKA_BROKERS) : undefined;
  if (mode === 'env' && !explicitKafka) throw new Error('TEST_INFRA=env but KAFKA_BROKERS is not set');
  const explicitDb = env.DATABASE_URL || undefined;
  const explicitRedis = env.REDIS_URL || undefined;

  let source: InfrastructureSource;
  let kafkaBrokers: string[];
  let databaseUrl = explicitDb ?? DEFAULT_DATABASE_URL;
  let redisUrl = explicitRedis ?? DEFAULT_REDIS_URL;
  let teardown = async () => {};
  const notes: string[] = [];

  const needContainers =
    (mode === 'auto' || mode === 'testcontainers') && (!explicitKafka || !explicitDb || !explicitRedis);
  let useContainers = false;
  if (needContainers) {
    const docker = await dockerEngineAvailable();
    if (docker.ok) {
      useContainers = true;
    } else if (mode === 'testcontainers') {
      throw new Error(`TEST_INFRA=testcontainers but no Docker engine answers: ${docker.reason}`);
    } else {
      notes.push(`no Docker engine (${docker.reason})`);
    }
  }

  if (useContainers) {
    const containers = await startContainers(
      { kafka: !explicitKafka, postgres: !explicitDb, redis: !explicitRedis },
      log,
    );
    teardown = () => containers.stop();
    kafkaBrokers = explicitKafka ?? containers.kafkaBrokers!;
    databaseUrl = explicitDb ?? containers.databaseUrl!;
    redisUrl = explicitRedis ?? containers.redisUrl!;
    source = explicitKafka ? 'env' : 'testcontainers';
  } else if (explicitKafka) {
    kafkaBrokers = explicitKafka;
    source = 'env';
  } else {
    const config = testKafkaConfig(env);
    try {
      const started = await startNativeKafka(config, (line) => log(line));
      log(
        `${
          started.reused
            ? `native Kafka of the test run already running (pid ${started.pid})`
            : `native Kafka of the test run started (pid ${started.pid}) in ${(started.startMs / 1000).toFixed(1)} s`
        }; state ${config.stateDir}`,
      );
      kafkaBrokers = started.brokers;
      if (!started.reused && env.KAFKA_NATIVE_STOP_AFTER_TESTS === '1') {
        teardown = async () => {
          await stopNativeKafka(config);
        };
      }
    } catch (err) {
      throw new Error(
        `Could not start the test run's native Kafka broker on ${nativeBrokers(config).join(',')} (no KAFKA_BROKERS given${notes.length ? `, ${notes.join(', ')}` : ''}):\n${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
    source = 'native';
  }

  // Check every part, whatever the source.
  const [kafka, postgres, redis] = await Promise.all([
    probeWithPatience(
      kafkaBrokers,
      source === 'native' ? 5000 : source === 'testcontainers' ? 120_000 : 30_000,
    ),
    checkPostgres(databaseUrl, 5000),
    checkRedis(redisUrl, 5000),
  ]);
  const problems: string[] = [];
  if (!kafka.ok) {
    problems.push(
      `Kafka      MISSING  ${kafkaBrokers.join(',')} (${source}): ${kafka.error}${
        source === 'native'
          ? '\n           see the broker log that `npm run infra:status -- --test` names, or run: npm run infra:up -- --test'
          : ''
      }`,
    );
  }
  if (!postgres.ok) problems.push(formatServiceCheck(postgres));
  if (!redis.ok) problems.push(formatServiceCheck(redis));
  if (problems.length > 0 || !kafka.ok) {
    await teardown().catch(() => {});
    throw new Error(
      `The test infrastructure is not complete (Kafka source: ${source}):\n${problems.join('\n')}\n` +
        'Point the tests elsewhere with KAFKA_BROKERS, DATABASE_URL and REDIS_URL.',
    );
  }
  log(
    `Kafka ${kafkaBrokers.join(',')} (${source}, ${kafka.brokerCount} broker(s)); PostgreSQL ${redactUrl(databaseUrl)}; Redis ${redactUrl(redisUrl)}`,
  );
  return {
    infrastructure: { kafkaBrokers, databaseUrl, redisUrl, source, brokerCount: kafka.brokerCount },
    teardown,
  };
}
