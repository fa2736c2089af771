/**
 * The policy service against the real PostgreSQL and Kafka: registering
 * revisions (idempotent, immutable), applying them now or later with
 * PolicyBundleApplied in the same transaction, the in-force rule (latest
 * effectiveAt ≤ t, ties to the later applied) through `in-force` and
 * `bundle-applications`, no-ops that write nothing, refusals (unknown bundle
 * or revision, past or far-future times, missing scopes, hostile input), a
 * failure at commit that rolls back the application and its event, the
 * relayed records, and concurrent applications of one bundle in one order
 * everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_MIGRATIONS } from '../../services/policy/definition.ts';
import { type Application, createPolicyService, type PolicyService } from '../../services/policy/service.ts';
import { useInfrastructure } from '../support/context.ts';
import {
  expectAuthRefusals,
  expectValidationRefusals,
  failCommitsOf,
  type HostileCase,
  outboxEvents,
  type PrincipalTokens,
  type PublisherHarness,
  principalTokens,
  startPublisherHarness,
  tableCounts,
} from './platform-publisher-support.ts';
import { call, silent, TEST_SECRET } from './support.ts';

const infra = useInfrastructure();
const TOPIC = 'domain.policy-bundle-applied';
const TABLES = ['bundles', 'bundle_revisions', 'bundle_applications'];

let h: PublisherHarness;
let policy: PolicyService;
let tokens: PrincipalTokens;

const app = () => policy.service.app;
const bundle = (name: string) => `${name}-${h.run}`;
const hash = (n: number) => n.toString(16).padStart(40, '0').replace(/^0/, 'a');
const HOUR = 3_600_000;
const counts = () => tableCounts(h.pool, h.schema, TABLES);

interface ApplicationBody {
  application: Application;
  changed: boolean;
}
interface Timeline {
  from: string;
  bundles: { bundleId: string; inForce: Application | null; scheduled: Application[] }[];
}

const register = (bundleId: string, gitHash: string, description?: string, token = tokens.writer) =>
  call<{ revision: Record<string, unknown> }>(app(), 'POST', '/bundles', {
    token,
    body: description === undefined ? { bundleId, gitHash } : { bundleId, gitHash, description },
  });
const apply = (bundleId: string, gitHash: string, effectiveAt?: string, token = tokens.writer) =>
  call<ApplicationBody>(app(), 'POST', `/bundles/${bundleId}/applications`, {
    token,
    body: effectiveAt === undefined ? { gitHash } : { gitHash, effectiveAt },
  });
const inForce = (bundleId: string, at?: string) =>
  call<{ bundleId: string; at: string; application: Application | null }>(
    app(),
    'GET',
    `/bundles/${bundleId}/in-force${at ? `?at=${encodeURIComponent(at)}` : ''}`,
    { token: tokens.reader },
  );
const timeline = async (from: string, bundleId: string) => {
  const res = await call<Timeline>(app(), 'GET', `/bundle-applications?from=${encodeURIComponent(from)}`, {
    token: tokens.reader,
  });
  expect(res.status).toBe(200);
  return res.body.bundles.find((b) => b.bundleId === bundleId);
};

beforeAll(async () => {
  h = await startPublisherHarness(infra, {
    prefix: 'policy',
    migrationsDir: POLICY_MIGRATIONS,
    topic: TOPIC,
  });
  tokens = await principalTokens('policy:write');
  policy = createPolicyService({
    pool: h.pool,
    schema: h.schema,
    logger: silent('policy'),
    authSecret: TEST_SECRET,
    defaultMetrics: false,
  });
});

afterAll(async () => {
  await policy?.close();
  await h?.close();
});

describe('policy service', () => {
  it('registers revisions: new 201, the same again 200, another description 409, no event', async () => {
    const id = bundle('access-control');
    const before = await counts();
    const first = await register(id, hash(1), 'initial rules');
    expect(first).toMatchObject({
      status: 201,
      body: {
        revision: { bundleId: id, gitHash: hash(1), description: 'initial rules', registeredBy: 'admin-e2e' },
      },
    });
    expect(await register(id, hash(1), 'initial rules')).toEqual({ status: 200, body: first.body });
    expect(await register(id, hash(1), 'other words')).toMatchObject({
      status: 409,
      body: { error: 'conflict', revision: first.body.revision },
    });
    expect(await register(id, hash(1))).toMatchObject({ status: 409 });
    expect((await register(id, hash(2))).status).toBe(201);
    expect(await counts()).toEqual({
      ...before,
      bundles: before.bundles! + 1,
      bundle_revisions: before.bundle_revisions! + 2,
    });
    const got = await call<{
      bundle: { revisions: { gitHash: string }[]; applications: unknown[]; inForce: unknown };
    }>(app(), 'GET', `/bundles/${id}`, { token: tokens.reader });
    expect(got.body.bundle.revisions.map((r) => r.gitHash)).toEqual([hash(1), hash(2)]);
    expect(got.body.bundle).toMatchObject({ applications: [], inForce: null });
    expect(await inForce(id)).toMatchObject({ status: 200, body: { application: null } });
  });

  it('applies a revision now: effectiveAt = occurredAt = appliedAt, the event in the same transaction', async () => {
    const id = bundle('access-control');
    const applied = await apply(id, hash(1));
    expect(applied).toMatchObject({
      status: 201,
      body: { changed: true, application: { bundleId: id, gitHash: hash(1) } },
    });
    const a = applied.body.application;
    expect(a.effectiveAt).toBe(a.appliedAt);
    expect(Math.abs(Date.parse(a.appliedAt) - Date.now())).toBeLessThan(60_000);
    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventId: a.eventId,
      type: 'PolicyBundleApplied',
      topic: TOPIC,
      payload: { bundleId: id, gitHash: hash(1), effectiveAt: a.effectiveAt, occurredAt: a.appliedAt },
      headers: { ce_time: a.appliedAt },
    });
    const { rows } = await h.pool.query<{ xmin: string }>(
      'SELECT xmin::text AS xmin FROM bundle_applications WHERE id = $1',
      [a.applicationId],
    );
    expect(rows[0]?.xmin).toBe(events[0]?.xmin);
    expect((await inForce(id)).body.application).toEqual(a);
  });

  it('schedules a revision: in force from effectiveAt on (normalized to UTC), listed as scheduled before', async () => {
    const id = bundle('access-control');
    const now = (await inForce(id)).body.application!;
    const later = new Date(Date.now() + 2 * HOUR);
    // An offset and sub-millisecond digits: stored and published as UTC milliseconds.
    const offset = new Date(later.getTime() + 9 * HOUR).toISOString().replace('Z', '').slice(0, 23);
    const scheduled = await apply(id, hash(2), `${offset}987+09:00`);
    expect(scheduled).toMatchObject({ status: 201, body: { changed: true } });
    const s = scheduled.body.application;
    expect(s.effectiveAt).toBe(later.toISOString());
    expect(Date.parse(s.effectiveAt)).toBeGreaterThan(Date.parse(s.appliedAt));

    expect((await inForce(id)).body.application).toEqual(now);
    expect((await inForce(id, new Date(later.getTime() - 1).toISOString())).body.application).toEqual(now);
    expect((await inForce(id, s.effectiveAt)).body.application).toEqual(s);
    expect(
      (await inForce(id, new Date(later.getTime() + 7 * 24 * HOUR).toISOString())).body.application,
    ).toEqual(s);
    expect((await inForce(id, '2001-01-01T00:00:00Z')).body.application).toBeNull();

    expect(await timeline(new Date().toISOString(), id)).toEqual({
      bundleId: id,
      inForce: now,
      scheduled: [s],
    });
    expect(await timeline(s.effectiveAt, id)).toEqual({ bundleId: id, inForce: s, scheduled: [] });

    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events.at(-1)?.payload).toEqual({
      bundleId: id,
      gitHash: hash(2),
      effectiveAt: later.toISOString(),
      occurredAt: s.appliedAt,
    });
  });

  it('applying the revision already in force at effectiveAt changes nothing (200, no event)', async () => {
    const id = bundle('access-control');
    const before = await counts();
    const current = (await inForce(id)).body.application!;
    expect(await apply(id, hash(1))).toEqual({ status: 200, body: { changed: false, application: current } });
    const scheduled = (await timeline(new Date().toISOString(), id))!.scheduled[0]!;
    // Three hours ahead hash(2) is in force already (scheduled in two).
    expect(await apply(id, hash(2), new Date(Date.now() + 3 * HOUR).toISOString())).toEqual({
      status: 200,
      body: { changed: false, application: scheduled },
    });
    expect(await counts()).toEqual(before);
  });

  it('of applications with the same effectiveAt the later applied wins; a later schedule does not end an earlier one', async () => {
    const id = bundle('ties');
    for (const n of [1, 2, 3]) expect((await register(id, hash(n))).status).toBe(201);
    const t1 = new Date(Date.now() + HOUR).toISOString();
    const t2 = new Date(Date.now() + 5 * HOUR).toISOString();
    const late = await apply(id, hash(3), t2);
    const first = await apply(id, hash(1), t1);
    const second = await apply(id, hash(2), t1);
    expect([late.status, first.status, second.status]).toEqual([201, 201, 201]);
    expect((await inForce(id, t1)).body.application?.gitHash).toBe(hash(2));
    expect((await inForce(id, new Date(Date.parse(t2) - 1).toISOString())).body.application?.gitHash).toBe(
      hash(2),
    );
    expect((await inForce(id, t2)).body.application?.gitHash).toBe(hash(3));
    // The shadowed application (hash 1 at t1) never comes into force: not in the timeline.
    const upcoming = await timeline(new Date().toISOString(), id);
    expect(upcoming).toEqual({
      bundleId: id,
      inForce: null,
      scheduled: [second.body.application, late.body.application],
    });
    const all = await call<{ bundle: { applications: Application[] } }>(app(), 'GET', `/bundles/${id}`, {
      token: tokens.reader,
    });
    expect(all.body.bundle.applications.map((a) => a.gitHash)).toEqual([hash(3), hash(1), hash(2)]);
    expect((await outboxEvents(h.pool, h.schema, id)).map((e) => e.payload.gitHash)).toEqual([
      hash(3),
      hash(1),
      hash(2),
    ]);
  });

  it('refuses an unknown bundle (404), an unregistered revision (409), a past or far-future effectiveAt (400), writing nothing', async () => {
    const id = bundle('access-control');
    const before = await counts();
    expect(await apply(bundle('nothing-here'), hash(1))).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(await apply(id, hash(99))).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(await apply(id, hash(1), new Date(Date.now() - 60_000).toISOString())).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/effectiveAt', message: expect.stringContaining('past') }] },
    });
    expect(await apply(id, hash(2), new Date(Date.now() + 366 * 24 * HOUR).toISOString())).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/effectiveAt' }] },
    });
    expect(await inForce(bundle('nothing-here'))).toMatchObject({ status: 404 });
    expect(
      await call(app(), 'GET', `/bundles/${bundle('nothing-here')}`, { token: tokens.reader }),
    ).toMatchObject({
      status: 404,
    });
    expect(await counts()).toEqual(before);
  });

  it('every route: 401 without or with a forged token, 403 without its scope, nothing written', async () => {
    const id = bundle('access-control');
    const before = await counts();
    const routes = [
      { method: 'POST', path: '/bundles', body: { bundleId: bundle('scoped'), gitHash: hash(1) } },
      { method: 'POST', path: `/bundles/${id}/applications`, body: { gitHash: hash(2) } },
      { method: 'GET', path: '/bundles', read: true },
      { method: 'GET', path: `/bundles/${id}`, read: true },
      { method: 'GET', path: `/bundles/${id}/in-force`, read: true },
      { method: 'GET', path: '/bundle-applications', read: true },
    ];
    await expectAuthRefusals(app(), tokens, routes);
    expect(await counts()).toEqual(before);
  });

  it('hostile input on every route: 400 naming the field, nothing written', async () => {
    const id = bundle('access-control');
    const before = await counts();
    const cases: HostileCase[] = [
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: 'Access-Control', gitHash: hash(1) },
        field: '/body/bundleId',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: '-x', gitHash: hash(1) },
        field: '/body/bundleId',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: `a${'b'.repeat(128)}`, gitHash: hash(1) },
        field: '/body/bundleId',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(1).toUpperCase() },
        field: '/body/gitHash',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(1).slice(1) },
        field: '/body/gitHash',
      },
      { method: 'POST', path: '/bundles', body: { bundleId: id }, field: '/body/gitHash' },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(7), description: '' },
        field: '/body/description',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(7), description: 'x'.repeat(1001) },
        field: '/body/description',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(7), description: 'a\u0000b' },
        field: '/body/description',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(7), description: 'a\u001bb' },
        field: '/body/description',
      },
      {
        method: 'POST',
        path: '/bundles',
        body: { bundleId: id, gitHash: hash(7), owner: 'me' },
        field: '/body/owner',
      },
      { method: 'POST', path: '/bundles', raw: '{"bundleId":', field: '/body' },
      {
        method: 'POST',
        path: `/bundles/${id}/applications`,
        body: { gitHash: hash(2), effectiveAt: 'tomorrow' },
        field: '/body/effectiveAt',
      },
      {
        method: 'POST',
        path: `/bundles/${id}/applications`,
        body: { gitHash: hash(2), effectiveAt: '2027-02-30T00:00:00Z' },
        field: '/body/effectiveAt',
      },
      {
        method: 'POST',
        path: `/bundles/${id}/applications`,
        body: { gitHash: hash(2), effectiveAt: '2027-01-01T00:00:00' },
        field: '/body/effectiveAt',
      },
      {
        method: 'POST',
        path: `/bundles/${id}/applications`,
        body: { gitHash: hash(2), effectiveAt: 1_900_000_000_000 },
        field: '/body/effectiveAt',
      },
      {
        method: 'POST',
        path: `/bundles/${id}/applications`,
        body: { gitHash: 'HEAD' },
        field: '/body/gitHash',
      },
      { method: 'POST', path: `/bundles/${id}/applications`, body: {}, field: '/body/gitHash' },
      {
        method: 'POST',
        path: '/bundles/Bad_Id/applications',
        body: { gitHash: hash(2) },
        field: '/params/bundleId',
      },
      { method: 'GET', path: '/bundles/%00', field: '/params/bundleId' },
      { method: 'GET', path: `/bundles/${id}/in-force?at=2027-13-01T00:00:00Z`, field: '/query/at' },
      { method: 'GET', path: `/bundles/${id}/in-force?at=now`, field: '/query/at' },
      { method: 'GET', path: `/bundles/${id}/in-force?when=2027-01-01T00:00:00Z`, field: '/query/when' },
      {
        method: 'GET',
        path: '/bundle-applications?from=2027-01-01T00:00:00Z&from=2027-01-02T00:00:00Z',
        field: '/query/from',
      },
      { method: 'GET', path: '/bundle-applications?from=0000-01-01T00:00:00Z', field: '/query/from' },
      { method: 'GET', path: '/bundle-applications?from=2027-01-01T00:00:00Z%01', field: '/query/from' },
      { method: 'GET', path: '/bundle-applications?bundleId=x', field: '/query/bundleId' },
      { method: 'GET', path: '/bundles?limit=5', field: '/query/limit' },
      { method: 'GET', path: `/bundles/${id}?at=2027-01-01T00:00:00Z`, field: '/query/at' },
    ];
    await expectValidationRefusals(app(), tokens.writer, cases);
    const huge = await call(app(), 'POST', '/bundles', {
      token: tokens.writer,
      body: { bundleId: id, gitHash: hash(8), description: 'x'.repeat(1_100_000) },
    });
    expect(huge).toMatchObject({ status: 413 });
    expect(await counts()).toEqual(before);
  });

  it('a failure at commit rolls back the application and its event together', async () => {
    const id = `doomed-${h.run}`;
    expect((await register(id, hash(1))).status).toBe(201);
    await failCommitsOf(h.pool, h.schema, { table: 'bundle_applications', column: 'bundle_id', pattern: id });
    const before = await counts();
    expect(await apply(id, hash(1))).toMatchObject({ status: 500, body: { error: 'internal' } });
    expect(await apply(id, hash(1), new Date(Date.now() + HOUR).toISOString())).toMatchObject({
      status: 500,
    });
    expect(await counts()).toEqual(before);
    expect(await outboxEvents(h.pool, h.schema, id)).toEqual([]);
    expect((await inForce(id)).body.application).toBeNull();
  });

  it('concurrent applications of one bundle: one order in the table, the outbox and the topic', async () => {
    const id = bundle('busy');
    for (const n of [1, 2, 3]) await register(id, hash(n));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        apply(
          id,
          hash((i % 3) + 1),
          i % 2 ? undefined : new Date(Date.now() + (i + 1) * 60_000).toISOString(),
        ),
      ),
    );
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    const all = (
      await call<{ bundle: { applications: Application[] } }>(app(), 'GET', `/bundles/${id}`, {
        token: tokens.reader,
      })
    ).body.bundle.applications;
    expect(all.length).toBe(results.filter((r) => r.status === 201).length);
    // Applied times follow the ids (the bundle lock serializes them).
    const applied = all.map((a) => Date.parse(a.appliedAt));
    expect(applied).toEqual([...applied].sort((a, b) => a - b));
    for (const a of all) expect(Date.parse(a.effectiveAt)).toBeGreaterThanOrEqual(Date.parse(a.appliedAt));
    const events = await outboxEvents(h.pool, h.schema, id);
    expect(events.map((e) => e.eventId)).toEqual(all.map((a) => a.eventId));
    const records = await h.recordsOf([id], all.length);
    const sorted = [...records].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
    expect(sorted.map((r) => r.headers.ce_id)).toEqual(all.map((a) => a.eventId));
  });

  it('the relay publishes each event keyed by bundleId with the CloudEvents headers and the payload as written', async () => {
    const id = bundle('access-control');
    const written = await outboxEvents(h.pool, h.schema, id);
    expect(written.length).toBe(2);
    const records = await h.recordsOf([id], written.length);
    expect(records).toHaveLength(written.length);
    records.forEach((record, i) => {
      const event = written[i]!;
      expect(record.key).toBe(id);
      expect(record.headers).toMatchObject({
        ce_id: event.eventId,
        ce_type: 'PolicyBundleApplied',
        ce_source: 'urn:contract-events:platform:policy',
        ce_specversion: '1.0',
        ce_schemaversion: '1',
        ce_subject: id,
        ce_time: event.payload.occurredAt,
        'content-type': 'application/json',
      });
      expect(JSON.parse(record.value ?? 'null')).toEqual(event.payload);
    });
  });
});
