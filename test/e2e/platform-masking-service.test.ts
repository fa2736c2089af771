/**
 * The masking service against the real PostgreSQL and Kafka: a consumer
 * group of its own at the end of domain.file-policy-updated, FilePolicyUpdated
 * published directly. Proves: no rule → text unchanged; each rule masks its
 * kinds only; the latest update per file type wins (occurredAt), an older
 * one arriving later loses, a null rule clears and stays cleared; an unknown
 * rule id is dead-lettered at once (UnknownMaskingRuleError is a
 * NonRetriableError), the rule unchanged; rules survive a restart; a replay into a fresh
 * group changes nothing; the routes' refusals. Then table tests of the
 * patterns (positives and negatives) and their cost on hostile 256 Ki inputs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filePolicyUpdatedPublisher, topicSpecs } from '../../generated/index.ts';
import { createConsumerRuntime } from '../../runtime/consume/consumer-runtime.ts';
import { RuntimeMetrics } from '../../runtime/metrics/runtime-metrics.ts';
import { applyTopics } from '../../runtime/topics/apply.ts';
import { maskingService } from '../../services/masking-service/definition.ts';
import {
  findPersonalData,
  isResidentRegistrationNumber,
  maskText,
  type PersonalDataKind,
} from '../../services/masking-service/masking.ts';
import { MAX_BODY_BYTES, MAX_TEXT_LENGTH } from '../../services/masking-service/schemas.ts';
import { createMaskingService, type MaskingService } from '../../services/masking-service/service.ts';
import { issuePrincipalToken } from '../../services/shared/auth.ts';
import { createServicePool, migrateService } from '../../services/shared/db.ts';
import { runService } from '../../services/shared/server.ts';
import { useInfrastructure } from '../support/context.ts';
import { testKafkaClients } from '../support/kafka-clients.ts';
import { startReader } from '../support/kafka-reader.ts';
import {
  consumed,
  endOffsetsOf,
  principalToken,
  processEnv,
  retried,
  startGroupAt,
  type TestKafka,
  testKafka,
} from './platform-subscriber-support.ts';
import { call, dropSchemas, eventually, runId, silent, TEST_SECRET, type TopicOffsets } from './support.ts';

const infra = useInfrastructure();
const run = runId();
const schema = `masking_${run}`;
const groupId = `masking-service-e2e-${run}`;
const TOPIC = 'domain.file-policy-updated';

const pool = createServicePool(infra.databaseUrl, schema, 4);
const metrics = new RuntimeMetrics();
let bus: TestKafka;
let masking: MaskingService;
let starts: TopicOffsets[];
let token: string;

const type = (ext: string) => `${ext}-${run}`;
const at = (minutes: number) => new Date(Date.UTC(2025, 3, 1) + minutes * 60_000).toISOString();
const SAMPLE = 'Contact alice@example.com or 010-1234-5678; RRN 900101-1234568.';

const start = (group = groupId) =>
  createMaskingService({
    pool,
    logger: silent('masking-service'),
    authSecret: TEST_SECRET,
    consumers: createConsumerRuntime({
      kafka: testKafkaClients(),
      pool,
      deadLetterProducer: bus.deadLetterProducer,
      metrics,
    }),
    consumerOptions: { groupId: group },
    defaultMetrics: false,
  });

const app = () => masking.service.app;
interface MaskBody {
  fileType: string;
  maskingRuleId: string | null;
  masked: string;
  counts: Record<PersonalDataKind, number>;
}
const mask = (fileType: string, text = SAMPLE) =>
  call<MaskBody>(app(), 'POST', '/mask', { token, body: { fileType, text } });
const update = (ext: string, maskingRuleId: string | null, minutes: number) =>
  filePolicyUpdatedPublisher(bus.events).publish({
    type: 'FilePolicyUpdated',
    payload: { fileType: type(ext), maskingRuleId, occurredAt: at(minutes) },
  });
const ruleOf = async (ext: string) => (await mask(type(ext), '')).body.maskingRuleId;
const claimed = async (group: string) =>
  Number(
    (
      await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM consumer_processed_events WHERE group_id = $1',
        [group],
      )
    ).rows[0]?.n,
  );

beforeAll(async () => {
  await migrateService(pool, {
    schema,
    dir: path.join(import.meta.dirname, '../../services/masking-service/migrations'),
  });
  await applyTopics(infra.kafkaBrokers, topicSpecs);
  bus = await testKafka(infra.kafkaBrokers, `e2e-masking-${run}`);
  starts = await endOffsetsOf(bus.kafka, [TOPIC]);
  await startGroupAt(infra.kafkaBrokers, groupId, starts);
  token = await principalToken(['platform:read']);
  masking = start();
}, 120_000);

afterAll(async () => {
  try {
    await masking?.close();
    await bus?.close();
    await pool.end();
  } finally {
    await dropSchemas(infra.databaseUrl, [schema]);
  }
}, 60_000);

describe('masking-service', () => {
  it('is ready once its consumer group has joined', async () => {
    const ready = await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(ready.body).toMatchObject({ consumers: { [groupId]: 'ready' } });
  });

  it('refuses a missing or forged token, a token without platform:read, and bad input', async () => {
    const forged = await issuePrincipalToken('another-secret', 'e2e-tester', ['platform:read']);
    const other = await principalToken(['file-policy:write']);
    const body = { fileType: 'csv', text: 'x' };
    for (const [method, url] of [
      ['POST', '/mask'],
      ['GET', '/rules'],
    ] as const) {
      const options = method === 'POST' ? { body } : {};
      expect((await call(app(), method, url, options)).status, url).toBe(401);
      expect((await call(app(), method, url, { ...options, token: forged })).status, url).toBe(401);
      expect((await call(app(), method, url, { ...options, token: other })).status, url).toBe(403);
    }
    const cases: [unknown, string][] = [
      [{ text: 'x' }, '/body/fileType'],
      [{ fileType: 'csv' }, '/body/text'],
      [{ fileType: 'CSV', text: 'x' }, '/body/fileType'],
      [{ fileType: '.csv', text: 'x' }, '/body/fileType'],
      [{ fileType: 'csv', text: 7 }, '/body/text'],
      [{ fileType: 'csv', text: 'a\u0000b' }, '/body/text'],
      [{ fileType: 'csv', text: 'x', rule: 'mask-pii' }, '/body/rule'],
      [{ fileType: 'csv', text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, '/body/text'],
      ['{"fileType":', '/body'],
    ];
    for (const [input, field] of cases) {
      const res = await call<{ fields: { path: string }[] }>(app(), 'POST', '/mask', { token, body: input });
      expect(res.status, field).toBe(400);
      expect(res.body.fields.map((f) => f.path)).toContain(field);
    }
    // The longest text is accepted; a body past the limit is refused before it is read whole.
    expect((await mask('csv', 'x'.repeat(MAX_TEXT_LENGTH))).status).toBe(200);
    const huge = await call(app(), 'POST', '/mask', {
      token,
      body: JSON.stringify({ fileType: 'csv', text: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });

  it('without a rule for the file type, the text comes back unchanged', async () => {
    expect((await mask(type('csv'))).body).toEqual({
      fileType: type('csv'),
      maskingRuleId: null,
      masked: SAMPLE,
      counts: { email: 0, phone: 0, nationalId: 0 },
    });
  });

  it('masks by the rule the file type’s latest policy names; each rule masks its own kinds', async () => {
    await update('csv', 'mask-pii', 1);
    await update('txt', 'mask-email', 1);
    await update('doc', 'mask-phone', 1);
    await update('xls', 'mask-national-id', 1);
    await eventually(
      () => claimed(groupId),
      (n) => n >= 4,
    );
    expect((await mask(type('csv'))).body).toEqual({
      fileType: type('csv'),
      maskingRuleId: 'mask-pii',
      masked: 'Contact *****@example.com or ***-****-****; RRN ******-*******.',
      counts: { email: 1, phone: 1, nationalId: 1 },
    });
    expect((await mask(type('txt'))).body).toMatchObject({
      masked: 'Contact *****@example.com or 010-1234-5678; RRN 900101-1234568.',
      counts: { email: 1, phone: 0, nationalId: 0 },
    });
    expect((await mask(type('doc'))).body).toMatchObject({
      masked: 'Contact alice@example.com or ***-****-****; RRN 900101-1234568.',
      counts: { email: 0, phone: 1, nationalId: 0 },
    });
    expect((await mask(type('xls'))).body).toMatchObject({
      masked: 'Contact alice@example.com or 010-1234-5678; RRN ******-*******.',
      counts: { email: 0, phone: 0, nationalId: 1 },
    });
    const rules = await call<{ rules: { fileType: string; maskingRuleId: string | null }[] }>(
      app(),
      'GET',
      '/rules',
      {
        token,
      },
    );
    expect(rules.body.rules.map((r) => [r.fileType, r.maskingRuleId])).toEqual([
      [type('csv'), 'mask-pii'],
      [type('doc'), 'mask-phone'],
      [type('txt'), 'mask-email'],
      [type('xls'), 'mask-national-id'],
    ]);
  });

  it('the newer occurredAt wins; an older update arriving later loses; a null rule clears and stays cleared', async () => {
    await update('txt', 'mask-pii', 10);
    await update('txt', 'mask-phone', 5);
    await eventually(
      () => claimed(groupId),
      (n) => n >= 6,
    );
    expect(await ruleOf('txt')).toBe('mask-pii');
    await update('txt', null, 20);
    await update('txt', 'mask-email', 15);
    await eventually(
      () => claimed(groupId),
      (n) => n >= 8,
    );
    expect((await mask(type('txt'))).body).toEqual({
      fileType: type('txt'),
      maskingRuleId: null,
      masked: SAMPLE,
      counts: { email: 0, phone: 0, nationalId: 0 },
    });
  });

  it('an unknown rule id is dead-lettered at once with UnknownMaskingRuleError (non-retriable); the rule stays as it was', async () => {
    const reader = await startReader(infra.kafkaBrokers, [`${TOPIC}.dlq`]);
    try {
      const retries = await retried(metrics, groupId);
      const sent = await update('csv', 'mask-pii-v2', 30);
      await reader.waitFor(
        (records) => records.some((r) => r.headers.ce_id === sent.id),
        30_000,
        'the dead letter',
      );
      const letter = reader.records.find((r) => r.headers.ce_id === sent.id)!;
      expect(letter.headers).toMatchObject({
        'kafka_dlt-original-topic': TOPIC,
        'kafka_dlt-original-consumer-group': groupId,
        'kafka_dlt-exception-fqcn': 'UnknownMaskingRuleError',
        'kafka_dlt-exception-cause-fqcn': 'UnknownMaskingRuleError',
        'kafka_dlt-reason': 'non-retriable',
      });
      expect(letter.headers['kafka_dlt-exception-message']).toContain('mask-pii-v2');
      expect(JSON.parse(letter.value ?? '{}')).toEqual({
        fileType: type('csv'),
        maskingRuleId: 'mask-pii-v2',
        occurredAt: at(30),
      });
      // One attempt, no retry: retrying an unknown rule can never succeed.
      expect(await retried(metrics, groupId)).toBe(retries);
      // Counted once the dead letter is acknowledged, which the reader may see first.
      expect(
        await eventually(
          () => consumed(metrics, groupId, 'dead-lettered'),
          (n) => n >= 1,
        ),
      ).toBe(1);
      expect(await ruleOf('csv')).toBe('mask-pii');
    } finally {
      await reader.stop();
    }
  });

  it('keeps the rules across a restart (PostgreSQL), and a replay into a fresh group changes nothing', async () => {
    const snapshot = async () => (await pool.query('SELECT * FROM masking_rules ORDER BY file_type')).rows;
    const before = await snapshot();
    await masking.close();
    masking = start();
    await eventually(
      () => call(app(), 'GET', '/ready'),
      (r) => r.status === 200,
    );
    expect(await ruleOf('csv')).toBe('mask-pii');
    expect(await ruleOf('doc')).toBe('mask-phone');
    await masking.close();
    const fresh = `${groupId}-replay`;
    await startGroupAt(infra.kafkaBrokers, fresh, starts);
    masking = start(fresh);
    // Eight updates are claimed again; the unknown rule is dead-lettered again.
    await eventually(
      async () => [await claimed(fresh), await consumed(metrics, fresh, 'dead-lettered')],
      ([claims, dead]) => claims === 8 && dead === 1,
      60_000,
    );
    expect(await snapshot()).toEqual(before);
  }, 90_000);
});

describe('masking-service as a process', () => {
  it('runService builds it from the environment (MASKING_SERVICE_GROUP_ID): ready, masking the longest text over HTTP', async () => {
    const group = `${groupId}-process`;
    await startGroupAt(infra.kafkaBrokers, group, await endOffsetsOf(bus.kafka, [TOPIC]));
    const processSchema = `${schema}_process`;
    const running = await runService({
      ...maskingService(),
      env: processEnv(infra, { MASKING_SERVICE_GROUP_ID: group, DATABASE_SCHEMA: processSchema }),
      logger: silent('masking-service'),
    });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const ready = await eventually(
        () => fetch(`${base}/ready`).then(async (r) => ({ status: r.status, body: await r.json() })),
        (r) => r.status === 200,
      );
      expect(ready.body).toMatchObject({ consumers: { [group]: 'ready' } });
      const post = (body: string) =>
        fetch(`${base}/mask`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
      // The longest text with every character escaped on the wire (`\uac00`, 6 bytes each): within the limit.
      const escaped = await post(`{"fileType":"csv","text":"${'\\uac00'.repeat(MAX_TEXT_LENGTH)}"}`);
      expect(escaped.status).toBe(200);
      expect(((await escaped.json()) as MaskBody).masked).toBe('가'.repeat(MAX_TEXT_LENGTH));
      // One character more is refused by the schema, with the field path.
      const longer = await post(JSON.stringify({ fileType: 'csv', text: '가'.repeat(MAX_TEXT_LENGTH + 1) }));
      expect(longer.status).toBe(400);
    } finally {
      await running.stop();
      await dropSchemas(infra.databaseUrl, [processSchema]);
    }
  }, 60_000);
});

describe('personal data patterns', () => {
  const today = Date.UTC(2026, 0, 27);
  const kindsIn = (text: string) =>
    findPersonalData(text, today).map((f) => [f.kind, text.slice(f.start, f.end)]);

  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['write to a.b-c_d+tag@mail.co.kr today', 'a.b-c_d+tag@mail.co.kr'],
    ['ALICE@EXAMPLE.COM', 'ALICE@EXAMPLE.COM'],
    ['<bob%ops@sub.domain.org>', 'bob%ops@sub.domain.org'],
    ['메일: kim01@naver.com 입니다', 'kim01@naver.com'],
  ])('e-mail found: %s', (text, found) => {
    expect(kindsIn(text)).toEqual([['email', found]]);
  });

  it.each([
    'alice@',
    '@example.com',
    'alice@example',
    'alice@-example.com',
    'a@b.c',
    'user@@example.com',
    'no at sign here.com',
  ])('no e-mail: %s', (text) => {
    expect(kindsIn(text).filter(([k]) => k === 'email')).toEqual([]);
  });

  it.each([
    '010-1234-5678',
    '01012345678',
    '010 1234 5678',
    '010.1234.5678',
    '011-123-4567',
    '019-1234-5678',
    '02-123-4567',
    '02-1234-5678',
    '0212345678',
    '(02) 1234-5678',
    '(031)123-4567',
    '031-123-4567',
    '064-123-4567',
    '070-1234-5678',
    '+82 10 1234 5678',
    '+82-10-1234-5678',
    '+821012345678',
    '+82 2 123 4567',
    '+82 (0)10 1234 5678',
    '+14155552671',
    '+442071838750',
  ])('phone found: %s', (number) => {
    expect(kindsIn(`tel ${number}.`)).toEqual([['phone', number]]);
  });

  it.each([
    '2024-01-15',
    '010-123-456',
    '010-12345-6789',
    '010-1234-56789',
    '0101234567890',
    'abc01012345678',
    '080-123-4567',
    '1588-1234',
    '12:30:45',
    '3.14159',
    '+1234',
    '+12345678901234567',
  ])('no phone: %s', (text) => {
    expect(kindsIn(text)).toEqual([]);
  });

  it.each([
    ['900101-1234568', 'citizen born 1990-01-01'],
    ['9001011234568', 'the same without the hyphen'],
    ['751231-2345675', 'citizen born 1975-12-31'],
    ['020415-3123451', 'citizen born 2002-04-15'],
    ['200930-4123453', 'born 2020-09-30, the last day before the reform: checksum still holds'],
    ['881122-5123451', 'foreign resident, 1988 (the foreign check digit)'],
    ['030303-7123453', 'foreign resident, 2003'],
    ['201001-4987650', 'born 2020-10-01: issued after the reform, random last digits'],
    ['250101-3000000', 'born 2025-01-01: no check digit'],
  ])('RRN found: %s (%s)', (rrn) => {
    expect(kindsIn(`id ${rrn}`)).toEqual([['nationalId', rrn]]);
    expect(isResidentRegistrationNumber(rrn.replace('-', ''), today)).toBe(true);
  });

  it.each([
    ['900101-1234569', 'wrong check digit'],
    ['9001011234567', 'wrong check digit, no hyphen'],
    ['881122-5123459', 'a foreign resident with the citizen check digit'],
    ['850230-1234561', 'February 30 (the check digit holds)'],
    ['991301-1234567', 'month 13'],
    ['900101-9234567', 'G = 9 (born in the 1800s)'],
    ['900101-0234567', 'G = 0'],
    ['990101-3234567', 'born 2099: in the future'],
    ['1234567890123', 'a random 13-digit number'],
    ['90010112345689', '14 digits'],
    ['x9001011234568', 'inside a word'],
    ['900101-1234568-7', 'followed by more of a code'],
  ])('no RRN: %s (%s)', (text) => {
    expect(kindsIn(text).filter(([k]) => k === 'nationalId')).toEqual([]);
  });

  it('digits inside an e-mail address are part of the address, not a phone number', () => {
    expect(kindsIn('01012345678@example.com')).toEqual([['email', '01012345678@example.com']]);
    expect(maskText('01012345678@example.com', new Set(['phone']), today)).toEqual({
      masked: '01012345678@example.com',
      counts: { email: 0, phone: 0, nationalId: 0 },
    });
  });

  it('keeps length and separators, masks every occurrence', () => {
    const text = 'a@x.io, b@y.io / +82 10 1234 5678 / 9001011234568';
    expect(maskText(text, new Set(['email', 'phone', 'nationalId']), today)).toEqual({
      masked: '*@x.io, *@y.io / +** ** **** **** / *************',
      counts: { email: 2, phone: 1, nationalId: 1 },
    });
  });

  it.each([
    ['a long run of local-part characters', 'a'.repeat(MAX_TEXT_LENGTH)],
    ['a long run of digits', '0'.repeat(MAX_TEXT_LENGTH)],
    ['@ signs between letters', 'a@'.repeat(MAX_TEXT_LENGTH / 2)],
    ['almost-phone numbers', '010-1234-567 '.repeat(MAX_TEXT_LENGTH / 13)],
    ['dotted labels without a top-level domain', `a@${'b.'.repeat(MAX_TEXT_LENGTH / 2 - 2)}`],
  ])('scans 256 Ki characters of %s in well under a second', (_what, text) => {
    const started = performance.now();
    maskText(text, new Set(['email', 'phone', 'nationalId']), today);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
