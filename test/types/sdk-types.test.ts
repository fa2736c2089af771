/**
 * The generated SDK's types refuse what the contracts refuse: these snippets
 * are compiled against `generated/` with the TypeScript compiler (strict), and
 * each must give exactly the error code listed, or none.
 */
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

const prelude = `
import type { ClientBase } from 'pg';
import type { EventProducer, EventConsumerFactory, OutboxWriter } from '../../runtime/contract/index.ts';
import { userEventsPublisher, messageEventsPublisher, createSearchIndexerGroup, createAnalyticsConsumerGroup, userEventsOutbox } from '../../generated/index.ts';
import type { SearchIndexerGroupHandlers } from '../../generated/index.ts';
declare const producer: EventProducer;
declare const runtime: EventConsumerFactory;
declare const outboxWriter: OutboxWriter;
declare const tx: ClientBase;
const userOutbox = userEventsOutbox(outboxWriter);
const users = userEventsPublisher(producer);
const messages = messageEventsPublisher(producer);
const registered = { user_id: 1, email: 'a@example.com', username: 'alice', display_name: 'Alice', timestamp: '2026-11-25T10:00:00Z' };
`;

const cases: [string, { code: string; want: number | null }][] = [
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
      want: 2322,
    },
  ],
  [
    'missing required field',
    {
      code: `const { email: _, ...noEmail } = registered; void users.publish({ type: 'UserRegistered', payload: noEmail });`,
      want: 2322,
    },
  ],
  [
    'unknown field (closed payload)',
    {
      code: `void users.publish({ type: 'UserRegistered', payload: { user_id: 1, email: 'a@example.com', username: 'a', display_name: 'A', timestamp: 't', extra: 1 } });`,
      want: 2353,
    },
  ],
  [
    'unknown event type',
    { code: `void users.publish({ type: 'UserDeleted', payload: registered });`, want: 2322 },
  ],
  [
    'event of another topic',
    { code: `void messages.publish({ type: 'UserRegistered', payload: registered });`, want: 2322 },
  ],
  [
    'enum outside its literals',
    {
      code: `void messages.publish({ type: 'MessageSent', payload: { message_id: 'x', room_id: 1, user_id: 1, username: 'a', content: 'hi', message_type: 'video', created_at: 't' } });`,
      want: 2322,
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
      want: 2322,
    },
  ],
  [
    'outbox write of an unknown event type',
    { code: `void userOutbox.write(tx, { type: 'MessageSent', payload: registered });`, want: 2322 },
  ],
  [
    'complete handler map compiles',
    {
      code: `const h: SearchIndexerGroupHandlers = { messageEvents: { MessageSent: async (e) => { const n: number = e.payload.room_id; void n; } } }; createSearchIndexerGroup(runtime, h);`,
      want: null,
    },
  ],
  [
    'handler map missing an event type',
    { code: `createSearchIndexerGroup(runtime, { messageEvents: {} });`, want: 2741 },
  ],
  [
    'handler map missing a topic',
    {
      code: `createAnalyticsConsumerGroup(runtime, { userEvents: { UserRegistered() {}, UserProfileUpdated() {} } });`,
      want: 2345,
    },
  ],
  [
    'handler payload is typed',
    {
      code: `createSearchIndexerGroup(runtime, { messageEvents: { MessageSent: (e) => { const s: string = e.payload.room_id; void s; } } });`,
      want: 2322,
    },
  ],
];

describe('generated SDK types', () => {
  let project: Project;
  beforeAll(() => {
    project = new Project({
      tsConfigFilePath: path.join(root, 'tsconfig.json'),
      skipAddingFilesFromTsConfig: true,
      compilerOptions: { noEmit: true },
    });
  });

  it.each(cases)('%s', (name, { code, want }) => {
    const file = project.createSourceFile(
      path.join(root, 'test/types', `case-${name.replace(/\W+/g, '-')}.ts`),
      `${prelude}\n${code}\n`,
      { overwrite: true },
    );
    const codes = file
      .getPreEmitDiagnostics()
      .filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath())
      .filter((d) => (d.getLineNumber() ?? 0) > prelude.split('\n').length)
      .map(
        (d) =>
          `${d.getCode()}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, '\n').split('\n')[0]}`,
      );
    if (want === null) expect(codes).toEqual([]);
    else expect(codes.map((c) => Number(c.split(':')[0]))).toContain(want);
    project.removeSourceFile(file);
  });
});
