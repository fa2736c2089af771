/**
 * The file-policy service (the server's file module) against the real
 * PostgreSQL and Kafka: setting, changing and clearing a file type's masking
 * rule with FilePolicyUpdated in the same transaction (null when cleared),
 * no-ops that write nothing, only the masking service's rule ids, the
 * listing, refusals of missing scopes and hostile input, a failure at commit
 * that rolls back the change and its event, concurrent changes of one file
 * type in one order everywhere, and the relayed records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_POLICY_MIGRATIONS } from '../../services/file-policy/definition.ts';
import { MASKING_RULE_IDS } from '../../services/file-policy/masking-rules.ts';
import {
  createFilePolicyService,
  type FilePolicy,
  type FilePolicyService,
} from '../../services/file-policy/service.ts';
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
const TOPIC = 'domain.file-policy-updated';
const TABLES = ['file_type_policies'];

let h: PublisherHarness;
let files: FilePolicyService;
let tokens: PrincipalTokens;

const app = () => files.service.app;
/** A file type of this run only (`x<run>…`: the pattern allows 32 characters). */
const type = (name: string) => `x${h.run}.${name}`;
const counts = () => tableCounts(h.pool, h.schema, TABLES);

interface Answer {
  filePolicy: FilePolicy;
  changed: boolean;
}
const set = (fileType: string, maskingRuleId: unknown, token = tokens.writer) =>
  call<Answer>(app(), 'PUT', `/file-types/${fileType}/masking-rule`, { token, body: { maskingRuleId } });
const clear = (fileType: string, token = tokens.writer) =>
  call<Answer>(app(), 'DELETE', `/file-types/${fileType}/masking-rule`, { token });
const get = (fileType: string) =>
  call<{ filePolicy: FilePolicy }>(app(), 'GET', `/file-types/${fileType}`, { token: tokens.reader });

beforeAll(async () => {
  h = await startPublisherHarness(infra, {
    prefix: 'file_policy',
    migrationsDir: FILE_POLICY_MIGRATIONS,
    topic: TOPIC,
  });
  tokens = await principalTokens('file-policy:write');
  files = createFilePolicyService({
    pool: h.pool,
    schema: h.schema,
    logger: silent('file-policy'),
    authSecret: TEST_SECRET,
    defaultMetrics: false,
  });
});

afterAll(async () => {
  await files?.close();
  await h?.close();
});

describe('file-policy service', () => {
  it('a file type never set is not masked (200, nulls), and reading it writes nothing', async () => {
    const before = await counts();
    expect(await get(type('txt'))).toEqual({
      status: 200,
      body: { filePolicy: { fileType: type('txt'), maskingRuleId: null, updatedAt: null, updatedBy: null } },
    });
    expect(await counts()).toEqual(before);
  });

  it('sets, changes and clears a rule, each with FilePolicyUpdated in the same transaction', async () => {
    const xlsx = type('xlsx');
    const first = await set(xlsx, 'mask-pii');
    expect(first).toMatchObject({
      status: 200,
      body: {
        changed: true,
        filePolicy: { fileType: xlsx, maskingRuleId: 'mask-pii', updatedBy: 'admin-e2e' },
      },
    });
    const second = await set(xlsx, 'mask-email');
    const cleared = await clear(xlsx);
    expect(cleared).toMatchObject({
      status: 200,
      body: { changed: true, filePolicy: { maskingRuleId: null } },
    });
    expect(await get(xlsx)).toEqual({ status: 200, body: { filePolicy: cleared.body.filePolicy } });

    const events = await outboxEvents(h.pool, h.schema, xlsx);
    expect(events.map((e) => [e.type, e.topic, e.payload])).toEqual([
      [
        'FilePolicyUpdated',
        TOPIC,
        { fileType: xlsx, maskingRuleId: 'mask-pii', occurredAt: first.body.filePolicy.updatedAt },
      ],
      [
        'FilePolicyUpdated',
        TOPIC,
        { fileType: xlsx, maskingRuleId: 'mask-email', occurredAt: second.body.filePolicy.updatedAt },
      ],
      [
        'FilePolicyUpdated',
        TOPIC,
        { fileType: xlsx, maskingRuleId: null, occurredAt: cleared.body.filePolicy.updatedAt },
      ],
    ]);
    expect(events[2]?.headers.ce_time).toBe(cleared.body.filePolicy.updatedAt);
    const { rows } = await h.pool.query<{ xmin: string }>(
      'SELECT xmin::text AS xmin FROM file_type_policies WHERE file_type = $1',
      [xlsx],
    );
    expect(rows[0]?.xmin).toBe(events[2]?.xmin);
    // After a clear, setting again is a change.
    expect((await set(xlsx, 'mask-pii')).body.changed).toBe(true);
  });

  it('setting the rule in force again, or clearing an unset one, changes nothing (200, no event)', async () => {
    const csv = type('csv');
    await set(csv, 'mask-phone');
    const before = await counts();
    const held = (await get(csv)).body.filePolicy;
    expect(await set(csv, 'mask-phone')).toEqual({ status: 200, body: { changed: false, filePolicy: held } });
    expect(await clear(type('never-set'))).toEqual({
      status: 200,
      body: {
        changed: false,
        filePolicy: { fileType: type('never-set'), maskingRuleId: null, updatedAt: null, updatedBy: null },
      },
    });
    await clear(csv);
    const afterClear = await counts();
    expect((await clear(csv)).body.changed).toBe(false);
    expect(await counts()).toEqual(afterClear);
    expect(afterClear.domain_event_outbox).toBe(before.domain_event_outbox! + 1);
    expect(afterClear.file_type_policies).toBe(before.file_type_policies);
  });

  it('accepts only the rule ids the masking service knows, and says which they are', async () => {
    expect(MASKING_RULE_IDS).toEqual(['mask-email', 'mask-national-id', 'mask-phone', 'mask-pii']);
    const before = await counts();
    for (const id of ['mask-pii-v2', 'MASK-PII', 'mask-everything', 'mask-pii ']) {
      const res = await set(type('pdf'), id);
      expect(res, id).toMatchObject({
        status: 400,
        body: {
          error: 'validation',
          fields: [{ path: '/body/maskingRuleId', message: expect.stringContaining('mask-national-id') }],
          knownMaskingRuleIds: [...MASKING_RULE_IDS],
        },
      });
    }
    expect(await counts()).toEqual(before);
    for (const id of MASKING_RULE_IDS) expect((await set(type('pdf'), id)).body.changed).toBe(true);
    const rules = await call<{ maskingRules: { id: string; masks: string[] }[] }>(
      app(),
      'GET',
      '/masking-rules',
      {
        token: tokens.reader,
      },
    );
    expect(rules.body.maskingRules.map((r) => r.id)).toEqual([...MASKING_RULE_IDS]);
    expect(rules.body.maskingRules.find((r) => r.id === 'mask-pii')?.masks).toEqual([
      'email',
      'phone',
      'national-id',
    ]);
  });

  it('lists file policies by file type, page by page', async () => {
    const names = ['a1', 'b2', 'c3', 'd4', 'e5'].map(type);
    for (const n of names) await set(n, 'mask-email');
    await clear(names[2]!);
    const seen: FilePolicy[] = [];
    let after = '';
    for (let page = 0; page < 1000; page++) {
      const res = await call<{ filePolicies: FilePolicy[]; nextAfter: string | null }>(
        app(),
        'GET',
        `/file-types?limit=2${after ? `&after=${after}` : ''}`,
        { token: tokens.reader },
      );
      expect(res.status).toBe(200);
      expect(res.body.filePolicies.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.filePolicies);
      if (!res.body.nextAfter) break;
      after = res.body.nextAfter;
    }
    const mine = seen.filter((p) => names.includes(p.fileType));
    expect(mine.map((p) => [p.fileType, p.maskingRuleId])).toEqual(
      names.map((n, i) => [n, i === 2 ? null : 'mask-email']),
    );
    const order = seen.map((p) => p.fileType);
    expect(order).toEqual([...order].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('every route: 401 without or with a forged token, 403 without its scope, nothing written', async () => {
    const pdf = type('pdf');
    const before = await counts();
    const routes = [
      { method: 'PUT', path: `/file-types/${pdf}/masking-rule`, body: { maskingRuleId: 'mask-phone' } },
      { method: 'DELETE', path: `/file-types/${pdf}/masking-rule` },
      { method: 'GET', path: `/file-types/${pdf}`, read: true },
      { method: 'GET', path: '/file-types', read: true },
      { method: 'GET', path: '/masking-rules', read: true },
    ];
    await expectAuthRefusals(app(), tokens, routes);
    expect(await counts()).toEqual(before);
  });

  it('hostile input on every route: 400 naming the field, nothing written', async () => {
    const pdf = type('pdf');
    const before = await counts();
    const rule = (fileType: string) => `/file-types/${fileType}/masking-rule`;
    const cases: HostileCase[] = [
      { method: 'PUT', path: rule('XLSX'), body: { maskingRuleId: 'mask-pii' }, field: '/params/fileType' },
      { method: 'PUT', path: rule('.xlsx'), body: { maskingRuleId: 'mask-pii' }, field: '/params/fileType' },
      {
        method: 'PUT',
        path: rule('x'.repeat(33)),
        body: { maskingRuleId: 'mask-pii' },
        field: '/params/fileType',
      },
      {
        method: 'PUT',
        path: rule('tar%2Fgz'),
        body: { maskingRuleId: 'mask-pii' },
        field: '/params/fileType',
      },
      { method: 'PUT', path: rule('%00'), body: { maskingRuleId: 'mask-pii' }, field: '/params/fileType' },
      { method: 'PUT', path: rule(pdf), body: { maskingRuleId: null }, field: '/body/maskingRuleId' },
      { method: 'PUT', path: rule(pdf), body: { maskingRuleId: '' }, field: '/body/maskingRuleId' },
      { method: 'PUT', path: rule(pdf), body: { maskingRuleId: 7 }, field: '/body/maskingRuleId' },
      {
        method: 'PUT',
        path: rule(pdf),
        body: { maskingRuleId: 'm'.repeat(129) },
        field: '/body/maskingRuleId',
      },
      {
        method: 'PUT',
        path: rule(pdf),
        body: { maskingRuleId: 'mask\u0000pii' },
        field: '/body/maskingRuleId',
      },
      { method: 'PUT', path: rule(pdf), body: {}, field: '/body/maskingRuleId' },
      {
        method: 'PUT',
        path: rule(pdf),
        body: { maskingRuleId: 'mask-pii', fileType: 'csv' },
        field: '/body/fileType',
      },
      { method: 'PUT', path: rule(pdf), raw: 'mask-pii', field: '/body' },
      { method: 'DELETE', path: rule('Pdf'), field: '/params/fileType' },
      { method: 'GET', path: '/file-types/%01pdf', field: '/params/fileType' },
      { method: 'GET', path: '/file-types?limit=0', field: '/query/limit' },
      { method: 'GET', path: '/file-types?limit=501', field: '/query/limit' },
      { method: 'GET', path: '/file-types?limit=-1', field: '/query/limit' },
      { method: 'GET', path: '/file-types?after=PDF', field: '/query/after' },
      { method: 'GET', path: '/file-types?after=a&after=b', field: '/query/after' },
      { method: 'GET', path: '/file-types?offset=10', field: '/query/offset' },
      { method: 'GET', path: '/masking-rules?id=mask-pii', field: '/query/id' },
      { method: 'GET', path: `/file-types/${pdf}?masked=true`, field: '/query/masked' },
    ];
    await expectValidationRefusals(app(), tokens.writer, cases);
    expect(
      await call(app(), 'PUT', rule(pdf), {
        token: tokens.writer,
        body: { maskingRuleId: 'mask-pii', padding: 'x'.repeat(1_100_000) },
      }),
    ).toMatchObject({ status: 413 });
    expect(await counts()).toEqual(before);
  });

  it('a failure at commit rolls back the change and its event together', async () => {
    const doomed = `doomed${h.run}`;
    const fresh = `doomed${h.run}.new`;
    await set(doomed, 'mask-email');
    await failCommitsOf(h.pool, h.schema, {
      table: 'file_type_policies',
      column: 'file_type',
      pattern: `doomed${h.run}%`,
    });
    const before = await counts();
    expect(await set(doomed, 'mask-pii')).toMatchObject({ status: 500, body: { error: 'internal' } });
    expect(await clear(doomed)).toMatchObject({ status: 500 });
    expect(await set(fresh, 'mask-pii')).toMatchObject({ status: 500 });
    expect(await counts()).toEqual(before);
    expect((await get(doomed)).body.filePolicy.maskingRuleId).toBe('mask-email');
    expect((await get(fresh)).body.filePolicy).toMatchObject({ maskingRuleId: null, updatedAt: null });
    expect((await outboxEvents(h.pool, h.schema, doomed)).map((e) => e.payload.maskingRuleId)).toEqual([
      'mask-email',
    ]);
    expect(await outboxEvents(h.pool, h.schema, fresh)).toEqual([]);
  });

  it('concurrent changes of one file type: one order in the table, the outbox and the topic', async () => {
    const docx = type('docx');
    const rules = [...MASKING_RULE_IDS, null];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const r = rules[i % rules.length]!;
        return r === null ? clear(docx) : set(docx, r);
      }),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const changes = results.filter((r) => r.body.changed).map((r) => r.body.filePolicy);
    const events = await outboxEvents(h.pool, h.schema, docx);
    // One event per answered change, with the answer's rule and time.
    const key = (rule: unknown, at: unknown) => `${String(rule)}@${String(at)}`;
    expect(events.map((e) => key(e.payload.maskingRuleId, e.payload.occurredAt)).sort()).toEqual(
      changes.map((p) => key(p.maskingRuleId, p.updatedAt)).sort(),
    );
    // Consecutive events never repeat a rule (a repeat would have been a no-op), the last is the state.
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.payload.maskingRuleId).not.toEqual(events[i - 1]!.payload.maskingRuleId);
    }
    const times = events.map((e) => Date.parse(String(e.payload.occurredAt)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.at(-1)?.payload.maskingRuleId).toEqual((await get(docx)).body.filePolicy.maskingRuleId);
    const records = await h.recordsOf([docx], events.length);
    const sorted = [...records].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
    expect(sorted.map((r) => r.headers.ce_id)).toEqual(events.map((e) => e.eventId));
  });

  it('the relay publishes each event keyed by fileType with the CloudEvents headers and the payload as written', async () => {
    const xlsx = type('xlsx');
    const written = await outboxEvents(h.pool, h.schema, xlsx);
    expect(written).toHaveLength(4);
    const records = await h.recordsOf([xlsx], written.length);
    expect(records).toHaveLength(written.length);
    records.forEach((record, i) => {
      const event = written[i]!;
      expect(record.key).toBe(xlsx);
      expect(record.headers).toMatchObject({
        ce_id: event.eventId,
        ce_type: 'FilePolicyUpdated',
        ce_source: 'urn:contract-events:platform:file',
        ce_specversion: '1.0',
        ce_schemaversion: '1',
        ce_subject: xlsx,
        ce_time: event.payload.occurredAt,
        'content-type': 'application/json',
      });
      expect(JSON.parse(record.value ?? 'null')).toEqual(event.payload);
    });
    expect(JSON.parse(records[2]!.value!)).toMatchObject({ maskingRuleId: null });
  });
});
