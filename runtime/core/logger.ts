/**
 * The logger the runtime writes to: four levels, a message and structured
 * details. Any object with these methods fits (pino, console wrappers, a
 * test spy); the runtime never prints on its own.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** One JSON object per line on stderr (for CLIs), from `level` up. */
export function jsonLineLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const at =
    (lvl: LogLevel) =>
    (message: string, details?: Record<string, unknown>): void => {
      if (RANK[lvl] < RANK[level]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...details })}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** `LOG_LEVEL` if it names a level, else the fallback. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: LogLevel = 'info'): LogLevel {
  const raw = env.LOG_LEVEL?.toLowerCase();
  return raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error' ? raw : fallback;
}

/** An error as log details: name, message and, for kafkajs and pg errors, their type or code. */
export function errorDetails(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err) };
  const extra = err as Error & { type?: unknown; code?: unknown; retriable?: unknown };
  return {
    error: err.message,
    errorName: err.name,
    ...(extra.type !== undefined ? { errorType: extra.type } : {}),
    ...(extra.code !== undefined ? { errorCode: extra.code } : {}),
    ...(extra.retriable !== undefined ? { retriable: extra.retriable } : {}),
  };
}
