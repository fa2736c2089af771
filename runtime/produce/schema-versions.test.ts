/**
 * Producers of an event carried in several major versions (test/fixtures/evolution: UserRegistered
 * in versions 1 and 2, UserRenamed in 1): which version is sent, validated and written into
 * `ce_schemaversion`, directly and through the outbox, and how pins are read and checked.
 */
import type { ClientBase } from 'pg';
import { describe, expect, it } from 'vitest';
import {
  accountEventsOutbox,
  accountEventsPublisher,
  accountEventsTopic,
  eventExamples,
} from '../../test/fixtures/evolution/expected/index.ts';
import type { OutgoingRecord } from '../kafka/records.ts';
import { createOutboxWriter } from '../outbox/write.ts';
import { EventValidationError } from './errors.ts';
import { createEventProducer } from './event-producer.ts';
import { type PrepareContext, prepareEvent } from './prepare-event.ts';
import { checkPins, parseSchemaVersions } from './schema-versions.ts';

const v2 = eventExamples.UserRegistered[0]!.payload;
const v1 = { user_id: 7, email: 'ada@example.com', full_name: 'Ada Lovelace' };
const renamed = eventExamples.UserRenamed[0]!.payload;

describe('parseSchemaVersions', () => {
  const read: [string | undefined, Record<string, number>][] = [
    [undefined, {}],
    ['', {}],
    ['UserRegistered:1', { UserRegistered: 1 }],
    [' UserRegistered : 1 , OrderPlaced:12,', { UserRegistered: 1, OrderPlaced: 12 }],
    ['com.example.OrderPlaced:2', { 'com.example.OrderPlaced': 2 }],
  ];
  it.each(read)('reads %j', (text, want) => expect(parseSchemaVersions(text)).toEqual(want));

  const refused: [string, RegExp][] = [
    ['UserRegistered', /EVENT_SCHEMA_VERSIONS must list EventType:version pairs .*"UserRegistered"/],
    ['UserRegistered:0', /"UserRegistered:0"/],
    ['UserRegistered:v1', /"UserRegistered:v1"/],
    ['UserRegistered:1,UserRegistered:2', /pins UserRegistered twice/],
  ];
  it.each(refused)('refuses %j', (text, message) => expect(() => parseSchemaVersions(text)).toThrow(message));
});

describe('checkPins', () => {
  it('accepts a pin to a version the topic carries, and pins of events on other topics', () => {
    expect(() =>
      checkPins(accountEventsTopic, { UserRegistered: 1, UserRenamed: 1, Other: 9 }),
    ).not.toThrow();
  });
  it('refuses a pin to a version the contract does not carry, naming the versions it does', () => {
    expect(() => checkPins(accountEventsTopic, { UserRegistered: 3 })).toThrow(
      'UserRegistered is pinned to schema version 3, but the contract carries it on accounts.events in versions 1, 2',
    );
  });
});

describe('prepareEvent picks the version to send', () => {
  const prepare = (
    event: { type: string; payload: unknown; schemaVersion?: number },
    context?: PrepareContext,
  ) => prepareEvent(accountEventsTopic, event, {}, context);
  const pinned: PrepareContext = { schemaVersions: { UserRegistered: 1 } };

  const sent: [string, () => ReturnType<typeof prepare>, string][] = [
    ['the current version by default', () => prepare({ type: 'UserRegistered', payload: v2 }), '2'],
    [
      'the version the event names',
      () => prepare({ type: 'UserRegistered', payload: v1, schemaVersion: 1 }),
      '1',
    ],
    [
      'the pinned version when the event names none',
      () => prepare({ type: 'UserRegistered', payload: v1 }, pinned),
      '1',
    ],
    [
      'the version the event names over the pin',
      () => prepare({ type: 'UserRegistered', payload: v2, schemaVersion: 2 }, pinned),
      '2',
    ],
    [
      'a single-version event as before, pins of others aside',
      () => prepare({ type: 'UserRenamed', payload: renamed }, pinned),
      '1',
    ],
  ];
  it.each(sent)('sends %s', (_name, run, version) => {
    const prepared = run();
    expect(prepared.headers.ce_schemaversion).toBe(version);
    expect(prepared.schemaVersion).toBe(Number(version));
    expect(prepared.key).toBe('7');
  });

  const refused: [string, () => unknown, RegExp][] = [
    [
      'a version 1 payload sent as the current version',
      () => prepare({ type: 'UserRegistered', payload: v1 }),
      /UserRegistered payload breaks its contract: \/given_name is required/,
    ],
    [
      'a version 2 payload from a producer pinned to version 1',
      () => prepare({ type: 'UserRegistered', payload: v2 }, pinned),
      /UserRegistered payload breaks its contract: \/full_name is required/,
    ],
    [
      'a version 2 payload named version 1',
      () => prepare({ type: 'UserRegistered', payload: v2, schemaVersion: 1 }),
      /\/full_name is required/,
    ],
    [
      'a version the contract does not carry',
      () => prepare({ type: 'UserRegistered', payload: v2, schemaVersion: 3 }),
      /UserRegistered schemaVersion breaks its contract: \/schemaVersion is 3; the contract carries UserRegistered in versions 1, 2/,
    ],
    [
      'another version of a single-version event',
      () => prepare({ type: 'UserRenamed', payload: renamed, schemaVersion: 2 }),
      /\/schemaVersion is 2; the contract carries UserRenamed in version 1 /,
    ],
  ];
  it.each(refused)('refuses %s', (_name, run, message) => {
    expect(run).toThrow(EventValidationError);
    expect(run).toThrow(message);
  });
});

describe('pinned producers', () => {
  function recordingPort() {
    const sent: OutgoingRecord[] = [];
    return {
      sent,
      port: {
        connect: async () => {},
        disconnect: async () => {},
        send: async (records: readonly OutgoingRecord[]) => {
          sent.push(...records);
          return records.map((r) => ({ topic: r.topic, partition: 0, offset: '0' }));
        },
      },
    };
  }
  /** A client that keeps the parameters of each INSERT into the outbox. */
  function recordingClient() {
    const inserts: unknown[][] = [];
    return { inserts, db: { query: async (_sql: string, params: unknown[]) => void inserts.push(params) } };
  }

  it('a publisher sends the pinned version, and the current one without a pin', async () => {
    const { sent, port } = recordingPort();
    const pinnedPublisher = accountEventsPublisher(
      createEventProducer({ producer: port, schemaVersions: { UserRegistered: 1 } }),
    );
    const currentPublisher = accountEventsPublisher(createEventProducer({ producer: port }));
    await pinnedPublisher.publish({ type: 'UserRegistered', payload: v1 });
    await currentPublisher.publish({ type: 'UserRegistered', payload: v2 });
    await pinnedPublisher.publishAll([{ type: 'UserRegistered', payload: v2, schemaVersion: 2 }]);
    expect(sent.map((r) => [r.headers.ce_schemaversion, JSON.parse(r.value!.toString())])).toEqual([
      ['1', v1],
      ['2', v2],
      ['2', v2],
    ]);
  });

  it('an outbox mapper writes the pinned version into the row it inserts', async () => {
    const { inserts, db } = recordingClient();
    const outbox = accountEventsOutbox(createOutboxWriter({ schemaVersions: { UserRegistered: 1 } }));
    await outbox.write(db as unknown as ClientBase, { type: 'UserRegistered', payload: v1 });
    await outbox.write(
      db as unknown as ClientBase,
      { type: 'UserRegistered', payload: v2, schemaVersion: 2 },
      { id: '0b6f7f5e-8d9a-4b53-9a57-3c1d2e4f5a6b' },
    );
    // Columns: ids, topics, keys, types, headers (JSON text), payloads.
    const versions = inserts.map((params) => JSON.parse((params[4] as string[])[0]!).ce_schemaversion);
    expect(versions).toEqual(['1', '2']);
  });

  it('refuses to build a publisher or an outbox mapper pinned to a version the contract does not carry', () => {
    const { port } = recordingPort();
    expect(() =>
      accountEventsPublisher(createEventProducer({ producer: port, schemaVersions: { UserRegistered: 3 } })),
    ).toThrow(/pinned to schema version 3/);
    expect(() => accountEventsOutbox(createOutboxWriter({ schemaVersions: { UserRegistered: 3 } }))).toThrow(
      /pinned to schema version 3/,
    );
  });
});
