/** What a consumer group does with one record, from its bytes and the generated contract (pure: no broker). */
import { describe, expect, it } from 'vitest';
import { eventExamples } from '../../generated/examples.ts';
import { userEventsTopic } from '../../generated/topics.ts';
import { eventExamples as accountExamplesOf } from '../../test/fixtures/evolution/expected/examples.ts';
import { accountEventsTopic } from '../../test/fixtures/evolution/expected/topics.ts';
import { jobsTopic } from '../../test/support/typed-headers-topic.ts';
import type { SubscriptionDefinition } from '../contract/definitions.ts';
import type { ConsumedRecord, RecordHeader } from '../kafka/consumer-port.ts';
import { prepareEvent } from '../produce/prepare-event.ts';
import { type Decision, decide } from './decode.ts';

const subscription: SubscriptionDefinition = {
  topic: userEventsTopic,
  handlerKey: 'userEvents',
  events: ['UserRegistered'],
  retry: { maxAttempts: 3, initialIntervalMs: 200, multiplier: 2, maxIntervalMs: 5000 },
  deadLetterTopic: 'user.events.dlq',
};

const registered = eventExamples.UserRegistered[0]!.payload;
/** The evolution fixture's examples: version 2 (current) of UserRegistered, and version 1 written out. */
const accountExamples = {
  UserRegistered: {
    v2: accountExamplesOf.UserRegistered[0]!.payload,
    v1: { user_id: 7, email: 'ada@example.com', full_name: 'Ada Lovelace' },
  },
  UserRenamed: accountExamplesOf.UserRenamed[0]!.payload,
};
const profile = eventExamples.UserProfileUpdated[0]!.payload;
const ID = '0b6f7f5e-8d9a-4b53-9a57-3c1d2e4f5a6b';

function toRecord(
  headers: Record<string, string | Buffer>,
  value: Buffer | null,
  key: Buffer | null = Buffer.from('42'),
): ConsumedRecord {
  const headerEntries: RecordHeader[] = Object.entries(headers).map(([k, v]) => ({
    key: k,
    value: Buffer.isBuffer(v) ? v : Buffer.from(v),
  }));
  return {
    topic: 'user.events',
    partition: 1,
    offset: '7',
    timestamp: '1769506200000',
    timestampType: 'CreateTime',
    key,
    value,
    headers: Object.fromEntries(headerEntries.map((h) => [h.key, h.value])),
    headerEntries,
  };
}

function valid(type: 'UserRegistered' | 'UserProfileUpdated' = 'UserRegistered') {
  const prepared = prepareEvent(
    userEventsTopic,
    type === 'UserRegistered' ? { type, payload: registered } : { type, payload: profile },
    { id: ID, time: new Date('2026-01-27T09:30:00Z') },
  );
  return { headers: { ...prepared.headers }, value: Buffer.from(prepared.value) };
}

function deadLetter(decision: Decision) {
  if (decision.kind !== 'dead-letter') throw new Error(`expected a dead letter, got ${decision.kind}`);
  return decision;
}

describe('decide', () => {
  it('dispatches a valid subscribed event on its ce_type header, with the envelope read from the headers', () => {
    const { headers, value } = valid();
    const decision = decide(toRecord(headers, value), subscription);
    expect(decision.kind).toBe('dispatch');
    if (decision.kind !== 'dispatch') return;
    expect(decision.event).toMatchObject({
      type: 'UserRegistered',
      id: ID,
      source: 'urn:contract-events:chat:user',
      time: '2026-01-27T09:30:00.000Z',
      schemaVersion: 1,
      key: '42',
      payload: registered,
      topic: 'user.events',
      partition: 1,
      offset: '7',
    });
    expect(decision.event.headers).toMatchObject({ ce_type: 'UserRegistered', ce_id: ID });
  });

  it('leaves binary headers outside the envelope out of the event, and still dispatches', () => {
    const { headers, value } = valid();
    const decision = decide(
      toRecord(
        { ...headers, 'kafka_dlt-original-offset': Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe]) },
        value,
      ),
      subscription,
    );
    expect(decision.kind).toBe('dispatch');
    if (decision.kind !== 'dispatch') return;
    expect(decision.event.headers).not.toHaveProperty('kafka_dlt-original-offset');
  });

  it('skips a type the topic carries but the group does not subscribe to', () => {
    const { headers, value } = valid('UserProfileUpdated');
    expect(decide(toRecord(headers, value), subscription)).toEqual({
      kind: 'skip',
      type: 'UserProfileUpdated',
    });
  });

  it('skips an unsubscribed type without looking at its value', () => {
    const { headers } = valid('UserProfileUpdated');
    expect(decide(toRecord(headers, Buffer.from('not json')), subscription).kind).toBe('skip');
  });

  it('dispatches on the header, never on payload fields', () => {
    // A UserProfileUpdated payload labelled UserRegistered is a schema violation, not a profile update.
    const { headers } = valid('UserRegistered');
    const decision = deadLetter(
      decide(toRecord(headers, Buffer.from(JSON.stringify(profile))), subscription),
    );
    expect(decision.reason).toBe('schema-invalid');
    expect(decision.type).toBe('UserRegistered');
  });

  const refusals: [string, () => ConsumedRecord, { reason: string; message: RegExp }][] = [
    [
      'a type the topic does not carry',
      () => toRecord({ ...valid().headers, ce_type: 'UserDeleted' }, valid().value),
      { reason: 'unknown-type', message: /carries no event type "UserDeleted"/ },
    ],
    [
      'no ce_type header',
      () => {
        const { ce_type: _type, ...headers } = valid().headers;
        return toRecord(headers, valid().value);
      },
      { reason: 'unknown-type', message: /no ce_type header/ },
    ],
    [
      'a prototype property name as type',
      () => toRecord({ ...valid().headers, ce_type: 'constructor' }, valid().value),
      { reason: 'unknown-type', message: /"constructor"/ },
    ],
    [
      'a value that is not JSON',
      () => toRecord(valid().headers, Buffer.from('{"user_id": 42,')),
      { reason: 'undecodable', message: /value is not JSON/ },
    ],
    [
      'a value that is not UTF-8',
      () => toRecord(valid().headers, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      { reason: 'undecodable', message: /not UTF-8/ },
    ],
    [
      'a null value (tombstone)',
      () => toRecord(valid().headers, null),
      { reason: 'undecodable', message: /tombstone/ },
    ],
    [
      'a header that is not UTF-8',
      () => toRecord({ ...valid().headers, traceparent: Buffer.from([0xc3, 0x28]) }, valid().value),
      { reason: 'undecodable', message: /header traceparent is not UTF-8/ },
    ],
    [
      'a payload missing a required field',
      () => {
        const { email: _email, ...payload } = registered;
        return toRecord(valid().headers, Buffer.from(JSON.stringify(payload)));
      },
      { reason: 'schema-invalid', message: /payload breaks its contract: \/email is required/ },
    ],
    [
      'a payload with a field the contract does not have',
      () => toRecord(valid().headers, Buffer.from(JSON.stringify({ ...registered, admin: true }))),
      { reason: 'schema-invalid', message: /\/admin is not a field of the contract/ },
    ],
    [
      'a ce_id that is not a UUID',
      () => toRecord({ ...valid().headers, ce_id: 'not-a-uuid' }, valid().value),
      { reason: 'schema-invalid', message: /headers breaks its contract: \/ce_id/ },
    ],
    [
      'another schema version',
      () => toRecord({ ...valid().headers, ce_schemaversion: '2' }, valid().value),
      { reason: 'schema-invalid', message: /ce_schemaversion is 2; this consumer reads version 1/ },
    ],
  ];
  it.each(refusals)('dead-letters %s at once', (_name, build, want) => {
    const decision = deadLetter(decide(build(), subscription));
    expect(decision.reason).toBe(want.reason);
    expect(decision.error.message).toMatch(want.message);
  });
});

describe('decide with typed application headers', () => {
  const jobs: SubscriptionDefinition = {
    topic: jobsTopic,
    handlerKey: 'jobs',
    events: ['JobQueued'],
    retry: { maxAttempts: 3, initialIntervalMs: 200, multiplier: 2, maxIntervalMs: 5000 },
    deadLetterTopic: 'jobs.events.dlq',
  };
  /** A record as the publisher writes it, with `overrides` replacing (or, undefined, removing) header texts. */
  function jobRecord(overrides: Record<string, string | undefined>): ConsumedRecord {
    const prepared = prepareEvent(
      jobsTopic,
      { type: 'JobQueued', payload: { jobId: 'j-1' }, headers: { retryCount: 0 } },
      { id: ID },
    );
    const headers: Record<string, string> = { ...prepared.headers };
    for (const [name, text] of Object.entries(overrides)) {
      if (text === undefined) delete headers[name];
      else headers[name] = text;
    }
    return toRecord(headers, Buffer.from(prepared.value));
  }

  it('decodes each typed header from its text before validation: the handler gets numbers, booleans, objects', () => {
    const decision = decide(
      jobRecord({
        retryCount: '3',
        urgent: 'true',
        ratio: '-1.5',
        priority: 'high',
        meta: '{"origin":"cron","hops":[1,2]}',
      }),
      jobs,
    );
    if (decision.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${JSON.stringify(decision)}`);
    expect(decision.event.headers).toMatchObject({
      retryCount: 3,
      urgent: true,
      ratio: -1.5,
      priority: 'high',
      meta: { origin: 'cron', hops: [1, 2] },
      ce_type: 'JobQueued',
    });
  });

  it('reads back exactly what the publisher encoded', () => {
    const headers = {
      retryCount: 7,
      urgent: false,
      ratio: 1e-7,
      priority: 'low',
      meta: { origin: 'é "q"' },
    } as const;
    const prepared = prepareEvent(
      jobsTopic,
      { type: 'JobQueued', payload: { jobId: 'j' }, headers },
      { id: ID },
    );
    const decision = decide(toRecord({ ...prepared.headers }, Buffer.from(prepared.value)), jobs);
    if (decision.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${decision.kind}`);
    expect(decision.event.headers).toMatchObject(headers);
  });

  it('leaves a missing optional header absent', () => {
    const decision = decide(jobRecord({}), jobs);
    if (decision.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${decision.kind}`);
    expect(decision.event.headers).not.toHaveProperty('urgent');
    expect(decision.event.headers).not.toHaveProperty('meta');
    expect(decision.event.headers).toHaveProperty('retryCount', 0);
  });

  const refusals: [string, Record<string, string | undefined>, RegExp][] = [
    [
      'text that is not an integer',
      { retryCount: 'abc' },
      /headers breaks its contract: \/retryCount is "abc", not an integer as JSON text/,
    ],
    ['a fraction for an integer', { retryCount: '1.5' }, /\/retryCount must be integer/],
    ['an integer below the minimum', { retryCount: '-1' }, /\/retryCount must be >= 0/],
    ['a boolean that is not true or false', { urgent: 'yes' }, /\/urgent is "yes", not `true` or `false`/],
    ['an object header that is not JSON', { meta: '{origin' }, /\/meta is "\{origin", not JSON text/],
    ['an object header missing a field', { meta: '{}' }, /\/meta\/origin is required/],
    ['an enum header outside its list', { priority: 'urgent' }, /\/priority must be equal to one of/],
    ['a missing required header', { retryCount: undefined }, /\/retryCount is required/],
  ];
  it.each(refusals)('dead-letters %s as schema-invalid, naming the header', (_name, overrides, message) => {
    const decision = deadLetter(decide(jobRecord(overrides), jobs));
    expect(decision.reason).toBe('schema-invalid');
    expect(decision.type).toBe('JobQueued');
    expect(decision.error.message).toMatch(message);
  });

  it('quotes a long undecodable header text only in part', () => {
    const decision = deadLetter(decide(jobRecord({ retryCount: 'x'.repeat(500) }), jobs));
    expect(decision.error.message.length).toBeLessThan(300);
  });
});

describe('decide for an event carried in several major versions', () => {
  // test/fixtures/evolution: UserRegistered in versions 1 (deprecated) and 2 (current), UserRenamed in 1.
  const accounts: SubscriptionDefinition = {
    topic: accountEventsTopic,
    handlerKey: 'accountEvents',
    events: ['UserRegistered', 'UserRenamed'],
    retry: { maxAttempts: 3, initialIntervalMs: 200, multiplier: 2, maxIntervalMs: 5000 },
    deadLetterTopic: 'accounts.events.dlq',
  };
  const v1 = accountExamples.UserRegistered.v1;
  const v2 = accountExamples.UserRegistered.v2;
  const renamed = accountExamples.UserRenamed;
  // A contract without header schemas: the one place a record may lack ce_schemaversion (the envelope requires it).
  const registeredEvent = accountEventsTopic.events.UserRegistered;
  const headerless: SubscriptionDefinition = {
    ...accounts,
    topic: {
      ...accountEventsTopic,
      events: {
        ...accountEventsTopic.events,
        UserRegistered: {
          ...registeredEvent,
          validateHeaders: undefined,
          versions: registeredEvent.versions!.map((v) => ({ ...v, validateHeaders: undefined })),
        },
      },
    },
  };
  /** A record as a producer writes `payload` in `version`, its `ce_schemaversion` then set to `header` (undefined: removed). */
  function record(
    type: string,
    payload: unknown,
    version: number,
    header: string | undefined,
  ): ConsumedRecord {
    const prepared = prepareEvent(accountEventsTopic, { type, payload, schemaVersion: version }, { id: ID });
    const headers: Record<string, string> = { ...prepared.headers };
    if (header === undefined) delete headers.ce_schemaversion;
    else headers.ce_schemaversion = header;
    return toRecord(headers, Buffer.from(prepared.value));
  }

  const dispatched: [
    string,
    ConsumedRecord,
    { schemaVersion: number; payload: unknown },
    SubscriptionDefinition?,
  ][] = [
    [
      'version 1 by its header, with the version 1 payload',
      record('UserRegistered', v1, 1, '1'),
      { schemaVersion: 1, payload: v1 },
    ],
    ['version 2 by its header', record('UserRegistered', v2, 2, '2'), { schemaVersion: 2, payload: v2 }],
    [
      'no ce_schemaversion: the current version',
      record('UserRegistered', v2, 2, undefined),
      { schemaVersion: 2, payload: v2 },
      headerless,
    ],
    [
      'a single-version event as before',
      record('UserRenamed', renamed, 1, '1'),
      { schemaVersion: 1, payload: renamed },
    ],
  ];
  it.each(dispatched)('dispatches %s', (_name, given, want, subscription = accounts) => {
    const decision = decide(given, subscription);
    if (decision.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${JSON.stringify(decision)}`);
    expect(decision.event).toMatchObject({ type: given.headers.ce_type?.toString(), ...want });
  });

  const refused: [string, ConsumedRecord, RegExp, SubscriptionDefinition?][] = [
    [
      'a version 2 payload that says it is version 1',
      record('UserRegistered', v2, 2, '1'),
      /UserRegistered payload breaks its contract: \/full_name is required.*\/given_name is not a field/,
    ],
    [
      'a version 1 payload that says it is version 2',
      record('UserRegistered', v1, 1, '2'),
      /UserRegistered payload breaks its contract: \/given_name is required/,
    ],
    [
      'a version 1 payload without ce_schemaversion (read as the current version)',
      record('UserRegistered', v1, 1, undefined),
      /UserRegistered payload breaks its contract: \/given_name is required/,
      headerless,
    ],
    [
      'a version the contract does not carry',
      record('UserRegistered', v2, 2, '3'),
      /UserRegistered headers breaks its contract: \/ce_schemaversion is 3; this consumer reads versions 1, 2 of UserRegistered/,
    ],
    [
      'a single-version event in another version',
      record('UserRenamed', renamed, 1, '2'),
      /\/ce_schemaversion is 2; this consumer reads version 1 of UserRenamed /,
    ],
  ];
  it.each(refused)('dead-letters %s as schema-invalid', (_name, given, message, subscription = accounts) => {
    const decision = deadLetter(decide(given, subscription));
    expect(decision.reason).toBe('schema-invalid');
    expect(decision.error.message).toMatch(message);
  });
});
