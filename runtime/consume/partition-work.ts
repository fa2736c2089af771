/** What the pieces of a group member's record loop share: the member's settings, and per batch its scope. */
import type { Pool } from 'pg';
import type { Logger } from '../core/logger.ts';
import type { Retrier } from '../core/retrier.ts';
import type { BatchScope } from '../kafka/consumer-port.ts';
import type { KafkaProducerPort } from '../kafka/producer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import type { BackgroundHeartbeat } from './heartbeat.ts';
import type { RetrierFactory } from './retry.ts';
import type { ConsumerRoutes } from './routes.ts';

/** One group member's settings and collaborators. */
export interface MemberSettings {
  readonly groupId: string;
  readonly pool: Pool;
  readonly deadLetters: KafkaProducerPort;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  /** Aborted when the consumer stops; handed to handlers as `context.signal`. */
  readonly signal: AbortSignal;
  readonly routes: ConsumerRoutes;
  /** Makes the retrier of a subscription's handler policy. */
  readonly retrierFor: RetrierFactory;
  /** Retries of the infrastructure (PostgreSQL, the dead-letter topic): never gives up. */
  readonly infrastructureRetrier: Retrier;
}

/** One partition batch in progress. */
export interface PartitionWork {
  readonly runner: MemberSettings;
  readonly scope: BatchScope;
  readonly heartbeat: BackgroundHeartbeat;
}
