/**
 * The whole platform system as `npm start -- --system platform` runs it: the
 * four publishers, their relays and the six subscribers as child processes
 * (scripts/system.ts), with schemas, ports and consumer group ids of this
 * run's own, on real Kafka and PostgreSQL.
 *
 * - `npm run demo -- platform` against it exits 0;
 * - a permission change delivered twice (same event id) and out of order (an
 *   older version, a new event id, after the newer one) rolls nobody back:
 *   read model, server cache and policy cache keep the newest version;
 * - a future-dated bundle takes over in the server and the gateway at its
 *   time with no further event;
 * - a file policy naming a rule the masking service does not know is
 *   dead-lettered at once, and `npm run dlq` lists, shows and discards it;
 * - every write route refuses a missing scope (403), a forged token (401) and
 *   hostile input (400), writing nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSpecs } from '../../generated/index.ts';
import { createKafka } from '../../runtime/kafka/kafkajs.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import {
  platformSystem,
  type RunningProcess,
  type ServiceInstance,
  startSystem,
  stopSystem,
} from '../../scripts/system.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { useInfrastructure } from '../support/context.ts';
import { type ReadRecord, startReader } from '../support/kafka-reader.ts';
import { dropSchemas, eventually, fetchJson, runId } from './support.ts';
import { caughtUp, freePorts, freeRange } from './system-support.ts';

const infra = useInfrastructure();
const root = path.resolve(import.meta.dirname, '../..');
const run = runId();
const secret = `platform-system-${run}`;
/** Each service of the plan in a schema of this run's own. */
const schemaOf = (s: ServiceInstance) => `${s.schema}_${run}`;
/** Group id overrides: each consumer group of this run's own. */
const groups: Record<string, string> = {
  READ_MODEL_WORKER_GROUP_ID: `read-model-worker-e2e-${run}`,
  SERVER_GROUP_ID: `server-e2e-${run}`,
  POLICY_CACHE_GROUP_ID: `policy-cache-e2e-${run}`,
  DW_GATEWAY_GROUP_ID: `dw-gateway-e2e-${run}`,
  BATCH_APP_GROUP_ID: `batch-app-e2e-${run}`,
  MASKING_SERVICE_GROUP_ID: `masking-service-e2e-${run}`,
};
const ledgerSchema = `dead_letters_${run}`;
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  DATABASE_URL: infra.databaseUrl,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  AUTH_SECRET: secret,
  LOG_LEVEL: 'info',
  ...groups,
};
const running: RunningProcess[] = [];
const url: Record<string, string> = {};
const plan: ServiceInstance[] = [];
const pool = new pg.Pool({ connectionString: infra.databaseUrl, max: 3 });
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `e2e-platform-${run}` });
const admin: Admin = kafka.admin();
let producer: Producer;
let operator: string;

const http = <T = Record<string, unknown>>(
  service: string,
  method: string,
  route: string,
  options: { body?: unknown; token?: string } = {},
) => fetchJson<T>(url[service]!, method, route, { token: operator, ...options });

beforeAll(async () => {
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
  operator = await issuePrincipalToken(secret, 'e2e-operator', [
    'permissions:write',
    'policy:write',
    'dw:write',
    'file-policy:write',
    'platform:read',
  ]);
  const ports = await freePorts(10);
  for (const s of platformSystem()) {
    const instance = { ...s, port: ports.shift()!, schema: schemaOf(s) };
    plan.push(instance);
    url[s.name] = `http://127.0.0.1:${instance.port}`;
  }
  running.push(
    ...(await startSystem({
      root,
      env,
      services: plan,
      relayMetricsBasePort: await freeRange(4),
      logDir: path.join(root, '.cache', 'logs', `e2e-platform-system-${run}`),
    })),
  );
  // Whatever other test files left on the topics is handled before the scenario starts.
  await caughtUp(admin, Object.values(groups), 180_000);
}, 400_000);

afterAll(async () => {
  await stopSystem(running);
  await producer?.disconnect();
  await admin.deleteGroups(Object.values(groups)).catch(() => undefined);
  await admin.disconnect();
  await pool.end();
  await dropSchemas(infra.databaseUrl, [...plan.map((s) => s.schema), ledgerSchema]);
}, 180_000);

const demoEnv = (): NodeJS.ProcessEnv => ({
  ...env,
  AUTH_SERVICE_URL: url.auth,
  POLICY_SERVICE_URL: url.policy,
  DW_INTEGRATION_SERVICE_URL: url['dw-integration'],
  FILE_POLICY_SERVICE_URL: url['file-policy'],
  READ_MODEL_URL: url['read-model-worker'],
  SERVER_URL: url.server,
  POLICY_CACHE_URL: url['policy-cache'],
  DW_GATEWAY_URL: url['dw-gateway'],
  BATCH_APP_URL: url['batch-app'],
  MASKING_URL: url['masking-service'],
  NO_COLOR: '1',
});

describe('the platform system', () => {
  it('npm run demo -- platform drives its scenario against the system and exits 0', async () => {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['scripts/demo/main.ts', 'platform'], {
        cwd: root,
        env: demoEnv(),
      });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      child.on('exit', resolve);
    });
    const text = output.join('');
    expect(code, text).toBe(0);
    expect(text).toContain('Demo complete.');
    expect(text).toMatch(/dw-gateway switched to [0-9a-f]{10} \d+ ms after effectiveAt/);
    expect(text).toContain(
      'masked:  Contact Kim at *********@example.com or ***-****-****; RRN ******-*******.',
    );
  }, 180_000);

  it('a permission change delivered twice and out of order rolls nobody back', async () => {
    const userId = `u-sys-${run}`;
    const reader = await startReader(infra.kafkaBrokers, ['domain.permission-changed']);
    let records: ReadRecord[];
    try {
      const v1 = await http<{ version: number }>('auth', 'POST', `/users/${userId}/permissions/grants`, {
        body: { feature: 'dw.report', actions: ['read'] },
      });
      const v2 = await http<{ version: number }>('auth', 'POST', `/users/${userId}/permissions/grants`, {
        body: { feature: 'dw.report', actions: ['export'] },
      });
      expect([v1.body.version, v2.body.version]).toEqual([1, 2]);
      await reader.waitFor((rs) => rs.filter((r) => r.key === userId).length >= 2, 30_000, 'both events');
      records = reader.records.filter((r) => r.key === userId);
    } finally {
      await reader.stop();
    }
    const [first, second] = records;
    expect(records.map((r) => (JSON.parse(r.value!) as { version: number }).version)).toEqual([1, 2]);
    await caughtUp(admin, Object.values(groups));
    const state = async () => ({
      readModel: (
        await http<{ version: number; permissions: unknown }>(
          'read-model-worker',
          'GET',
          `/permissions/${userId}`,
        )
      ).body,
      server: (
        await http('server', 'GET', `/permissions/check?userId=${userId}&feature=dw.report&action=export`)
      ).body,
      cache: (
        await http(
          'policy-cache',
          'GET',
          `/permissions/check?userId=${userId}&feature=dw.report&action=export`,
        )
      ).body,
    });
    const before = await state();
    expect(before.readModel.version).toBe(2);
    expect(before.server).toMatchObject({ allowed: true, version: 2 });
    expect(before.cache).toMatchObject({ allowed: true, version: 2 });

    // v2 again with its own event id (a redelivery), then v1 with a new event id (an older change arriving late).
    const send = (r: ReadRecord, headers: Record<string, string>) =>
      producer.send({
        topic: 'domain.permission-changed',
        messages: [{ key: r.key, value: r.value, headers: { ...r.headers, ...headers } }],
      });
    await send(second!, {});
    await send(first!, { ce_id: randomUUID() });
    await caughtUp(admin, Object.values(groups));
    expect(await state()).toEqual(before);
  }, 120_000);

  it('a future-dated bundle takes over in the server and the gateway at its time, with no further event', async () => {
    const bundleId = `sys-${run}`;
    const [now, later] = [randomBytes(20).toString('hex'), randomBytes(20).toString('hex')];
    for (const gitHash of [now, later]) {
      expect((await http('policy', 'POST', '/bundles', { body: { bundleId, gitHash } })).status).toBe(201);
    }
    await http('policy', 'POST', `/bundles/${bundleId}/applications`, { body: { gitHash: now } });
    const effectiveAt = new Date(Date.now() + 6_000).toISOString();
    await http('policy', 'POST', `/bundles/${bundleId}/applications`, {
      body: { gitHash: later, effectiveAt },
    });
    await caughtUp(admin, Object.values(groups));
    const inForce = async (service: 'server' | 'dw-gateway') => {
      const route = service === 'server' ? '/policy/bundles' : '/policy/in-force';
      const body = (
        await http<{ bundles: { bundleId: string; inForce: { gitHash: string } | null }[] }>(
          service,
          'GET',
          route,
        )
      ).body;
      return body.bundles.find((b) => b.bundleId === bundleId)?.inForce?.gitHash;
    };
    if (Date.now() < Date.parse(effectiveAt) - 500) {
      expect(await inForce('server')).toBe(now);
      expect(await inForce('dw-gateway')).toBe(now);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(effectiveAt) - Date.now() + 100)));
    expect(await inForce('server')).toBe(later);
    expect(await inForce('dw-gateway')).toBe(later);
    const query = await http<{ query: { revision: { gitHash: string } } }>('dw-gateway', 'POST', '/queries', {
      body: { bundleId, dataset: 'finance.ledger' },
    });
    expect(query.body.query.revision.gitHash).toBe(later);
  }, 60_000);

  it('dead-letters an unknown masking rule at once; npm run dlq lists, shows and discards it', async () => {
    const fileType = `x${run}`;
    const eventId = randomUUID();
    const now = new Date().toISOString();
    // The file-policy service refuses unknown rules, so the record comes from elsewhere (another version of it).
    await producer.send({
      topic: 'domain.file-policy-updated',
      messages: [
        {
          key: fileType,
          value: JSON.stringify({ fileType, maskingRuleId: 'mask-everything', occurredAt: now }),
          headers: {
            ce_specversion: '1.0',
            ce_id: eventId,
            ce_type: 'FilePolicyUpdated',
            ce_source: 'urn:contract-events:platform:file',
            ce_time: now,
            ce_schemaversion: '1',
            'content-type': 'application/json',
            traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
          },
        },
      ],
    });
    await caughtUp(admin, [groups.MASKING_SERVICE_GROUP_ID!]);
    const dlq = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['runtime/dead-letters/cli.ts', ...args, '--ledger-schema', ledgerSchema, '--json'],
        {
          cwd: root,
          env,
        },
      ).then((r) => JSON.parse(r.stdout) as unknown);
    const shown = (await eventually(
      () => dlq('show', 'domain.file-policy-updated.dlq', '--event-id', eventId),
      (v) => JSON.stringify(v).includes(eventId),
    )) as unknown;
    const text = JSON.stringify(shown);
    expect(text).toContain('UnknownMaskingRuleError');
    expect(text).toContain('non-retriable');
    expect(text).toContain(groups.MASKING_SERVICE_GROUP_ID);
    expect(text).toContain('mask-everything');
    const listed = JSON.stringify(await dlq('list', 'domain.file-policy-updated.dlq'));
    expect(listed).toContain('non-retriable');
    type Report = {
      counts: Record<string, number>;
      items: { eventId?: string; outcome: string; reason: string }[];
    };
    const discarded = (await dlq(
      'discard',
      'domain.file-policy-updated.dlq',
      '--event-id',
      eventId,
      '--reason',
      'rule retired',
    )) as Report;
    expect(discarded.items).toEqual([
      expect.objectContaining({ eventId, outcome: 'discarded', reason: 'non-retriable' }),
    ]);
    // A discarded record is never replayed (without --force).
    const replay = (await dlq('replay', 'domain.file-policy-updated.dlq', '--event-id', eventId)) as Report;
    expect(replay.items).toEqual([expect.objectContaining({ eventId, outcome: 'skipped' })]);
    expect(replay.counts.replayed ?? 0).toBe(0);
    const rules = await http<{ rules: { fileType: string }[] }>('masking-service', 'GET', '/rules');
    expect(rules.body.rules.some((r) => r.fileType === fileType)).toBe(false);
  }, 120_000);

  const writes: [service: string, method: string, route: string, body: unknown, scope: string][] = [
    [
      'auth',
      'POST',
      `/users/u-${run}/permissions/grants`,
      { feature: 'dw.report', actions: ['read'] },
      'permissions:write',
    ],
    ['policy', 'POST', '/bundles', { bundleId: `b-${run}`, gitHash: 'a'.repeat(40) }, 'policy:write'],
    [
      'dw-integration',
      'POST',
      '/batches',
      { batchId: `b-${run}`, orgRange: { from: 'A', to: 'B' } },
      'dw:write',
    ],
    [
      'file-policy',
      'PUT',
      `/file-types/t${run}/masking-rule`,
      { maskingRuleId: 'mask-email' },
      'file-policy:write',
    ],
  ];
  it.each(writes)(
    '%s %s %s refuses a missing scope, a forged token and hostile input, writing nothing',
    async (service, method, route, body, scope) => {
      const schema = plan.find((s) => s.name === service)!.schema;
      const outbox = async () =>
        Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".domain_event_outbox`)).rows[0].n);
      const before = await outbox();
      const reader = await issuePrincipalToken(secret, 'e2e-reader', ['platform:read']);
      const forged = await issuePrincipalToken('not-the-secret', 'e2e-operator', [scope]);
      expect((await http(service, method, route, { body, token: reader })).status).toBe(403);
      expect((await http(service, method, route, { body, token: forged })).status).toBe(401);
      const hostile = JSON.parse(JSON.stringify(body).replace(/"([^"]*)"(?=[,}])/, '"$1\\u0000"')) as unknown;
      const refused = await http<{ error: string }>(service, method, route, { body: hostile });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('validation');
      expect(await outbox()).toBe(before);
    },
  );
});
