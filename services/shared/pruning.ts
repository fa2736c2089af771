/**
 * Pruning of `consumer_processed_events` for a service that runs consumer
 * groups. A processed-event row only has to outlive every redelivery of its
 * event: a record is handled at or after the time it was written, and Kafka
 * deletes it `retention.ms` after that, so once a row is older than the
 * longest retention of the topics the service's groups read (plus a day of
 * slack) its event can never be delivered again.
 *
 * The schedule: a first run shortly after start, then every `intervalMs`; the
 * timer is unref'd (it never keeps a process alive), runs never overlap, and a
 * failing run is logged and tried again at the next tick. Several instances
 * may prune at once: the deletes are batched with SKIP LOCKED
 * (runtime/db/delete-in-batches.ts), so they share the work instead of
 * waiting for each other. The rows of every group in the service's schema are
 * pruned, replay groups that no longer run included.
 */
import type pg from 'pg';
import { pruneProcessedEvents } from '../../runtime/consume/processed-events.ts';
import type { ConsumerGroupDefinition } from '../../runtime/contract/definitions.ts';
import type { ServiceLogger } from './logger.ts';

export const DAY_MS = 86_400_000;
/** What a topic without `retention.ms` keeps: Kafka's default `log.retention.hours` of 168. */
export const KAFKA_DEFAULT_RETENTION_MS = 7 * DAY_MS;
export const DEFAULT_PRUNE_INTERVAL_MS = 3_600_000;
export const DEFAULT_PRUNE_FIRST_RUN_MS = 60_000;

/**
 * How long processed-event rows of these groups are kept: the longest
 * `retention.ms` of the topics they consume, plus a day. Undefined when one
 * of them keeps its records forever (`retention.ms` -1): those rows may never
 * be pruned. Throws on a `retention.ms` that is not a number, naming the topic.
 */
export function processedEventsRetentionMs(groups: readonly ConsumerGroupDefinition[]): number | undefined {
  let longest = 0;
  for (const group of groups) {
    for (const { topic } of group.subscriptions) {
      const raw = topic.spec.config['retention.ms'];
      const ms = raw === undefined ? KAFKA_DEFAULT_RETENTION_MS : Number(raw);
      if (!Number.isInteger(ms) || ms < -1) {
        throw new Error(
          `topic ${topic.name} (group ${group.groupId}): retention.ms "${raw}" is not a number of milliseconds`,
        );
      }
      if (ms === -1) return undefined;
      longest = Math.max(longest, ms);
    }
  }
  return longest + DAY_MS;
}

export interface PruningOptions {
  readonly pool: pg.Pool;
  /** The consumer groups the service runs, read at every run (groups may start after the pruner). */
  readonly groups: () => readonly ConsumerGroupDefinition[];
  readonly logger: ServiceLogger;
  /** Default DEFAULT_PRUNE_INTERVAL_MS (1 h). */
  readonly intervalMs?: number;
  /** Delay of the first run after `startProcessedEventsPruning`; default DEFAULT_PRUNE_FIRST_RUN_MS (60 s). */
  readonly firstRunMs?: number;
}

export interface ProcessedEventsPruner {
  /** Runs once now (unless a run is in progress: then waits for that one); resolves to the rows deleted. Never rejects. */
  runOnce(): Promise<number>;
  /** Clears the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startProcessedEventsPruning(options: PruningOptions): ProcessedEventsPruner {
  const { pool, logger } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
  const firstRunMs = options.firstRunMs ?? DEFAULT_PRUNE_FIRST_RUN_MS;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let toldForever = false;

  const prune = async (): Promise<number> => {
    const groups = options.groups();
    if (groups.length === 0) return 0;
    let retentionMs: number | undefined;
    try {
      retentionMs = processedEventsRetentionMs(groups);
    } catch (err) {
      logger.error({ err }, 'processed events not pruned');
      return 0;
    }
    const groupIds = groups.map((g) => g.groupId);
    if (retentionMs === undefined) {
      if (!toldForever)
        logger.info({ groups: groupIds }, 'processed events kept: a topic keeps its records forever');
      toldForever = true;
      return 0;
    }
    const started = performance.now();
    try {
      const deleted = await pruneProcessedEvents(pool, { olderThanMs: retentionMs });
      const details = { deleted, retentionMs, durationMs: Math.round(performance.now() - started) };
      if (deleted > 0) logger.info(details, 'processed events pruned');
      else logger.debug(details, 'no processed events to prune');
      return deleted;
    } catch (err) {
      logger.warn({ err, retentionMs }, 'pruning processed events failed; trying again at the next run');
      return 0;
    }
  };

  const runOnce = (): Promise<number> => {
    running ??= prune().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(firstRunMs);

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
