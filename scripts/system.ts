/**
 * A system as child processes: every service instance of a plan and one
 * outbox relay per service schema that has an outbox.
 * Each child logs to `<logDir>/<name>.log`; `stopSystem` stops them all
 * gracefully (SIGTERM, then SIGKILL after a grace period).
 *
 * `npm start` runs `chatSystem()`; the system end-to-end test runs another
 * plan (its own ports, schemas, consumer group ids, two notification instances).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** One service process. */
export interface ServiceInstance {
  /** Unique in the plan: the log file and the printed name. */
  readonly name: string;
  /** The folder under `services/`. */
  readonly service: string;
  readonly port: number;
  /** PostgreSQL schema the service owns (DATABASE_SCHEMA). */
  readonly schema: string;
  /** Whether it publishes through its schema's outbox (and so needs a relay). */
  readonly outbox: boolean;
  /** Extra environment (consumer group ids, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * `count` instances of one service: the first on `port`, the next ones 10
 * ports further each (notification 3004, 3014, 3024), all in one schema and
 * one consumer group, so Kafka shares the partitions between them.
 */
export function instances(
  count: number,
  base: Omit<ServiceInstance, 'name'> & { readonly name?: string },
): ServiceInstance[] {
  const name = base.name ?? base.service;
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    name: count === 1 ? name : `${name}-${i + 1}`,
    port: base.port + 10 * i,
  }));
}

/**
 * The chat product with its default ports (3001–3006) and schemas, in start
 * order (dependencies first), with the seed's instance counts: notification
 * 3 instances, search-indexer 2.
 */
export function chatSystem(): ServiceInstance[] {
  return [
    { name: 'user', service: 'user', port: 3001, schema: 'user', outbox: true },
    { name: 'friend', service: 'friend', port: 3002, schema: 'friend', outbox: true },
    { name: 'chat', service: 'chat', port: 3003, schema: 'chat', outbox: true },
    ...instances(3, { service: 'notification', port: 3004, schema: 'notification', outbox: true }),
    { name: 'analytics', service: 'analytics', port: 3005, schema: 'analytics', outbox: false },
    ...instances(2, { service: 'search-indexer', port: 3006, schema: 'search_indexer', outbox: false }),
  ];
}

/**
 * The platform system with its default ports (3101–3110) and schemas: the four
 * publishers first, then the read model, then the subscribers that rebuild
 * from the policy service and the read model at start.
 */
export function platformSystem(): ServiceInstance[] {
  return [
    { name: 'auth', service: 'auth', port: 3101, schema: 'auth', outbox: true },
    { name: 'policy', service: 'policy', port: 3102, schema: 'policy', outbox: true },
    { name: 'dw-integration', service: 'dw-integration', port: 3103, schema: 'dw_integration', outbox: true },
    { name: 'file-policy', service: 'file-policy', port: 3104, schema: 'file_policy', outbox: true },
    {
      name: 'read-model-worker',
      service: 'read-model-worker',
      port: 3105,
      schema: 'read_model',
      outbox: false,
    },
    { name: 'server', service: 'server', port: 3106, schema: 'server', outbox: false },
    { name: 'policy-cache', service: 'policy-cache', port: 3107, schema: 'policy_cache', outbox: false },
    { name: 'dw-gateway', service: 'dw-gateway', port: 3108, schema: 'dw_gateway', outbox: false },
    { name: 'batch-app', service: 'batch-app', port: 3109, schema: 'batch_app', outbox: false },
    { name: 'masking-service', service: 'masking-service', port: 3110, schema: 'masking', outbox: false },
  ];
}

export const SYSTEMS = { chat: chatSystem, platform: platformSystem } as const;
export type SystemName = keyof typeof SYSTEMS;

/** The plan of the named systems, in order (both by default). */
export function systemPlan(names: readonly SystemName[] = ['chat', 'platform']): ServiceInstance[] {
  return names.flatMap((n) => SYSTEMS[n]());
}

/** Environment variables that point a service at another one, set to the plan's first instance unless given. */
export const SERVICE_URL_ENV: Readonly<Record<string, string>> = {
  user: 'USER_SERVICE_URL',
  chat: 'CHAT_SERVICE_URL',
  policy: 'POLICY_SERVICE_URL',
  'read-model-worker': 'READ_MODEL_URL',
};

/** Relays serve /metrics from 3201 on, one port each (services use 30xx and 31xx). */
export const RELAY_METRICS_BASE_PORT = 3201;

export interface RunningProcess {
  readonly name: string;
  readonly kind: 'service' | 'relay';
  readonly url: string;
  readonly log: string;
  readonly child: ChildProcess;
}

export interface SystemOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Default: systemPlan() (both systems). */
  readonly services?: readonly ServiceInstance[];
  /** Port of the first relay's /metrics; the others follow. Default 3201. */
  readonly relayMetricsBasePort?: number;
  /** Default: `<root>/.cache/logs`. */
  readonly logDir?: string;
  readonly onLine?: (line: string) => void;
}

const serviceUrl = (s: ServiceInstance) => `http://127.0.0.1:${s.port}`;

/**
 * Starts every service (each waits until the one before answers `/ready`),
 * then one relay per outbox schema. The variables of SERVICE_URL_ENV point at
 * the plan's first instance of each service unless `env` sets them.
 */
export async function startSystem(options: SystemOptions): Promise<RunningProcess[]> {
  const services = options.services ?? systemPlan();
  const logs = options.logDir ?? path.join(options.root, '.cache', 'logs');
  mkdirSync(logs, { recursive: true });
  const baseEnv: NodeJS.ProcessEnv = { ...options.env };
  for (const [service, variable] of Object.entries(SERVICE_URL_ENV)) {
    const first = services.find((s) => s.service === service);
    if (first && !options.env[variable]) baseEnv[variable] = serviceUrl(first);
  }
  const running: RunningProcess[] = [];
  const launch = (
    name: string,
    kind: RunningProcess['kind'],
    script: string,
    env: NodeJS.ProcessEnv,
    where: string,
  ) => {
    const log = path.join(logs, `${name}.log`);
    const out = openSync(log, 'a');
    const child = spawn(process.execPath, [script], { cwd: options.root, env, stdio: ['ignore', out, out] });
    const entry = { name, kind, url: where, log, child };
    running.push(entry);
    return entry;
  };
  const width = Math.max(...services.map((s) => s.name.length + 6), 16);
  const relayBase = options.relayMetricsBasePort ?? RELAY_METRICS_BASE_PORT;
  const relayCount = new Set(services.filter((s) => s.outbox).map((s) => s.schema)).size;
  const busy: string[] = [];
  for (const s of services) if (await portInUse(s.port)) busy.push(`${s.port} (${s.name})`);
  for (let i = 0; i < relayCount; i++)
    if (await portInUse(relayBase + i)) busy.push(`${relayBase + i} (a relay's metrics)`);
  if (busy.length > 0) {
    throw new SystemStartError(
      `port ${busy.join(', ')} already in use: is the system already running (another \`npm start\`)? Stop it first.`,
    );
  }
  try {
    for (const s of services) {
      const entry = launch(
        s.name,
        'service',
        path.join('services', s.service, 'main.ts'),
        { ...baseEnv, ...s.env, PORT: String(s.port), DATABASE_SCHEMA: s.schema },
        serviceUrl(s),
      );
      await waitReady(entry, `${serviceUrl(s)}/ready`, 90_000);
      options.onLine?.(`  ${s.name.padEnd(width)} ${serviceUrl(s)}  (schema ${s.schema}; log ${entry.log})`);
    }
    const outboxSchemas = [...new Set(services.filter((s) => s.outbox).map((s) => s.schema))];
    outboxSchemas.forEach((schema, i) => {
      const port = (options.relayMetricsBasePort ?? RELAY_METRICS_BASE_PORT) + i;
      const owner = services.find((s) => s.schema === schema)!;
      const entry = launch(
        `relay-${owner.service}`,
        'relay',
        path.join('runtime', 'relay', 'cli.ts'),
        { ...baseEnv, OUTBOX_SCHEMA: schema, RELAY_METRICS_PORT: String(port) },
        `http://127.0.0.1:${port}/metrics`,
      );
      options.onLine?.(
        `  ${entry.name.padEnd(width)} ${entry.url}  (outbox of schema ${schema}; log ${entry.log})`,
      );
    });
    await Promise.all(running.filter((r) => r.kind === 'relay').map((r) => waitReady(r, r.url, 60_000)));
    return running;
  } catch (err) {
    await stopSystem(running);
    throw err;
  }
}

/** Why the system could not start, said for a person (no stack trace needed). */
export class SystemStartError extends Error {
  override readonly name = 'SystemStartError';
}

/** Whether something listens on 127.0.0.1:`port` already. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** The last lines of a child's log: what it said before it died. */
function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n    ');
  } catch {
    return '(no log)';
  }
}

async function waitReady(entry: RunningProcess, readyUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
      throw new SystemStartError(
        `${entry.name} exited (${entry.child.exitCode ?? entry.child.signalCode}) before it was ready; the end of ${entry.log}:\n    ${tail(entry.log)}`,
      );
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new SystemStartError(
    `${entry.name} was not ready within ${timeoutMs / 1000} s (${last}); see ${entry.log}`,
  );
}

/** SIGTERM to every child (relays first, then services in reverse order), SIGKILL after 35 s. */
export async function stopSystem(running: readonly RunningProcess[]): Promise<void> {
  const order = [
    ...running.filter((r) => r.kind === 'relay'),
    ...running.filter((r) => r.kind === 'service').reverse(),
  ];
  for (const entry of order) {
    const { child } = entry;
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
    await exited;
    clearTimeout(timer);
  }
}
