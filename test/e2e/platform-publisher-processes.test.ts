/**
 * The four platform publishers as processes run them: `runService` with each
 * definition (configuration from the environment, migrations at start, real
 * listeners on ephemeral ports), and one `npm run relay` process
 * (`runtime/relay/cli.ts`, OUTBOX_SCHEMA) per schema, as production runs
 * them. One change per service over HTTP reaches its topic with its
 * contract's key and source; health, readiness and metrics answer;
 * everything shuts down gracefully (`npm run bench:platform-publish` measures
 * the auth grant latency over HTTP).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSpecs } from '../../generated/index.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { authService } from '../../services/auth/definition.ts';
import { dwIntegrationService } from '../../services/dw-integration/definition.ts';
import { filePolicyService } from '../../services/file-policy/definition.ts';
import { policyService } from '../../services/policy/definition.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { type RunningService, type RunServiceOptions, runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { type Reader, startReader } from '../support/kafka-reader.ts';
import { dropSchemas, eventually, fetchJson, runId, silent } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const secret = `secret-${run}`;
const ROOT = path.join(import.meta.dirname, '../..');

const SERVICES: { definition: () => RunServiceOptions; schema: string; topic: string; source: string }[] = [
  {
    definition: authService,
    schema: `auth_${run}`,
    topic: 'domain.permission-changed',
    source: 'urn:contract-events:platform:auth',
  },
  {
    definition: policyService,
    schema: `policy_${run}`,
    topic: 'domain.policy-bundle-applied',
    source: 'urn:contract-events:platform:policy',
  },
  {
    definition: dwIntegrationService,
    schema: `dw_integration_${run}`,
    topic: 'domain.dw-batch-completed',
    source: 'urn:contract-events:platform:dw-integration',
  },
  {
    definition: filePolicyService,
    schema: `file_policy_${run}`,
    topic: 'domain.file-policy-updated',
    source: 'urn:contract-events:platform:file',
  },
];

const running: RunningService[] = [];
const relays: ChildProcess[] = [];
let reader: Reader;
const ports: Record<string, number> = {};

const env = (schema: string): NodeJS.ProcessEnv => ({
  PORT: '0',
  DATABASE_URL: infra.databaseUrl,
  DATABASE_SCHEMA: schema,
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  AUTH_SECRET: secret,
});

const http = (service: string, method: string, route: string, token?: string, body?: unknown) =>
  fetchJson(`http://127.0.0.1:${ports[service]}`, method, route, { body, token });

function startRelay(schema: string): ChildProcess {
  const child = spawn(process.execPath, [path.join('runtime', 'relay', 'cli.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OUTBOX_SCHEMA: schema,
      RELAY_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

beforeAll(async () => {
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  reader = await startReader(
    infra.kafkaBrokers,
    SERVICES.map((s) => s.topic),
  );
  for (const s of SERVICES) {
    const definition = s.definition();
    const service = await runService({ ...definition, env: env(s.schema), logger: silent(definition.name) });
    running.push(service);
    ports[definition.name] = service.port;
    relays.push(startRelay(s.schema));
  }
}, 120_000);

afterAll(async () => {
  try {
    await Promise.allSettled(running.map((s) => s.stop()));
    for (const relay of relays) if (relay.exitCode === null) relay.kill('SIGKILL');
    await reader?.stop();
  } finally {
    await dropSchemas(
      infra.databaseUrl,
      SERVICES.map((s) => s.schema),
    );
  }
});

describe('platform publishers as processes', () => {
  it('answer health, readiness and metrics on their own ports', async () => {
    expect(Object.keys(ports).sort()).toEqual(['auth', 'dw-integration', 'file-policy', 'policy']);
    for (const name of Object.keys(ports)) {
      expect(await http(name, 'GET', '/health')).toMatchObject({
        status: 200,
        body: { status: 'ok', service: name },
      });
      const ready = await eventually(
        () => http(name, 'GET', '/ready'),
        (r) => r.status === 200,
      );
      expect(ready).toMatchObject({ status: 200, body: { database: true } });
      const metrics = await fetch(`http://127.0.0.1:${ports[name]}/metrics`);
      expect(await metrics.text()).toContain('http_requests_total');
    }
  });

  it('one change per service over HTTP reaches its topic through its relay process, keyed as the contract says', async () => {
    const token = (scope: string) => issuePrincipalToken(secret, 'ops-e2e', [scope, 'platform:read']);
    const userId = `u-${run}`;
    const bundleId = `access-control-${run}`;
    const gitHash = `${run}${'0'.repeat(32)}`;
    const batchId = `nightly-${run}`;
    const fileType = `x${run}`;

    expect(
      await http('auth', 'POST', `/users/${userId}/permissions/grants`, await token('permissions:write'), {
        feature: 'dw.report',
        actions: ['read'],
      }),
    ).toMatchObject({ status: 200, body: { version: 1, changed: true } });
    const policyToken = await token('policy:write');
    expect((await http('policy', 'POST', '/bundles', policyToken, { bundleId, gitHash })).status).toBe(201);
    expect(
      (await http('policy', 'POST', `/bundles/${bundleId}/applications`, policyToken, { gitHash })).status,
    ).toBe(201);
    const dwToken = await token('dw:write');
    expect(
      (
        await http('dw-integration', 'POST', '/batches', dwToken, {
          batchId,
          orgRange: { from: '1', to: '9' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await http('dw-integration', 'POST', `/batches/${batchId}/completion`, dwToken, {
          status: 'SUCCEEDED',
        })
      ).status,
    ).toBe(200);
    expect(
      await http(
        'file-policy',
        'PUT',
        `/file-types/${fileType}/masking-rule`,
        await token('file-policy:write'),
        {
          maskingRuleId: 'mask-pii',
        },
      ),
    ).toMatchObject({ status: 200, body: { changed: true } });

    const keys = [userId, bundleId, batchId, fileType];
    await reader.waitFor(
      (records) => keys.every((k) => records.some((r) => r.key === k)),
      30_000,
      'one record per service',
    );
    for (const [i, s] of SERVICES.entries()) {
      const record = reader.records.find((r) => r.key === keys[i]);
      expect(record, s.topic).toMatchObject({
        topic: s.topic,
        headers: { ce_source: s.source, ce_subject: keys[i] },
      });
    }
  });

  it('stop gracefully: services close their listeners, relays exit 0 on SIGTERM', async () => {
    for (const s of running) await s.stop();
    for (const port of Object.values(ports)) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
    running.length = 0;
    const codes = await Promise.all(
      relays.map((relay) => {
        const code = exited(relay);
        relay.kill('SIGTERM');
        return code;
      }),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
