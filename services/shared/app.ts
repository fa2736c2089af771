/**
 * `createServiceApp`: the Hono app every service starts from. It gives
 * - request ids (`x-request-id`, taken from the caller or generated) and one
 *   structured log line per request, through a per-request child logger;
 * - `GET /health` (the process answers), `GET /ready` (the database answers,
 *   every consumer group registered with `addConsumer` is a joined member now,
 *   and the service is not shutting down; see `consumerReadiness`), `GET /metrics` (prom-client: HTTP metrics,
 *   process metrics and the runtime's `RuntimeMetrics` when given);
 * - request bodies above `maxBodyBytes` refused with 413 JSON;
 * - 404 JSON for unknown routes, the status and body of an `HttpError`, and
 *   500 JSON without any detail for everything else (the stack goes to the log).
 * Services add their routes to `app` afterwards.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ConsumerMemberState, ConsumerStatus, RunningConsumer } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import type { AuthVariables, PrincipalVariables } from './auth.ts';
import { databaseReachable } from './db.ts';
import { HttpError } from './errors.ts';
import type { ServiceLogger } from './logger.ts';

export type ServiceVariables = AuthVariables &
  PrincipalVariables &
  RequestIdVariables & {
    /** Logger of this request (service name and request id bound). */
    log: ServiceLogger;
  };

export type ServiceEnv = { Variables: ServiceVariables };

export interface ServiceAppOptions {
  readonly name: string;
  readonly logger: ServiceLogger;
  readonly pool: pg.Pool;
  /** The runtime's metrics (consumers, producer, relay): their registry becomes the service's. */
  readonly runtimeMetrics?: RuntimeMetrics | undefined;
  /** Process metrics (`process_*`, `nodejs_*`); default true. */
  readonly defaultMetrics?: boolean | undefined;
  /** Largest request body accepted; larger ones get 413 before they are read whole. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** How long a rebalancing consumer still counts as ready; default REBALANCE_GRACE_MS (30 s). */
  readonly rebalanceGraceMs?: number | undefined;
}

/** Default request body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ServiceApp {
  readonly name: string;
  readonly app: Hono<ServiceEnv>;
  readonly registry: Registry;
  readonly logger: ServiceLogger;
  /** A consumer group member `/ready` reports on: ready while it is joined (`consumerReadiness`). */
  addConsumer(name: string, consumer: RunningConsumer): void;
  /** From now on `/ready` answers 503 (graceful shutdown). */
  markShuttingDown(): void;
}

/** How long a rebalancing member still counts as ready: a rejoin normally takes a few seconds. */
export const REBALANCE_GRACE_MS = 30_000;

/** What `/ready` says of one consumer: `ready`, or why not (`starting`, `rebalancing`, `stalled`, `restarting`, `failed`, `stopped`). */
export type ConsumerReadiness = 'ready' | Exclude<ConsumerMemberState, 'joined'>;

/**
 * A consumer is ready while it is a joined member of its group; a rebalance
 * keeps it ready for `graceMs` from its start. A consumer that cannot report
 * a status (`RunningConsumer.status` absent) is ready once `ready` resolved.
 */
export function consumerReadiness(
  status: ConsumerStatus | undefined,
  now = Date.now(),
  graceMs = REBALANCE_GRACE_MS,
): ConsumerReadiness {
  if (!status) return 'ready';
  switch (status.state) {
    case 'joined':
      return 'ready';
    case 'rebalancing':
      return now - status.since <= graceMs ? 'ready' : 'rebalancing';
    default:
      return status.state;
  }
}

interface RegisteredConsumer {
  readonly consumer: RunningConsumer;
  started: 'starting' | 'started' | 'failed';
}

export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const { name, logger, pool } = options;
  const registry = options.runtimeMetrics?.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request handling time.',
    labelNames: ['method', 'route'],
    registers: [registry],
  });

  // Requests no route matched: Hono reports the middleware's `/*` as their route path, which would
  // put every 404 of every URL under one misleading route label.
  const unmatched = new WeakSet<Context>();
  const consumers = new Map<string, RegisteredConsumer>();
  const readiness = (entry: RegisteredConsumer): ConsumerReadiness =>
    entry.started === 'started'
      ? consumerReadiness(entry.consumer.status?.(), Date.now(), options.rebalanceGraceMs)
      : entry.started;
  let shuttingDown = false;

  const app = new Hono<ServiceEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    const log = logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = unmatched.has(c) ? 'unmatched' : c.req.routePath;
    requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    duration.observe({ method: c.req.method, route }, seconds);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round(seconds * 1000),
      },
      'request',
    );
  });

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        c.json(
          { error: 'payload_too_large', message: `request body larger than ${maxBodyBytes} bytes` },
          413,
        ),
    }),
  );

  app.get('/health', (c) => c.json({ status: 'ok', service: name }));
  app.get('/ready', async (c) => {
    const database = await databaseReachable(pool);
    const groups = Object.fromEntries([...consumers].map(([group, entry]) => [group, readiness(entry)]));
    const ready = !shuttingDown && database && Object.values(groups).every((s) => s === 'ready');
    return c.json(
      { status: ready ? 'ready' : 'not_ready', service: name, database, consumers: groups, shuttingDown },
      ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { 'content-type': registry.contentType });
  });

  app.notFound((c) => {
    unmatched.add(c);
    return c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404);
  });
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json(err.body, err.status);
    // Hono's own refusals (a body that is not JSON, …) are the client's fault: 4xx JSON, never 500.
    if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
      return err.status === 400
        ? c.json(
            {
              error: 'validation',
              fields: [
                { path: '/body', message: /JSON/.test(err.message) ? 'must be valid JSON' : err.message },
              ],
            },
            400,
          )
        : c.json({ error: 'bad_request', message: err.message }, err.status);
    }
    const log = c.get('log') ?? logger;
    log.error({ err }, 'unhandled error');
    return c.json({ error: 'internal', message: 'internal server error' }, 500);
  });

  return {
    name,
    app,
    registry,
    logger,
    addConsumer(group, consumer) {
      const entry: RegisteredConsumer = { consumer, started: 'starting' };
      consumers.set(group, entry);
      consumer.ready.then(
        () => {
          entry.started = 'started';
        },
        (err: unknown) => {
          entry.started = 'failed';
          logger.error({ err, group }, 'consumer group failed to start');
        },
      );
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
}
