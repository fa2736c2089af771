/**
 * The generated SDK's types refuse what the contracts refuse: these snippets
 * are compiled against `generated/` with the TypeScript compiler (strict), and
 * each must give exactly the error code listed, or none.
 */
import path from 'node:path';
import { Project, type SourceFile, ts } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

const prelude = `
import type { ClientBase } from 'pg';
import type { EventProducer, EventConsumerFactory, OutboxWriter } from '../../runtime/contract/index.ts';
import { userEventsPublisher, messageEventsPublisher, createSearchIndexerGroup, createAnalyticsConsumerGroup, userEventsOutbox } from '../../generated/index.ts';
import type { EnvelopeHeaders, SearchIndexerGroupHandlers, UserRegisteredHeaders } from '../../generated/index.ts';
declare const producer: EventProducer;
declare const runtime: EventConsumerFactory;
declare const outboxWriter: OutboxWriter;
declare const tx: ClientBase;
const userOutbox = userEventsOutbox(outboxWriter);
const users = userEventsPublisher(producer);
const messages = messageEventsPublisher(producer);
const envelope = { ce_specversion: '1.0', ce_id: 'e1', ce_source: 'urn:x', ce_time: 't', 'content-type': 'application/json', traceparent: 'tp' } as const;
const registered = { user_id: 1, email: 'a@example.com', username: 'alice', display_name: 'Alice', timestamp: '2026-11-25T10:00:00Z' };
`;

/** Each case: the code after the prelude, and the one error it must give (code and message), or none. */
const cases: [string, { code: string; want: { code: number; text: string } | null }][] = [
  [
    'a valid event compiles',
    { code: `void users.publish({ type: 'UserRegistered', payload: registered });`, want: null },
  ],
  [
    'a batch of valid events compiles',
    {
      code: `void users.publishAll([{ type: 'UserRegistered', payload: registered }, { type: 'UserRegistered', payload: { ...registered, user_id: 2 } }]);`,
      want: null,
    },
  ],
  [
    'wrong field type',
    {
      code: `void users.publish({ type: 'UserRegistered', payload: { ...registered, user_id: '1' } });`,
      want: { code: 2322, text: "Type 'string' is not assignable to type 'number'" },
    },
  ],
  [
    'missing required field',
    {
      code: `const { email: _, ...noEmail } = registered; void users.publish({ type: 'UserRegistered', payload: noEmail });`,
      want: { code: 2322, text: "Property 'email' is missing in type" },
    },
  ],
  [
    'unknown field (closed payload)',
    {
      code: `void users.publish({ type: 'UserRegistered', payload: { user_id: 1, email: 'a@example.com', username: 'a', display_name: 'A', timestamp: 't', extra: 1 } });`,
      want: { code: 2353, text: "'extra' does not exist in type 'UserProfileUpdated | UserRegistered'" },
    },
  ],
  [
    'unknown event type',
    {
      code: `void users.publish({ type: 'UserDeleted', payload: registered });`,
      want: {
        code: 2322,
        text: 'Type \'"UserDeleted"\' is not assignable to type \'"UserProfileUpdated" | "UserRegistered"\'',
      },
    },
  ],
  [
    'event of another topic',
    {
      code: `void messages.publish({ type: 'UserRegistered', payload: registered });`,
      want: {
        code: 2322,
        text: 'Type \'"UserRegistered"\' is not assignable to type \'"MessageSent" | "MessagesRead"\'',
      },
    },
  ],
  [
    'enum outside its literals',
    {
      code: `void messages.publish({ type: 'MessageSent', payload: { message_id: 'x', room_id: 1, user_id: 1, username: 'a', content: 'hi', message_type: 'video', created_at: 't' } });`,
      want: { code: 2322, text: 'Type \'"video"\' is not assignable to type \'"text" | "image" | "file"\'' },
    },
  ],
  [
    'a valid outbox write compiles',
    { code: `void userOutbox.write(tx, { type: 'UserRegistered', payload: registered });`, want: null },
  ],
  [
    'outbox write with a wrong field type',
    {
      code: `void userOutbox.writeAll(tx, [{ type: 'UserRegistered', payload: { ...registered, email: 42 } }]);`,
      want: { code: 2322, text: "Type 'number' is not assignable to type 'string'" },
    },
  ],
  [
    'outbox write of an unknown event type',
    {
      code: `void userOutbox.write(tx, { type: 'MessageSent', payload: registered });`,
      want: {
        code: 2322,
        text: 'Type \'"MessageSent"\' is not assignable to type \'"UserProfileUpdated" | "UserRegistered"\'',
      },
    },
  ],
  [
    'complete handler map compiles',
    {
      code: `const h: SearchIndexerGroupHandlers = { messageEvents: { MessageSent: async (e) => { const n: number = e.payload.room_id; void n; } } }; createSearchIndexerGroup(runtime, h);`,
      want: null,
    },
  ],
  [
    'a batch handler gets the events of its type, typed, and the transaction',
    {
      code: `createSearchIndexerGroup(runtime, { messageEvents: { MessageSent: { batch: async (events, { db }) => { const ids: number[] = events.map((e) => e.payload.room_id); await db.query('SELECT $1', [ids]); } } } });`,
      want: null,
    },
  ],
  [
    'batch handler payload is typed',
    {
      code: `createSearchIndexerGroup(runtime, { messageEvents: { MessageSent: { batch: (events) => { const s: string = events[0]!.payload.room_id; void s; } } } });`,
      want: { code: 2322, text: "Type 'number' is not assignable to type 'string'" },
    },
  ],
  [
    'handler map missing an event type',
    {
      code: `createSearchIndexerGroup(runtime, { messageEvents: {} });`,
      want: { code: 2741, text: "Property 'MessageSent' is missing in type '{}'" },
    },
  ],
  [
    'handler map missing a topic',
    {
      code: `createAnalyticsConsumerGroup(runtime, { userEvents: { UserRegistered() {}, UserProfileUpdated() {} } });`,
      want: {
        code: 2345,
        text: "is missing the following properties from type 'AnalyticsConsumerGroupHandlers': chatEvents",
      },
    },
  ],
  [
    'handler payload is typed',
    {
      code: `createSearchIndexerGroup(runtime, { messageEvents: { MessageSent: (e) => { const s: string = e.payload.room_id; void s; } } });`,
      want: { code: 2322, text: "Type 'number' is not assignable to type 'string'" },
    },
  ],
  [
    "an event's headers pin its type and version",
    {
      code: `const h: UserRegisteredHeaders = { ...envelope, ce_type: 'UserRegistered', ce_schemaversion: '1' }; const any: EnvelopeHeaders = h; void any;`,
      want: null,
    },
  ],
  [
    "headers of another event's type",
    {
      code: `const h: UserRegisteredHeaders = { ...envelope, ce_type: 'MessageSent', ce_schemaversion: '1' }; void h;`,
      want: { code: 2322, text: `Type '"MessageSent"' is not assignable to type '"UserRegistered"'` },
    },
  ],
];

/** Every error diagnostic of a file, with the line it is on and its full message text. */
function diagnosticsOf(file: SourceFile): { line: number; code: number; text: string }[] {
  return file
    .getPreEmitDiagnostics()
    .filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath())
    .map((d) => ({
      line: d.getLineNumber() ?? 0,
      code: d.getCode(),
      text: ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n'),
    }));
}

const preludeLines = prelude.split('\n').length;

describe('generated SDK types', () => {
  let project: Project;
  beforeAll(() => {
    project = new Project({
      tsConfigFilePath: path.join(root, 'tsconfig.json'),
      skipAddingFilesFromTsConfig: true,
      compilerOptions: { noEmit: true },
    });
  });

  const compile = (name: string, code: string) => {
    const file = project.createSourceFile(
      path.join(root, 'test/types', `case-${name.replace(/\W+/g, '-')}.ts`),
      `${prelude}\n${code}\n`,
      { overwrite: true },
    );
    try {
      return diagnosticsOf(file);
    } finally {
      project.removeSourceFile(file);
    }
  };

  // Without this, a broken generated export would make every "compiles" case pass with nothing to check.
  it('the prelude itself compiles', () => {
    expect(compile('prelude', 'export {};')).toEqual([]);
  }, 60_000);

  it.each(cases)(
    '%s',
    (name, { code, want }) => {
      const found = compile(name, code);
      expect(found.filter((d) => d.line <= preludeLines)).toEqual([]);
      if (want === null) {
        expect(found).toEqual([]);
        return;
      }
      expect(found.length).toBeGreaterThan(0);
      expect(found).toContainEqual(
        expect.objectContaining({ code: want.code, text: expect.stringContaining(want.text) }),
      );
    },
    60_000,
  );
});
