/**
 * The platform system's scenario (`npm run demo -- platform`), against the
 * running system (`npm start` in another terminal):
 *
 * 1. a permission grant reaches the read model, the server's cache and the
 *    policy cache (how long after the commit each showed it);
 * 2. a bundle revision applied now and another applied a few seconds ahead:
 *    the DW gateway runs its queries under the first, then switches at the
 *    effective time with no further event;
 * 3. a DW batch is completed and batch-app schedules its follow-up job (the
 *    read model shows the batch's status);
 * 4. a masking rule is set for a file type and a sample document is masked.
 *
 * Each event is printed once every consumer group of its topic has committed
 * past it. Exits non-zero when a call fails or an effect does not show in
 * time. Service addresses: AUTH_SERVICE_URL, POLICY_SERVICE_URL,
 * DW_INTEGRATION_SERVICE_URL, FILE_POLICY_SERVICE_URL, READ_MODEL_URL,
 * SERVER_URL, POLICY_CACHE_URL, DW_GATEWAY_URL, BATCH_APP_URL, MASKING_URL
 * (default: npm start's ports 3101–3110); AUTH_SECRET as the services have it.
 */
import { randomBytes } from 'node:crypto';
import { catalog } from '../../generated/index.ts';
import { DEVELOPMENT_AUTH_SECRET, issuePrincipalToken } from '../../services/shared/auth.ts';
import type { TappedEvent } from './event-tap.ts';
import { bold, clock, createHttp, DemoFailure, dim, say, startScenario } from './support.ts';

const env = process.env;
const urls = {
  auth: env.AUTH_SERVICE_URL ?? 'http://127.0.0.1:3101',
  policy: env.POLICY_SERVICE_URL ?? 'http://127.0.0.1:3102',
  'dw-integration': env.DW_INTEGRATION_SERVICE_URL ?? 'http://127.0.0.1:3103',
  'file-policy': env.FILE_POLICY_SERVICE_URL ?? 'http://127.0.0.1:3104',
  'read-model-worker': env.READ_MODEL_URL ?? 'http://127.0.0.1:3105',
  server: env.SERVER_URL ?? 'http://127.0.0.1:3106',
  'policy-cache': env.POLICY_CACHE_URL ?? 'http://127.0.0.1:3107',
  'dw-gateway': env.DW_GATEWAY_URL ?? 'http://127.0.0.1:3108',
  'batch-app': env.BATCH_APP_URL ?? 'http://127.0.0.1:3109',
  'masking-service': env.MASKING_URL ?? 'http://127.0.0.1:3110',
};
const http = createHttp(urls);

const systemOf = new Map(catalog.contexts.map((c) => [c.name, c.system]));
const PLATFORM_TOPICS = catalog.topics
  .filter((t) => t.kind === 'event' && systemOf.get(t.owner) === 'platform')
  .map((t) => t.name);

function describe(e: TappedEvent): string {
  const p = e.payload;
  switch (e.type) {
    case 'PermissionChanged':
      return `user ${p.userId} version ${p.version}: ${(
        p.permissions as { feature: string; actions: string[] }[]
      )
        .map((f) => `${f.feature}[${f.actions.join(',')}]`)
        .join(' ')}`;
    case 'PolicyBundleApplied':
      return `bundle ${p.bundleId} @ ${String(p.gitHash).slice(0, 10)} effective ${p.effectiveAt}`;
    case 'DwBatchCompleted': {
      const range = p.orgRange as { from: string; to: string };
      return `batch ${p.batchId} (${range.from}..${range.to}) ${p.status}`;
    }
    case 'FilePolicyUpdated':
      return `file type ${p.fileType} → ${p.maskingRuleId ?? 'no masking'}`;
    default:
      return JSON.stringify(p).slice(0, 100);
  }
}

/** Polls `probe` every 20 ms until it returns a value; the time from `since` to the first answer. */
async function until<T>(
  what: string,
  since: number,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<{ value: T; ms: number }> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, ms: Math.round(performance.now() - since) };
    } catch (err) {
      lastError = ` (last error: ${(err as Error).message})`;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new DemoFailure(`${what} did not happen within ${timeoutMs / 1000} s${lastError}`);
}

const quiet = { quiet: true } as const;

export async function platformDemo(): Promise<void> {
  say(bold('Platform demo'));
  const scenario = await startScenario({ urls, topics: PLATFORM_TOPICS, describe });
  const token = await issuePrincipalToken(env.AUTH_SECRET || DEVELOPMENT_AUTH_SECRET, 'demo-operator', [
    'permissions:write',
    'policy:write',
    'dw:write',
    'file-policy:write',
    'platform:read',
  ]);
  const run = randomBytes(3).toString('hex');
  const check = (fn: () => Promise<void>) =>
    fn().catch((err: unknown) => {
      if (!(err instanceof DemoFailure)) throw err;
      scenario.fail(err.message);
    });
  try {
    const userId = `u-demo-${run}`;
    await scenario.step(`1. ${userId} is granted dw.report read and export`, async () => {
      const granted = await http<{ version: number }>('auth', 'POST', `/users/${userId}/permissions/grants`, {
        token,
        body: { feature: 'dw.report', actions: ['read', 'export'] },
      });
      const committed = performance.now();
      await check(async () => {
        const [readModel, server, cache] = await Promise.all([
          until('the read model showing the grant', committed, async () => {
            const res = await fetch(`${urls['read-model-worker']}/permissions/${userId}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            if (res.status !== 200) return undefined;
            const body = (await res.json()) as { version: number };
            return body.version >= granted.version ? body : undefined;
          }),
          ...(['server', 'policy-cache'] as const).map((service) =>
            until(`${service} allowing the export`, committed, async () => {
              const body = await http<{ allowed: boolean; version: number; source: string }>(
                service,
                'GET',
                `/permissions/check?userId=${userId}&feature=dw.report&action=export`,
                { token, ...quiet },
              );
              return body.allowed && body.version >= granted.version ? body : undefined;
            }),
          ),
        ]);
        say(`  ${clock()} version ${granted.version} committed by auth; visible after the commit in:`);
        say(`           read-model-worker  ${readModel.ms} ms`);
        say(`           server             ${server!.ms} ms (from ${server!.value.source})`);
        say(`           policy-cache       ${cache!.ms} ms (from ${cache!.value.source})`);
      });
    });

    const bundleId = `demo-${run}`;
    const [first, second] = [randomBytes(20).toString('hex'), randomBytes(20).toString('hex')];
    const ahead = 5_000;
    let effectiveAt = '';
    const inForce = async () => {
      const body = await http<{ bundles: { bundleId: string; inForce: { gitHash: string } | null }[] }>(
        'dw-gateway',
        'GET',
        '/policy/in-force',
        { token, ...quiet },
      );
      return body.bundles.find((b) => b.bundleId === bundleId)?.inForce?.gitHash;
    };
    const query = () =>
      http<{ query: { revision: { gitHash: string } } }>('dw-gateway', 'POST', '/queries', {
        token,
        body: { bundleId, dataset: 'sales.monthly' },
      });
    await scenario.step(`2. Bundle ${bundleId}: a revision applied now`, async () => {
      for (const gitHash of [first, second]) {
        await http('policy', 'POST', '/bundles', { token, body: { bundleId, gitHash, description: 'demo' } });
      }
      await http('policy', 'POST', `/bundles/${bundleId}/applications`, { token, body: { gitHash: first } });
      const committed = performance.now();
      await check(async () => {
        const applied = await until('the gateway holding the first revision', committed, async () =>
          (await inForce()) === first ? true : undefined,
        );
        say(`  ${clock()} dw-gateway has ${first.slice(0, 10)} in force (${applied.ms} ms after the commit)`);
      });
    });
    await scenario.step(`3. The next revision applied ${ahead / 1000} s ahead`, async () => {
      effectiveAt = new Date(Date.now() + ahead).toISOString();
      await http('policy', 'POST', `/bundles/${bundleId}/applications`, {
        token,
        body: { gitHash: second, effectiveAt },
      });
    });
    await check(async () => {
      const before = await query();
      const due = Date.parse(effectiveAt);
      if (Date.now() < due) {
        say(`           a DW query now runs under ${before.query.revision.gitHash.slice(0, 10)}`);
        if (before.query.revision.gitHash !== first) {
          throw new DemoFailure(
            `before ${effectiveAt} the query ran under ${before.query.revision.gitHash}, not ${first}`,
          );
        }
      }
      say(`  ${clock()} ${dim(`waiting for ${effectiveAt} (no further event)…`)}`);
      const switched = await until('the gateway switching revision', performance.now(), async () =>
        (await inForce()) === second ? Date.now() : undefined,
      );
      const after = await query();
      say(
        `  ${clock()} dw-gateway switched to ${second.slice(0, 10)} ${switched.value - due} ms after effectiveAt; the next query ran under ${after.query.revision.gitHash.slice(0, 10)}`,
      );
      if (switched.value < due) throw new DemoFailure('the gateway switched before the effective time');
      if (after.query.revision.gitHash !== second)
        throw new DemoFailure(`the query ran under ${after.query.revision.gitHash}`);
    });

    const batchId = `batch-demo-${run}`;
    await scenario.step(`4. DW batch ${batchId} over ORG-0001..ORG-0100 completes`, async () => {
      await http('dw-integration', 'POST', '/batches', {
        token,
        body: { batchId, orgRange: { from: 'ORG-0001', to: 'ORG-0100' } },
      });
      await http('dw-integration', 'POST', `/batches/${batchId}/completion`, {
        token,
        body: { status: 'SUCCEEDED' },
      });
      const committed = performance.now();
      await check(async () => {
        const job = await until('batch-app scheduling the follow-up job', committed, async () => {
          const body = await http<{ jobs: { jobId: number; kind: string; status: string }[] }>(
            'batch-app',
            'GET',
            `/jobs?batchId=${batchId}`,
            { token, ...quiet },
          );
          return body.jobs[0];
        });
        const status = await until('the read model showing the batch', committed, async () => {
          const res = await fetch(`${urls['read-model-worker']}/batches/${batchId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
        });
        say(
          `  ${clock()} batch-app: job ${job.value.jobId} ${job.value.kind} ${job.value.status} (${job.ms} ms)`,
        );
        say(`           read-model-worker: batch ${status.value.status} (${status.ms} ms)`);
      });
    });

    const fileType = `csv${run}`.slice(0, 12);
    await scenario.step(`5. Files of type ${fileType} are masked by mask-pii`, async () => {
      await http('file-policy', 'PUT', `/file-types/${fileType}/masking-rule`, {
        token,
        body: { maskingRuleId: 'mask-pii' },
      });
      const committed = performance.now();
      await check(async () => {
        const rule = await until('the masking service holding the rule', committed, async () => {
          const body = await http<{ rules: { fileType: string; maskingRuleId: string | null }[] }>(
            'masking-service',
            'GET',
            '/rules',
            { token, ...quiet },
          );
          return body.rules.find((r) => r.fileType === fileType && r.maskingRuleId === 'mask-pii');
        });
        say(`  ${clock()} masking-service holds mask-pii for ${fileType} (${rule.ms} ms)`);
        const text = 'Contact Kim at kim.minji@example.com or 010-1234-5678; RRN 900101-1234568.';
        const masked = await http<{ masked: string; counts: Record<string, number> }>(
          'masking-service',
          'POST',
          '/mask',
          {
            token,
            body: { fileType, text },
          },
        );
        say(`           sample:  ${text}`);
        say(`           masked:  ${masked.masked}`);
        say(`           counts:  ${JSON.stringify(masked.counts)}`);
        for (const secret of ['kim.minji@example.com', '010-1234-5678', '900101-1234568']) {
          if (masked.masked.includes(secret)) throw new DemoFailure(`"${secret}" was not masked`);
        }
      });
    });

    const byTopic = new Map<string, number>();
    for (const e of scenario.tap.events) byTopic.set(e.topic, (byTopic.get(e.topic) ?? 0) + 1);
    say(
      `\n${bold('Summary')}: ${scenario.tap.events.length} events (${[...byTopic].map(([t, n]) => `${t} ${n}`).join(', ')}).`,
    );
  } finally {
    await scenario.tap.stop();
  }
  if (scenario.failed) throw new DemoFailure('some steps did not complete (✗ above)');
  say('Demo complete.');
}
