/**
 * Are PostgreSQL and Redis reachable? They are not started by this project:
 * every machine (and CI) already runs them on 127.0.0.1, and Docker users get
 * them from docker-compose.yml. When one is missing, say how to start it.
 */
import net from 'node:net';
import tls from 'node:tls';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

export interface ServiceCheck {
  readonly service: 'postgresql' | 'redis';
  readonly target: string;
  readonly ok: boolean;
  /** What answered (server version) or what went wrong. */
  readonly detail: string;
  /** How to get it running, when it is not. */
  readonly hint?: string;
}

export interface ServicesCheck {
  readonly ok: boolean;
  readonly services: readonly ServiceCheck[];
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function isLocal(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

function message(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(message).join('; ');
  return err instanceof Error ? err.message || err.name : String(err);
}

export async function checkPostgres(databaseUrl: string, timeoutMs = 3000): Promise<ServiceCheck> {
  const target = redactUrl(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>(
      "select current_setting('server_version') as version",
    );
    return { service: 'postgresql', target, ok: true, detail: `PostgreSQL ${rows[0]?.version ?? '?'}` };
  } catch (err) {
    return {
      service: 'postgresql',
      target,
      ok: false,
      detail: message(err),
      hint: isLocal(databaseUrl)
        ? `start it with: ${START_POSTGRES}  (or: docker compose up -d postgres)`
        : 'check DATABASE_URL',
    };
  } finally {
    await client.end().catch(() => {});
  }
}

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/** A raw RESP `PING` (after `AUTH` when the URL carries credentials); `+PONG` means yes. */
export function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<ServiceCheck> {
  const target = redactUrl(redisUrl);
  const fail = (detail: string): ServiceCheck => ({
    service: 'redis',
    target,
    ok: false,
    detail,
    hint: isLocal(redisUrl)
      ? `start it with: ${START_REDIS}  (or: docker compose up -d redis)`
      : 'check REDIS_URL',
  });
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    return Promise.resolve(fail(`not a URL: ${redisUrl}`));
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return Promise.resolve(fail(`expected a redis:// or rediss:// URL, got ${url.protocol}`));
  }
  const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(url.port || 6379);
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);

  return new Promise((resolve) => {
    const socket =
      url.protocol === 'rediss:'
        ? tls.connect({ host, port, servername: host })
        : net.connect({ host, port });
    let received = '';
    let settled = false;
    const done = (result: ServiceCheck) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(fail(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (err) => done(fail(message(err))));
    socket.once(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      const auth = password ? (username ? resp('AUTH', username, password) : resp('AUTH', password)) : '';
      socket.write(auth + resp('PING'));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const lines = received.split('\r\n');
      for (const line of lines.slice(0, -1)) {
        if (line === '+PONG')
          return done({ service: 'redis', target, ok: true, detail: 'PING answered +PONG' });
        if (line.startsWith('-')) return done(fail(`Redis answered ${line.slice(1)}`));
      }
    });
    socket.once('end', () => done(fail(`connection closed after ${JSON.stringify(received)}`)));
  });
}

/** Checks both, using DATABASE_URL / REDIS_URL when set and the local defaults otherwise. */
export async function checkServices(
  options: { databaseUrl?: string; redisUrl?: string; timeoutMs?: number } = {},
): Promise<ServicesCheck> {
  const databaseUrl = options.databaseUrl ?? (process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const redisUrl = options.redisUrl ?? (process.env.REDIS_URL || DEFAULT_REDIS_URL);
  const services = await Promise.all([
    checkPostgres(databaseUrl, options.timeoutMs),
    checkRedis(redisUrl, options.timeoutMs),
  ]);
  return { ok: services.every((s) => s.ok), services };
}

export function formatServiceCheck(check: ServiceCheck): string {
  const name = check.service === 'postgresql' ? 'PostgreSQL' : 'Redis';
  return check.ok
    ? `${name.padEnd(10)} ok       ${check.target}  (${check.detail})`
    : `${name.padEnd(10)} MISSING  ${check.target}: ${check.detail}${check.hint ? `\n           ${check.hint}` : ''}`;
}
