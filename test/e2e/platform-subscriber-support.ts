/**
 * Shared pieces of the platform subscribers' end-to-end tests
 * (test/e2e/platform-*.test.ts): principal tokens, a Kafka client with the
 * producers a test publishes with, raw records sent twice with the very same
 * headers, group offsets taken before a run and committed again for a replay,
 * the runtime's consumed counts, and a small real HTTP server standing in for
 * the policy service (not on this branch).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { TopicDefinition } from '../../runtime/contract/definitions.ts';
import type { PublishOptions } from '../../runtime/contract/events.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import type { KafkaProducerPort } from '../../runtime/kafka/producer-port.ts';
import type { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { createEventProducer, toOutgoingRecord } from '../../runtime/produce/event-producer.ts';
import { prepareEvent } from '../../runtime/produce/prepare-event.ts';
import type { BundleApplication } from '../../services/dw-gateway/bundle-schedule.ts';
import type { ServiceEnv } from '../../services/shared/app.ts';
import { issuePrincipalToken, verifyPrincipalToken } from '../../services/shared/auth.ts';
import type { Infrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { commitGroupOffsets, TEST_SECRET, type TopicOffsets } from './support.ts';

/** A token of `subject` with `scopes`, signed with the tests' secret. */
export const principalToken = (scopes: readonly string[], subject = 'e2e-tester'): Promise<string> =>
  issuePrincipalToken(TEST_SECRET, subject, scopes);

export interface TestKafka {
  readonly kafka: ReturnType<typeof createKafka>;
  /** For the runtime's dead letters. */
  readonly deadLetterProducer: KafkaProducerPort;
  /** For the test's own events. */
  readonly producer: KafkaProducerPort;
  readonly events: ReturnType<typeof createEventProducer>;
  /** Sends one prepared record `times` times: the same key, value and headers (ce_id included) each time. */
  sendRaw(
    topic: TopicDefinition,
    event: { type: string; payload: unknown },
    options?: PublishOptions & { times?: number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function testKafka(brokers: readonly string[], clientId: string): Promise<TestKafka> {
  const kafka = createKafka({ brokers, clientId });
  const deadLetterProducer = testKafkaClients().producer();
  const producer = testKafkaClients().producer();
  await producer.connect();
  return {
    kafka,
    deadLetterProducer,
    producer,
    events: createEventProducer({ producer }),
    async sendRaw(topic, event, options = {}) {
      const { times = 1, ...publish } = options;
      const prepared = prepareEvent(topic, event, publish);
      const record = toOutgoingRecord(prepared);
      for (let i = 0; i < times; i++) await producer.send([record]);
      return prepared.id;
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), deadLetterProducer.disconnect()]);
    },
  };
}

/** The end offset of every partition of `topics` now: where a group started at the end begins. */
export async function endOffsetsOf(
  kafka: ReturnType<typeof createKafka>,
  topics: readonly string[],
): Promise<TopicOffsets[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const result: TopicOffsets[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      result.push({ topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Commits `offsets` for `groupId` (nobody running it): a new group starts there, an old one replays from there. */
export const startGroupAt = (brokers: readonly string[], groupId: string, offsets: readonly TopicOffsets[]) =>
  commitGroupOffsets(brokers, groupId, offsets);

/** How many records `groupId` finished with `outcome` (handled, duplicate, skipped, dead-lettered). */
export async function consumed(
  metrics: RuntimeMetrics,
  groupId: string,
  outcome: 'handled' | 'duplicate' | 'skipped' | 'dead-lettered',
): Promise<number> {
  const { values } = await metrics.consumed.get();
  return values
    .filter((v) => v.labels.group === groupId && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

/** How many retries `groupId` made. */
export async function retried(metrics: RuntimeMetrics, groupId: string): Promise<number> {
  const { values } = await metrics.retried.get();
  return values.filter((v) => v.labels.group === groupId).reduce((sum, v) => sum + v.value, 0);
}

export interface PolicyStub {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** What `GET /bundle-applications` lists from now on. */
  applications: BundleApplication[];
  /** While true every request is answered 503. */
  down: boolean;
  /** Each request: its path and query, and the principal of its bearer token (undefined: none or invalid). */
  readonly requests: { path: string; from: string | null; subject?: string; scopes: string[] }[];
  close(): Promise<void>;
}

async function principalOf(req: IncomingMessage) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ? verifyPrincipalToken(TEST_SECRET, match[1]) : undefined;
}

/**
 * The policy service's start-up contract, as the subscribers expect it:
 * `GET /bundle-applications?from=<RFC 3339>` with a `platform:read` token →
 * the policy service's `{ from, bundles: [{ bundleId, inForce, scheduled }] }` (the stub filters
 * nothing: the test decides the list);
 * 401 without a valid token, 403 without the scope.
 */
export async function startPolicyStub(): Promise<PolicyStub> {
  const stub: Omit<PolicyStub, 'url' | 'close'> = { applications: [], down: false, requests: [] };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const principal = await principalOf(req);
      stub.requests.push({
        path: url.pathname,
        from: url.searchParams.get('from'),
        ...(principal ? { subject: principal.subject } : {}),
        scopes: principal ? [...principal.scopes] : [],
      });
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (stub.down) return answer(503, { error: 'unavailable' });
      if (req.method !== 'GET' || url.pathname !== '/bundle-applications') return answer(404, {});
      if (!principal) return answer(401, { error: 'unauthorized' });
      if (!principal.scopes.has('platform:read')) return answer(403, { error: 'forbidden' });
      // The policy service's shape (services/policy/service.ts): per bundle, in force and scheduled.
      const bundles = new Map<string, { bundleId: string; inForce: null; scheduled: unknown[] }>();
      stub.applications.forEach((a, i) => {
        const entry = bundles.get(a.bundleId) ?? { bundleId: a.bundleId, inForce: null, scheduled: [] };
        bundles.set(a.bundleId, entry);
        entry.scheduled.push({
          applicationId: i + 1,
          bundleId: a.bundleId,
          gitHash: a.gitHash,
          effectiveAt: a.effectiveAt,
          appliedAt: a.occurredAt,
          appliedBy: 'stub',
          eventId: '00000000-0000-4000-8000-000000000000',
        });
      });
      return answer(200, { from: url.searchParams.get('from'), bundles: [...bundles.values()] });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A 40-character lower-case hex git hash made of `seed`. */
export const gitHash = (seed: string): string =>
  Buffer.from(seed.padEnd(20, '.')).toString('hex').slice(0, 40).padEnd(40, '0');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Listening {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Stops listening and drops open connections: the service is down from then on. */
  close(): Promise<void>;
}

/** Serves an app over real HTTP on an ephemeral port. */
export async function listen(app: Hono<ServiceEnv>): Promise<Listening> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** The environment `runService` reads, for a service process of a test (ephemeral port, the test's secret). */
export function processEnv(infra: Infrastructure, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    AUTH_SECRET: TEST_SECRET,
    ...extra,
  };
}
