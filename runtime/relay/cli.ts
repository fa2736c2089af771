/**
 * Runs one outbox relay instance until SIGTERM or SIGINT, then stops
 * gracefully (batches in flight are finished and marked) and exits 0.
 *
 *   node runtime/relay/cli.ts
 *
 * Environment (all optional):
 *   DATABASE_URL            postgres://postgres@127.0.0.1:5432/test
 *   KAFKA_BROKERS           127.0.0.1:9092 (comma-separated)
 *   OUTBOX_SCHEMA           public
 *   RELAY_MIGRATE           1: apply runtime/db/migrations first
 *   RELAY_WORKERS           2        lane workers (PostgreSQL sessions)
 *   RELAY_BATCH_SIZE        2000
 *   RELAY_POLL_INTERVAL_MS  1000
 *   RELAY_RETENTION_MS      0        keep published rows this long (0: delete them once published)
 *   RELAY_METRICS_PORT      serve Prometheus metrics on this port (/metrics)
 *   RELAY_INSTANCE_ID       hostname:pid
 *   LOG_LEVEL               info (debug, info, warn, error); JSON lines on stderr
 */
import { createServer } from 'node:http';
import { errorDetails, jsonLineLogger, logLevelFromEnv } from '../core/logger.ts';
import { DEFAULT_DATABASE_URL, migrate } from '../db/migrate.ts';
import { createKafkaClients } from '../kafka/client.ts';
import { kafkaBrokersFromEnv } from '../kafka/kafkajs.ts';
import { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import { OutboxRelay } from './relay.ts';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const logger = jsonLineLogger(logLevelFromEnv());
const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const schema = process.env.OUTBOX_SCHEMA || 'public';
const brokers = kafkaBrokersFromEnv();
const metrics = new RuntimeMetrics();

try {
  if (process.env.RELAY_MIGRATE === '1') await migrate(databaseUrl, { schema, logger });
  const producer = createKafkaClients({
    brokers,
    clientId: 'outbox-relay',
    logger,
    logLevel: 'error',
  }).producer();
  const relay = new OutboxRelay({
    database: databaseUrl,
    producer,
    schema,
    workers: intFromEnv('RELAY_WORKERS', 2),
    batchSize: intFromEnv('RELAY_BATCH_SIZE', 2000),
    pollIntervalMs: intFromEnv('RELAY_POLL_INTERVAL_MS', 1000),
    retentionMs: intFromEnv('RELAY_RETENTION_MS', 0),
    ...(process.env.RELAY_INSTANCE_ID ? { instanceId: process.env.RELAY_INSTANCE_ID } : {}),
    metrics,
    logger,
  });

  const metricsPort = intFromEnv('RELAY_METRICS_PORT', 0);
  const server =
    metricsPort > 0
      ? createServer((req, res) => {
          if (req.url !== '/metrics') {
            res.writeHead(404).end();
            return;
          }
          metrics.registry.metrics().then(
            (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
            (err: unknown) => res.writeHead(500).end(String(err)),
          );
        }).listen(metricsPort)
      : undefined;

  // Kafka may still be starting: the producer connects on its first send and retries there.
  await relay.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('outbox relay: stopping', { signal });
    try {
      await relay.stop();
      await producer.disconnect().catch(() => {});
      server?.close();
    } catch (err) {
      logger.error('outbox relay: stop failed', errorDetails(err));
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  logger.error('outbox relay: could not start', errorDetails(err));
  process.exitCode = 1;
}
