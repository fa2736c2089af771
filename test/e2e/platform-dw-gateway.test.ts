/**
 * The DW gateway against the real PostgreSQL and Kafka, with a real HTTP
 * stub of the policy service. Proves: the schedule rebuilt from the policy
 * service before `/ready`; a bundle applied with effectiveAt 3 s ahead — the
 * old revision answers queries before it, the new one after it, with no
 * further event; an application arriving out of order (an older effectiveAt
 * after a newer) not displacing the newer once both are past; queries
 * recorded with the revision they ran under and refused (409, nothing
 * written) when no revision is in force; every route's refusals; a replay of
 * the topic into a fresh group (and a restart) ending with the same schedule.
 * Then the schedule's rules on a fake clock.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyBundleAppliedPublisher, topicSpecs } from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { type BundleApplication, BundleSchedule } from '../../services/dw-gateway/bundle-schedule.ts';
import { dwGatewayService } from '../../services/dw-gateway/definition.ts';
import { httpPolicyService } from '../../services/dw-gateway/policy-client.ts';
import { createDwGatewayService, type DwGatewayService } from '../../services/dw-gateway/service.ts';
import { serviceToken } from '../../services/policy-cache/service-token.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import {
  consumed,
  endOffsetsOf,
  gitHash,
  type PolicyStub,
  principalToken,
  processEnv,
  sleep,
  startGroupAt,
  startPolicyStub,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `dw_gateway_${run}`;
const groupId = `dw-gateway-e2e-${run}`;
const TOPIC = 'domain.policy-bundle-applied';

const pool = createServicePool(infra.databaseUrl, schema, 4);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let policy: PolicyStub;
let gateway: DwGatewayService;
let starts: TopicOffsets[];
let token: string;

const bundle = (name: string) => `${name}-${run}`;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const application = (
  name: string,
  rev: string,
  effectiveAt: string,
  occurredAt = effectiveAt,
): BundleApplication => ({
  bundleId: bundle(name),
  gitHash: gitHash(`${name}-${rev}-${run}`),
  effectiveAt,
  occurredAt,
});

const start = (group = groupId) =>
  createDwGatewayService({
    pool,
    logger: silent('dw-gateway'),
    authSecret: TEST_SECRET,
    policy: httpPolicyService({
      baseUrl: policy.url,
      token: serviceToken(TEST_SECRET, 'dw-gateway', ['platform:read']),
    }),
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: bus.deadLetterProducer,
      metrics,
    }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

const app = () => gateway.service.app;
interface QueryBody {
  query: {
    queryId: string;
    bundleId: string;
    dataset: string;
    revision: { gitHash: string; effectiveAt: string };
    principal: string;
    ranAt: string;
  };
}
const query = (name: string, dataset = 'sales.orders') =>
  call<QueryBody>(app(), 'POST', '/queries', { token, body: { bundleId: bundle(name), dataset } });
const inForce = async () => {
  const res = await call<{
    bundles: { bundleId: string; inForce: BundleApplication | null; pending: BundleApplication[] }[];
  }>(app(), 'GET', '/policy/in-force', { token });
  expect(res.status).toBe(200);
  return res.body.bundles;
};
const queryRows = async () =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM dw_queries')).rows[0]?.n);

const reportingV1 = application('reporting', 'v1', iso(-86_400_000));

beforeAll(async () => {
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/dw-gateway/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-dw-gateway-${run}`);
  starts = await endOffsetsOf(bus.kafka, [TOPIC]);
  await startGroupAt(infra.kafkaBrokers, groupId, starts);
  policy = await startPolicyStub();
  policy.applications = [reportingV1];
  token = await principalToken(['platform:read'], 'analyst-7');
  gateway = start();
}, 120_000);

afterAll(async () => {
  try {
    await gateway?.close();
    await policy?.close();
    await bus?.close();
    await pool.end();
  } finally {
    await dropSchemas(infra.databaseUrl, [schema]);
  }
}, 60_000);

describe('dw-gateway', () => {
  it('is ready once the schedule is rebuilt from the policy service and the group joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({
      consumers: { 'bundle-schedule-rebuild': 'ready', [groupId]: 'ready' },
    });
    expect(policy.requests.at(-1)).toMatchObject({ subject: 'dw-gateway', scopes: ['platform:read'] });
    expect(await inForce()).toEqual([{ bundleId: bundle('reporting'), inForce: reportingV1, pending: [] }]);
  });

  it('refuses a missing or forged token, a token without platform:read, and bad input on every route', async () => {
    const forged = await issuePrincipalToken('another-secret', 'analyst-7', ['platform:read']);
    const other = await principalToken(['dw:write']);
    const routes: [string, string, unknown?][] = [
      ['GET', '/policy/in-force'],
      ['POST', '/queries', { bundleId: bundle('reporting'), dataset: 'sales.orders' }],
      ['GET', '/queries/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [method, url, body] of routes) {
      const options = body === undefined ? {} : { body };
      expect((await call(app(), method, url, options)).status, url).toBe(401);
      expect((await call(app(), method, url, { ...options, token: forged })).status, url).toBe(401);
      expect((await call(app(), method, url, { ...options, token: other })).status, url).toBe(403);
    }
    const bad: [string, string, unknown, string][] = [
      ['GET', '/policy/in-force?at=2026-01-01T00:00:00Z', undefined, '/query/at'],
      ['POST', '/queries', { dataset: 'sales.orders' }, '/body/bundleId'],
      ['POST', '/queries', { bundleId: 'Reporting', dataset: 'sales.orders' }, '/body/bundleId'],
      ['POST', '/queries', { bundleId: bundle('reporting'), dataset: 'sales; drop table' }, '/body/dataset'],
      ['POST', '/queries', { bundleId: bundle('reporting'), dataset: 'a\u0000b' }, '/body/dataset'],
      ['POST', '/queries', { bundleId: bundle('reporting'), dataset: 'sales.orders', sql: 'x' }, '/body/sql'],
      ['POST', '/queries', '{not json', '/body'],
      ['GET', '/queries/not-a-uuid', undefined, '/params/queryId'],
    ];
    for (const [method, url, body, field] of bad) {
      const res = await call<{ fields: { path: string }[] }>(app(), method, url, {
        token,
        ...(body === undefined ? {} : { body }),
      });
      expect(res.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.fields.map((f) => f.path)).toContain(field);
    }
    const textBody = await app().request('/queries', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ bundleId: bundle('reporting'), dataset: 'sales.orders' }),
    });
    expect(textBody.status).toBe(400);
    expect(await queryRows()).toBe(0);
    expect(
      await call(app(), 'GET', '/queries/00000000-0000-4000-8000-000000000000', { token }),
    ).toMatchObject({
      status: 404,
    });
  });

  it('runs a query under the revision in force and records it; no revision in force is 409 and nothing is written', async () => {
    const res = await query('reporting');
    expect(res.status).toBe(201);
    expect(res.body.query).toMatchObject({
      bundleId: bundle('reporting'),
      dataset: 'sales.orders',
      revision: { gitHash: reportingV1.gitHash, effectiveAt: reportingV1.effectiveAt },
      principal: 'analyst-7',
    });
    expect(await call(app(), 'GET', `/queries/${res.body.query.queryId}`, { token })).toEqual({
      status: 200,
      body: res.body,
    });
    expect(await query('unknown')).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(await queryRows()).toBe(1);
  });

  it('a bundle applied 3 s ahead: the old revision answers before it, the new one after it, with no further event', async () => {
    const v2 = application('reporting', 'v2', iso(3_000), iso(0));
    const before = await consumed(metrics, groupId, 'handled');
    await policyBundleAppliedPublisher(bus.events).publish({ type: 'PolicyBundleApplied', payload: v2 });
    await eventually(inForce, (b) => b[0]?.pending.length === 1);
    // The handler's in-memory effect shows before its transaction commits; the event counts after COMMIT.
    const handled = await eventually(
      () => consumed(metrics, groupId, 'handled'),
      (n) => n === before + 1,
    );
    expect((await query('reporting')).body.query.revision.gitHash).toBe(reportingV1.gitHash);
    await sleep(Math.max(0, Date.parse(v2.effectiveAt) - Date.now() - 500));
    expect((await query('reporting')).body.query.revision.gitHash).toBe(reportingV1.gitHash);
    await sleep(Math.max(0, Date.parse(v2.effectiveAt) - Date.now()) + 20);
    const after = await query('reporting');
    expect(after.body.query.revision).toEqual({ gitHash: v2.gitHash, effectiveAt: v2.effectiveAt });
    expect(Date.parse(after.body.query.ranAt)).toBeGreaterThanOrEqual(Date.parse(v2.effectiveAt));
    expect(await inForce()).toEqual([{ bundleId: bundle('reporting'), inForce: v2, pending: [] }]);
    expect(await consumed(metrics, groupId, 'handled')).toBe(handled);
  });

  it('an application arriving out of order (an older effectiveAt after a newer) does not displace the newer once both are past', async () => {
    const publisher = policyBundleAppliedPublisher(bus.events);
    const newer = application('masking', 'v5', iso(2_000), iso(0));
    const older = application('masking', 'v4', iso(-60_000));
    await publisher.publish({ type: 'PolicyBundleApplied', payload: newer });
    await publisher.publish({ type: 'PolicyBundleApplied', payload: older });
    // Until the newer one's effectiveAt, the older (already effective) is the one in force.
    const before = await eventually(
      async () => (await query('masking')).body.query?.revision.gitHash,
      (h) => h !== undefined,
    );
    expect(before).toBe(older.gitHash);
    await sleep(Math.max(0, Date.parse(newer.effectiveAt) - Date.now()) + 20);
    expect((await query('masking')).body.query.revision.gitHash).toBe(newer.gitHash);
    // The older application delivered again, now that both are past: it changes nothing.
    const handled = await consumed(metrics, groupId, 'handled');
    await publisher.publish({ type: 'PolicyBundleApplied', payload: older });
    await eventually(
      () => consumed(metrics, groupId, 'handled'),
      (n) => n >= handled + 1,
    );
    expect((await query('masking')).body.query.revision.gitHash).toBe(newer.gitHash);
  });

  it('a replay of the topic into a fresh group, and a restart, end with the same schedule', async () => {
    const before = await inForce();
    await gateway.close();
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    // The policy service is now empty: only the replayed events can rebuild what the events brought.
    policy.applications = [reportingV1];
    gateway = start(fresh);
    await eventually(
      () => consumed(metrics, fresh, 'handled'),
      (n) => n >= 4,
      60_000,
    );
    expect(await inForce()).toEqual(before);
    await gateway.close();
    // A restart of the original group: offsets past the events; the policy service lists what it applied.
    policy.applications = before.flatMap((b) => (b.inForce ? [b.inForce, ...b.pending] : b.pending));
    gateway = start();
    await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(await inForce()).toEqual(before);
  }, 90_000);
});

describe('dw-gateway as a process', () => {
  it('runService builds it from the environment (POLICY_SERVICE_URL, DW_GATEWAY_GROUP_ID): rebuilt, ready, running queries', async () => {
    const group = `${groupId}-process`;
    await startGroupAt(infra.kafkaBrokers, group, await endOffsetsOf(bus.kafka, [TOPIC]));
    const processSchema = `${schema}_process`;
    const running = await runService({
      ...dwGatewayService(),
      env: processEnv(infra, {
        POLICY_SERVICE_URL: policy.url,
        DW_GATEWAY_GROUP_ID: group,
        DATABASE_SCHEMA: processSchema,
      }),
      logger: silent('dw-gateway'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => fetch(`${base}/ready`).then(async (r) => ({ status: r.status, body: await r.json() })),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({ consumers: { [group]: 'ready' } });
      const res = await fetch(`${base}/queries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bundleId: policy.applications[0]!.bundleId, dataset: 'hr.people' }),
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as QueryBody).query.revision.gitHash).toBe(policy.applications[0]!.gitHash);
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);
});

describe('bundle schedule rules (fake clock)', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
  const app = (rev: string, effective: number, occurred = effective): BundleApplication => ({
    bundleId: 'b',
    gitHash: gitHash(rev),
    effectiveAt: at(effective),
    occurredAt: at(occurred),
  });

  it('in force: the last application with effectiveAt ≤ now, whatever the arrival order', () => {
    let now = Date.parse(at(100));
    const schedule = new BundleSchedule({ now: () => now });
    expect(schedule.apply(app('v3', 200, 50))).toBe('scheduled');
    expect(schedule.apply(app('v2', 90))).toBe('scheduled');
    expect(schedule.apply(app('v1', 10))).toBe('superseded');
    expect(schedule.inForce('b')?.gitHash).toBe(gitHash('v2'));
    expect(schedule.view()).toEqual([
      { bundleId: 'b', inForce: app('v2', 90), pending: [app('v3', 200, 50)] },
    ]);
    now = Date.parse(at(200)) - 1;
    expect(schedule.inForce('b')?.gitHash).toBe(gitHash('v2'));
    now += 1;
    expect(schedule.inForce('b')?.gitHash).toBe(gitHash('v3'));
    // v2 can never be in force again: dropped; and an application before v3 is superseded at once.
    expect(schedule.apply(app('v2b', 150))).toBe('superseded');
    expect(schedule.view()).toEqual([{ bundleId: 'b', inForce: app('v3', 200, 50), pending: [] }]);
  });

  it('the same effectiveAt: the later occurredAt wins, then the greater git hash; the same application twice is a duplicate', () => {
    const schedule = new BundleSchedule({ now: () => Date.parse(at(1000)) });
    // gitHash('z') > gitHash('a'): the later occurredAt must win even with the smaller hash.
    expect(gitHash('z') > gitHash('a')).toBe(true);
    expect(schedule.apply(app('z', 500, 400))).toBe('scheduled');
    expect(schedule.apply(app('z', 500, 400))).toBe('duplicate');
    expect(schedule.apply(app('a', 500, 450))).toBe('scheduled');
    expect(schedule.inForce('b')?.gitHash).toBe(gitHash('a'));
    expect(schedule.apply(app('z', 500, 400))).toBe('superseded');
    const tie = [app('x', 600, 600), app('y', 600, 600)].sort((p, q) => (p.gitHash < q.gitHash ? -1 : 1));
    expect(schedule.apply(tie[1]!)).toBe('scheduled');
    expect(schedule.apply(tie[0]!)).toBe('superseded');
    expect(schedule.inForce('b')?.gitHash).toBe(tie[1]!.gitHash);
  });

  it('an unknown bundle has nothing in force; a bundle with only future applications has none yet', () => {
    const schedule = new BundleSchedule({ now: () => Date.parse(at(0)) });
    expect(schedule.inForce('b')).toBeUndefined();
    schedule.apply(app('f', 10));
    expect(schedule.inForce('b')).toBeUndefined();
    expect(schedule.view()).toEqual([{ bundleId: 'b', inForce: null, pending: [app('f', 10)] }]);
  });
});
