/**
 * `createServiceApp`: the Hono app every service starts from. It gives
 * - request ids (`x-request-id`, taken from the caller or generated) and one
 *   structured log line per request, through a per-request child logger;
 * - `GET /health` (the process answers), `GET /ready` (the database answers,
 *   every consumer group registered with `addConsumer` has joined, and the
 *   service is not shutting down), `GET /metrics` (prom-client: HTTP metrics,
 *   process metrics and the runtime's `RuntimeMetrics` when given);
 * - 404 JSON for unknown routes, the status and body of an `HttpError`, and
 *   500 JSON without any detail for everything else (the stack goes to the log).
 * Services add their routes to `app` afterwards.
 */
import { type Context, Hono } from 'hono';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RunningConsumer } from '../../runtime/contract/events.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import type { AuthVariables } from './auth.ts';
import { databaseReachable } from './db.ts';
import { HttpError } from './errors.ts';
import type { ServiceLogger } from './logger.ts';
import type { ValidationVariables } from './validate.ts';

export type ServiceVariables = AuthVariables &
  ValidationVariables &
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
}

export interface ServiceApp {
  readonly name: string;
  readonly app: Hono<ServiceEnv>;
  readonly registry: Registry;
  readonly logger: ServiceLogger;
  /** A consumer group member whose join `/ready` waits for. */
  addConsumer(name: string, consumer: RunningConsumer): void;
  /** From now on `/ready` answers 503 (graceful shutdown). */
  markShuttingDown(): void;
}

type ConsumerState = 'starting' | 'ready' | 'failed';

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
  const consumers = new Map<string, ConsumerState>();
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

  app.get('/health', (c) => c.json({ status: 'ok', service: name }));
  app.get('/ready', async (c) => {
    const database = await databaseReachable(pool);
    const groups = Object.fromEntries(consumers);
    const ready = !shuttingDown && database && [...consumers.values()].every((s) => s === 'ready');
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
      consumers.set(group, 'starting');
      consumer.ready.then(
        () => consumers.set(group, 'ready'),
        (err: unknown) => {
          consumers.set(group, 'failed');
          logger.error({ err, group }, 'consumer group failed to start');
        },
      );
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
}
