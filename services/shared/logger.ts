/**
 * Structured JSON logs (pino), one line per event, and the adapter that lets
 * the runtime (`runtime/core/logger.ts`: message first, details second)
 * write through the same pino instance.
 */
import { pino } from 'pino';
import type { Logger as RuntimeLogger } from '../../runtime/core/logger.ts';

export type ServiceLogger = pino.Logger;

export interface LoggerOptions {
  /** Default `LOG_LEVEL` or `info`. */
  readonly level?: string;
  /** Where lines go; default stdout. Tests pass a sink. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(service: string, options: LoggerOptions = {}): ServiceLogger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const settings: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** The runtime's logger seam on top of pino. */
export function runtimeLogger(logger: ServiceLogger): RuntimeLogger {
  return {
    debug: (message, details) => logger.debug(details ?? {}, message),
    info: (message, details) => logger.info(details ?? {}, message),
    warn: (message, details) => logger.warn(details ?? {}, message),
    error: (message, details) => logger.error(details ?? {}, message),
  };
}
