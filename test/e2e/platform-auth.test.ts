/**
 * The auth service against the real PostgreSQL and Kafka: grants,
 * revocations and replacements with their PermissionChanged events (the full
 * sorted set and a version bumped by one, in the same transaction), no-ops
 * that write nothing, limits, refusals of missing scopes and hostile input,
 * a failure at commit that rolls back the change and its event, the relayed
 * records (key, CloudEvents headers, payload), 200 concurrent changes of a
 * few users whose versions arrive on the topic gapless and in order, and
 * 2,000 concurrent changes that lose none (`npm run bench:platform-publish`
 * measures latency and throughput).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MIGRATIONS } from '../../services/auth/definition.ts';
import {
  applyChange,
  type FeaturePermission,
  type PermissionChange,
  type PermissionSet,
  sortedPermissions,
} from '../../services/auth/permissions.ts';
import { type AuthService, createAuthService } from '../../services/auth/service.ts';
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
const TOPIC = 'domain.permission-changed';
const TABLES = ['permission_sets', 'permission_grants'];

let h: PublisherHarness;
let auth: AuthService;
let tokens: PrincipalTokens;

interface Permissions {
  userId: string;
  version: number;
  permissions: FeaturePermission[];
  updatedAt: string | null;
  changed?: boolean;
}

const app = () => auth.service.app;
/** A user id of this run only (the topic is shared with earlier runs). */
const user = (name: string) => `${name}-${h.run}`;
const url = (userId: string, tail = '') => `/users/${encodeURIComponent(userId)}/permissions${tail}`;

const grant = (userId: string, feature: string, actions: string[], token = tokens.writer) =>
  call<Permissions>(app(), 'POST', url(userId, '/grants'), { token, body: { feature, actions } });
const revoke = (userId: string, feature: string, actions?: string[], token = tokens.writer) =>
  call<Permissions>(app(), 'POST', url(userId, '/revocations'), {
    token,
    body: actions ? { feature, actions } : { feature },
  });
const replace = (userId: string, permissions: FeaturePermission[], token = tokens.writer) =>
  call<Permissions>(app(), 'PUT', url(userId), { token, body: { permissions } });
const get = (userId: string, token = tokens.reader) =>
  call<Permissions>(app(), 'GET', url(userId), { token });

const counts = () => tableCounts(h.pool, h.schema, TABLES);

beforeAll(async () => {
  h = await startPublisherHarness(infra, { prefix: 'auth', migrationsDir: AUTH_MIGRATIONS, topic: TOPIC });
  tokens = await principalTokens('permissions:write');
  auth = createAuthService({
    pool: h.pool,
    schema: h.schema,
    logger: silent('auth'),
    authSecret: TEST_SECRET,
    defaultMetrics: false,
  });
});

afterAll(async () => {
  await auth?.close();
  await h?.close();
});

describe('auth service', () => {
  it('answers version 0 and no permission for a user nobody changed, writing nothing', async () => {
    const before = await counts();
    expect(await get(user('nobody'))).toEqual({
      status: 200,
      body: { userId: user('nobody'), version: 0, permissions: [], updatedAt: null },
    });
    expect(await counts()).toEqual(before);
  });

  it('grants: each change bumps the version and writes the full sorted set in the same transaction', async () => {
    const alice = user('alice');
    const first = await grant(alice, 'file.download', ['read']);
    expect(first).toMatchObject({
      status: 200,
      body: {
        userId: alice,
        version: 1,
        changed: true,
        permissions: [{ feature: 'file.download', actions: ['read'] }],
      },
    });
    const second = await grant(alice, 'dw.report', ['read', 'export']);
    const third = await grant(alice, 'dw.report', ['read', 'admin']);
    const expected = [
      { feature: 'dw.report', actions: ['admin', 'export', 'read'] },
      { feature: 'file.download', actions: ['read'] },
    ];
    expect(second.body.version).toBe(2);
    expect(third.body).toMatchObject({ version: 3, changed: true, permissions: expected });
    expect(await get(alice)).toEqual({
      status: 200,
      body: { userId: alice, version: 3, permissions: expected, updatedAt: third.body.updatedAt },
    });

    const events = await outboxEvents(h.pool, h.schema, alice);
    expect(events.map((e) => [e.type, e.topic, e.payload.version])).toEqual([
      ['PermissionChanged', TOPIC, 1],
      ['PermissionChanged', TOPIC, 2],
      ['PermissionChanged', TOPIC, 3],
    ]);
    expect(events[1]?.payload).toEqual({
      userId: alice,
      version: 2,
      permissions: [
        { feature: 'dw.report', actions: ['export', 'read'] },
        { feature: 'file.download', actions: ['read'] },
      ],
      occurredAt: second.body.updatedAt,
    });
    expect(events[2]?.payload).toEqual({
      userId: alice,
      version: 3,
      permissions: expected,
      occurredAt: third.body.updatedAt,
    });
    expect(events[2]?.headers.ce_time).toBe(third.body.updatedAt);
    // The version row and the last event were written by one transaction.
    const { rows } = await h.pool.query<{ xmin: string }>(
      'SELECT xmin::text AS xmin FROM permission_sets WHERE user_id = $1',
      [alice],
    );
    expect(rows[0]?.xmin).toBe(events[2]?.xmin);
  });

  it('a request that changes nothing bumps nothing and writes nothing (200, changed false)', async () => {
    const bob = user('bob');
    await grant(bob, 'dw.report', ['read', 'export']);
    const row = () =>
      h.pool.query<{ xmin: string }>('SELECT xmin::text AS xmin FROM permission_sets WHERE user_id = $1', [
        bob,
      ]);
    const xmin = (await row()).rows[0]?.xmin;
    const before = await counts();
    const held = {
      version: 1,
      changed: false,
      permissions: [{ feature: 'dw.report', actions: ['export', 'read'] }],
    };
    expect(await grant(bob, 'dw.report', ['export'])).toMatchObject({ status: 200, body: held });
    expect(await grant(bob, 'dw.report', ['read', 'export'])).toMatchObject({ status: 200, body: held });
    expect(await revoke(bob, 'dw.report', ['delete'])).toMatchObject({ status: 200, body: held });
    expect(await revoke(bob, 'file.download')).toMatchObject({ status: 200, body: held });
    expect(await replace(bob, [{ feature: 'dw.report', actions: ['export', 'read'] }])).toMatchObject({
      status: 200,
      body: held,
    });
    // A user nobody changed: revoking leaves no trace at all (not even a version row).
    expect(await revoke(user('ghost'), 'dw.report')).toMatchObject({
      status: 200,
      body: { userId: user('ghost'), version: 0, changed: false, permissions: [], updatedAt: null },
    });
    expect(await replace(user('ghost'), [])).toMatchObject({
      status: 200,
      body: { version: 0, changed: false },
    });
    expect(await counts()).toEqual(before);
    expect((await row()).rows[0]?.xmin).toBe(xmin);
  });

  it('revokes some actions, a whole feature, and drops a feature whose last action goes', async () => {
    const carol = user('carol');
    await replace(carol, [
      { feature: 'dw.report', actions: ['read', 'export', 'admin'] },
      { feature: 'file.download', actions: ['read'] },
      { feature: 'policy.view', actions: ['read'] },
    ]);
    expect((await revoke(carol, 'dw.report', ['export', 'admin', 'never-held'])).body).toMatchObject({
      version: 2,
      changed: true,
      permissions: [
        { feature: 'dw.report', actions: ['read'] },
        { feature: 'file.download', actions: ['read'] },
        { feature: 'policy.view', actions: ['read'] },
      ],
    });
    expect((await revoke(carol, 'file.download')).body.permissions.map((p) => p.feature)).toEqual([
      'dw.report',
      'policy.view',
    ]);
    expect((await revoke(carol, 'policy.view', ['read'])).body).toMatchObject({
      version: 4,
      permissions: [{ feature: 'dw.report', actions: ['read'] }],
    });
    const { rows } = await h.pool.query<{ feature: string; action: string }>(
      'SELECT feature, action FROM permission_grants WHERE user_id = $1 ORDER BY feature, action',
      [carol],
    );
    expect(rows).toEqual([{ feature: 'dw.report', action: 'read' }]);
    expect((await outboxEvents(h.pool, h.schema, carol)).map((e) => e.payload.version)).toEqual([1, 2, 3, 4]);
  });

  it('PUT replaces the whole set; [] takes every permission away (a leaver), as an event with an empty set', async () => {
    const dave = user('dave');
    await grant(dave, 'dw.report', ['read']);
    const replaced = await replace(dave, [
      { feature: 'file.upload', actions: ['write', 'read'] },
      { feature: 'dw.report', actions: ['export'] },
    ]);
    expect(replaced.body).toMatchObject({
      version: 2,
      changed: true,
      permissions: [
        { feature: 'dw.report', actions: ['export'] },
        { feature: 'file.upload', actions: ['read', 'write'] },
      ],
    });
    expect((await replace(dave, [])).body).toMatchObject({ version: 3, changed: true, permissions: [] });
    const events = await outboxEvents(h.pool, h.schema, dave);
    expect(events.at(-1)?.payload).toMatchObject({ userId: dave, version: 3, permissions: [] });
    expect(await get(dave)).toMatchObject({ body: { version: 3, permissions: [] } });
  });

  it('refuses more than 20 actions per feature or 200 features per user, writing nothing', async () => {
    const erin = user('erin');
    const actions = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    expect((await grant(erin, 'dw.report', actions(20))).body.version).toBe(1);
    const features = Array.from({ length: 200 }, (_, i) => ({ feature: `feature-${i}`, actions: ['read'] }));
    const before = await counts();
    const tooManyActions = await grant(erin, 'dw.report', ['one-more']);
    expect(tooManyActions).toMatchObject({
      status: 400,
      body: { error: 'validation', fields: [{ path: '/body/actions' }] },
    });
    expect(await grant(erin, 'dw.report', actions(21))).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/actions' }] },
    });
    expect(await replace(erin, [...features, { feature: 'one-more', actions: ['read'] }])).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/permissions' }] },
    });
    expect(await counts()).toEqual(before);
    // 200 features is the limit: the 201st grant is refused.
    expect((await replace(erin, features)).body).toMatchObject({ version: 2, changed: true });
    const full = await counts();
    expect(await grant(erin, 'one-more', ['read'])).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/body/feature', message: expect.stringContaining('200') }] },
    });
    // Granting within a held feature is still fine.
    expect((await grant(erin, 'feature-7', ['write'])).body).toMatchObject({ version: 3, changed: true });
    expect((await counts()).permission_grants).toBe((full.permission_grants ?? 0) + 1);
  });

  it('every route: 401 without or with a forged token, 403 without its scope, nothing written', async () => {
    const frank = user('frank');
    const before = await counts();
    const routes = [
      { method: 'GET', path: url(frank), read: true },
      { method: 'POST', path: url(frank, '/grants'), body: { feature: 'dw.report', actions: ['read'] } },
      { method: 'POST', path: url(frank, '/revocations'), body: { feature: 'dw.report' } },
      {
        method: 'PUT',
        path: url(frank),
        body: { permissions: [{ feature: 'dw.report', actions: ['read'] }] },
      },
    ];
    await expectAuthRefusals(app(), tokens, routes);
    expect(await counts()).toEqual(before);
  });

  it('hostile input on every route: 400 naming the field (413 for a huge body), nothing written', async () => {
    const gina = user('gina');
    await grant(gina, 'dw.report', ['read']);
    const before = await counts();
    const long = 'u'.repeat(129);
    const cases: HostileCase[] = [
      { method: 'GET', path: url(long), field: '/params/userId' },
      { method: 'GET', path: '/users/%01x/permissions', field: '/params/userId' },
      { method: 'GET', path: '/users/%00/permissions', field: '/params/userId' },
      { method: 'GET', path: '/users/%20u-1/permissions', field: '/params/userId' },
      { method: 'GET', path: `${url(gina)}?version=1`, field: '/query/version' },
      {
        method: 'POST',
        path: url(long, '/grants'),
        body: { feature: 'dw.report', actions: ['read'] },
        field: '/params/userId',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'DW.Report', actions: ['read'] },
        field: '/body/feature',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw..report', actions: ['read'] },
        field: '/body/feature',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: `f${'x'.repeat(128)}`, actions: ['read'] },
        field: '/body/feature',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 7, actions: ['read'] },
        field: '/body/feature',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw.report', actions: [] },
        field: '/body/actions',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw.report', actions: ['read', 'read'] },
        field: '/body/actions',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw.report', actions: ['re\u0000ad'] },
        field: '/body/actions/0',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw.report', actions: ['Read'] },
        field: '/body/actions/0',
      },
      { method: 'POST', path: url(gina, '/grants'), body: { feature: 'dw.report' }, field: '/body/actions' },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: { feature: 'dw.report', actions: ['read'], admin: true },
        field: '/body/admin',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        raw: '{"feature": "dw.report", "actions": [',
        field: '/body',
      },
      {
        method: 'POST',
        path: url(gina, '/grants'),
        body: [{ feature: 'dw.report', actions: ['read'] }],
        field: '/body',
      },
      {
        method: 'POST',
        path: url(gina, '/revocations'),
        body: { feature: 'dw.report', actions: [] },
        field: '/body/actions',
      },
      {
        method: 'POST',
        path: url(gina, '/revocations'),
        body: { actions: ['read'] },
        field: '/body/feature',
      },
      {
        method: 'POST',
        path: url(gina, '/revocations'),
        body: { feature: 'dw.report', actions: 'read' },
        field: '/body/actions',
      },
      {
        method: 'PUT',
        path: url(gina),
        body: { permissions: { feature: 'dw.report' } },
        field: '/body/permissions',
      },
      { method: 'PUT', path: url(gina), body: {}, field: '/body/permissions' },
      {
        method: 'PUT',
        path: url(gina),
        body: {
          permissions: [
            { feature: 'dw.report', actions: ['read'] },
            { feature: 'dw.report', actions: ['export'] },
          ],
        },
        field: '/body/permissions/1/feature',
      },
      {
        method: 'PUT',
        path: url(gina),
        body: { permissions: [{ feature: 'dw.report', actions: ['read'], extra: 1 }] },
        field: '/body/permissions/0/extra',
      },
    ];
    await expectValidationRefusals(app(), tokens.writer, cases);
    // A JSON body that does not say it is JSON.
    const plain = await app().request(url(gina, '/grants'), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.writer}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ feature: 'dw.report', actions: ['export'] }),
    });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ error: 'validation', fields: [{ path: '/body' }] });
    const huge = await call(app(), 'POST', url(gina, '/grants'), {
      token: tokens.writer,
      body: { feature: 'dw.report', actions: ['read'], padding: 'x'.repeat(1_100_000) },
    });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(await counts()).toEqual(before);
    expect(await get(gina)).toMatchObject({
      body: { version: 1, permissions: [{ feature: 'dw.report', actions: ['read'] }] },
    });
  });

  it('a failure at commit rolls back the change and its event together', async () => {
    const doomed = `doomed-${h.run}`;
    const survivor = `doomed-${h.run}-2`;
    // survivor has a committed state before the failures start.
    await grant(survivor, 'dw.report', ['read']);
    await failCommitsOf(h.pool, h.schema, {
      table: 'permission_sets',
      column: 'user_id',
      pattern: `doomed-${h.run}%`,
    });
    const before = await counts();
    expect(await grant(doomed, 'dw.report', ['read'])).toMatchObject({
      status: 500,
      body: { error: 'internal' },
    });
    expect(await grant(survivor, 'dw.report', ['export'])).toMatchObject({ status: 500 });
    expect(await replace(survivor, [])).toMatchObject({ status: 500 });
    expect(await counts()).toEqual(before);
    expect(await outboxEvents(h.pool, h.schema, doomed)).toEqual([]);
    expect((await outboxEvents(h.pool, h.schema, survivor)).map((e) => e.payload.version)).toEqual([1]);
    const { rows } = await h.pool.query('SELECT user_id FROM permission_sets WHERE user_id = $1', [doomed]);
    expect(rows).toEqual([]);
    expect(await get(survivor)).toMatchObject({
      body: { version: 1, permissions: [{ feature: 'dw.report', actions: ['read'] }] },
    });
  });

  it('the relay publishes each event keyed by userId with the CloudEvents headers and the payload as written', async () => {
    const alice = user('alice');
    const written = await outboxEvents(h.pool, h.schema, alice);
    const records = await h.recordsOf([alice], written.length);
    expect(records).toHaveLength(written.length);
    records.forEach((record, i) => {
      const event = written[i]!;
      expect(record.key).toBe(alice);
      expect(record.headers).toMatchObject({
        ce_id: event.eventId,
        ce_type: 'PermissionChanged',
        ce_source: 'urn:contract-events:platform:auth',
        ce_specversion: '1.0',
        ce_schemaversion: '1',
        ce_subject: alice,
        'content-type': 'application/json',
      });
      expect(record.headers.ce_time).toBe(event.payload.occurredAt);
      expect(JSON.parse(record.value ?? 'null')).toEqual(event.payload);
    });
    // One key, one partition: the versions in offset order.
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    expect(records.map((r) => (JSON.parse(r.value!) as { version: number }).version)).toEqual([1, 2, 3]);
  });

  it('200 concurrent changes of four users: versions 1..N per user, in offset order, each set the state after that version', async () => {
    const users = ['p', 'q', 'r', 's'].map((n) => user(`concurrent-${n}`));
    const features = ['dw.report', 'file.download', 'policy.view'];
    const actionPool = ['read', 'export', 'write', 'admin'];
    // Deterministic pseudo-random requests (the order they reach the database is up to the pool).
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const requests: { userId: string; change: PermissionChange }[] = [];
    for (let i = 0; i < 200; i++) {
      const userId = users[i % users.length]!;
      const feature = features[next(features.length)]!;
      const actions = actionPool.filter(() => next(2) === 0);
      const change: PermissionChange =
        next(3) < 2
          ? { kind: 'grant', feature, actions: actions.length ? actions : ['read'] }
          : next(2) === 0
            ? { kind: 'revoke', feature }
            : { kind: 'revoke', feature, actions: actions.length ? actions : ['read'] };
      requests.push({ userId, change });
    }
    const started = performance.now();
    const responses = await Promise.all(
      requests.map(({ userId, change }) =>
        change.kind === 'grant'
          ? grant(userId, change.feature, [...change.actions])
          : change.kind === 'revoke'
            ? revoke(userId, change.feature, change.actions && [...change.actions])
            : replace(userId, [...change.permissions]),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(responses.every((r) => r.status === 200)).toBe(true);

    const changedTotal = responses.filter((r) => r.body.changed).length;
    console.log(
      `[auth] 200 concurrent requests (4 users, pool 12): ${seconds.toFixed(2)} s, ${(200 / seconds).toFixed(0)} req/s, ${changedTotal} changes`,
    );

    const expectedRecords = new Map<string, { version: number; permissions: FeaturePermission[] }[]>();
    for (const userId of users) {
      const mine = requests.flatMap((r, i) =>
        r.userId === userId ? [{ ...r, res: responses[i]!.body }] : [],
      );
      const changes = mine.filter((m) => m.res.changed).sort((a, b) => a.res.version - b.res.version);
      // Versions of the changes: exactly 1..N, none twice, none missing.
      expect(changes.map((c) => c.res.version)).toEqual(changes.map((_, i) => i + 1));
      // Replaying the changes in version order gives every answer's set.
      const states: PermissionSet[] = [new Map()];
      for (const c of changes) {
        const state = applyChange(states.at(-1)!, c.change);
        expect(c.res.permissions).toEqual(sortedPermissions(state));
        states.push(state);
      }
      // A request that changed nothing saw a state it leaves as it is.
      for (const m of mine.filter((x) => !x.res.changed)) {
        const state = states[m.res.version]!;
        expect(sortedPermissions(applyChange(state, m.change))).toEqual(sortedPermissions(state));
        expect(m.res.permissions).toEqual(sortedPermissions(state));
      }
      expectedRecords.set(
        userId,
        states.slice(1).map((s, i) => ({ version: i + 1, permissions: sortedPermissions(s) })),
      );
      const final = await get(userId);
      expect(final.body).toMatchObject({
        version: changes.length,
        permissions: sortedPermissions(states.at(-1)!),
      });
    }

    const total = [...expectedRecords.values()].reduce((n, list) => n + list.length, 0);
    const records = await h.recordsOf(users, total);
    // Nothing more than expected arrives meanwhile (no duplicates in a run without failures).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const userId of users) {
      const mine = h.reader.records
        .filter((r) => r.key === userId)
        .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      const got = mine.map((r) => {
        const payload = JSON.parse(r.value!) as { version: number; permissions: FeaturePermission[] };
        return { version: payload.version, permissions: payload.permissions };
      });
      expect(got).toEqual(expectedRecords.get(userId));
      const final = await get(userId);
      expect(got.at(-1)).toEqual({ version: final.body.version, permissions: final.body.permissions });
    }
    expect(records.length).toBe(total);
  });

  it('2,000 concurrent grants of 50 users, 20 in flight, lose no change', async () => {
    const users = Array.from({ length: 50 }, (_, i) => user(`throughput-${i}`));
    const jobs = Array.from({ length: 2000 }, (_, i) => ({
      userId: users[i % 50]!,
      feature: `feature-${Math.floor(i / 50)}`,
    }));
    let cursor = 0;
    const worker = async () => {
      for (let job = jobs[cursor++]; job; job = jobs[cursor++]) {
        const res = await grant(job.userId, job.feature, ['read']);
        if (res.status !== 200 || !res.body.changed) throw new Error(`grant failed: ${JSON.stringify(res)}`);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const { rows } = await h.pool.query<{ n: string }>(
      "SELECT sum(version) AS n FROM permission_sets WHERE user_id LIKE 'throughput-%'",
    );
    expect(Number(rows[0]?.n)).toBe(2000);
  }, 300_000);
});
