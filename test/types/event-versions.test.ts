/**
 * An event carried in several major versions, at compile time: snippets are
 * compiled (strict) against the evolution fixture's committed SDK
 * (test/fixtures/evolution/expected: UserRegistered in versions 1 and 2,
 * UserRenamed in one). A handler receives a union that `schemaVersion`
 * narrows; a publisher and an outbox mapper take a payload that follows
 * `schemaVersion` (absent: any version's, the producer's pin decides); a
 * single-version event keeps its types. Each case gives the error listed, or none.
 */
import path from 'node:path';
import { Project, type SourceFile, ts } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

const prelude = `
import type { ClientBase } from 'pg';
import type { EventProducer, EventConsumerFactory, OutboxWriter } from '../../runtime/contract/index.ts';
import { accountEventsOutbox, accountEventsPublisher, createMailerGroup } from '../fixtures/evolution/expected/index.ts';
import type { MailerGroupHandlers, UserRegistered, UserRegisteredV1, UserRenamed } from '../fixtures/evolution/expected/index.ts';
declare const producer: EventProducer;
declare const runtime: EventConsumerFactory;
declare const outboxWriter: OutboxWriter;
declare const tx: ClientBase;
const accounts = accountEventsPublisher(producer);
const outbox = accountEventsOutbox(outboxWriter);
const v1 = { user_id: 7, email: 'ada@example.com', full_name: 'Ada Lovelace' };
const v2 = { user_id: 7, email: 'ada@example.com', given_name: 'Ada', family_name: 'Lovelace' };
const renamed: MailerGroupHandlers['accountEvents']['UserRenamed'] = () => {};
`;

/** A mailer group whose UserRegistered handler body is `body` (the event is \`event\`). */
const handling = (body: string) =>
  `createMailerGroup(runtime, { accountEvents: { UserRegistered: (event) => { ${body} }, UserRenamed: renamed } });`;

const cases: [string, { code: string; want: { code: number; text: string } | null }][] = [
  [
    'schemaVersion narrows the payload and the headers of each version',
    {
      code: handling(
        `if (event.schemaVersion === 1) { const p: UserRegisteredV1 = event.payload; const h: '1' = event.headers.ce_schemaversion; void p; void h; } else { const p: UserRegistered = event.payload; const h: '2' = event.headers.ce_schemaversion; void p; void h; }`,
      ),
      want: null,
    },
  ],
  [
    'a switch on schemaVersion is exhaustive over the versions carried',
    {
      code: handling(
        'switch (event.schemaVersion) { case 1: void event.payload.full_name; break; case 2: void event.payload.given_name; break; default: { const none: never = event; void none; } }',
      ),
      want: null,
    },
  ],
  [
    'a field of one version without narrowing',
    {
      code: handling('void event.payload.full_name;'),
      want: {
        code: 2339,
        text: "Property 'full_name' does not exist on type 'UserRegisteredV1 | UserRegistered'",
      },
    },
  ],
  [
    "version 2's field after narrowing to version 1",
    {
      code: handling('if (event.schemaVersion === 1) void event.payload.given_name;'),
      want: { code: 2339, text: "Property 'given_name' does not exist on type 'UserRegisteredV1'" },
    },
  ],
  [
    'a version the contract does not carry',
    {
      code: handling('if (event.schemaVersion === 3) return;'),
      want: { code: 2367, text: "types '1 | 2' and '3' have no overlap" },
    },
  ],
  [
    'a handler typed for the current version only',
    {
      code: `createMailerGroup(runtime, { accountEvents: { UserRegistered: (event: { payload: UserRegistered }) => { void event; }, UserRenamed: renamed } });`,
      want: {
        code: 2322,
        text: "Type 'UserRegisteredV1' is missing the following properties from type 'UserRegistered'",
      },
    },
  ],
  [
    'a single-version event keeps its handler type: payload as declared, schemaVersion a number',
    {
      code: `createMailerGroup(runtime, { accountEvents: { UserRegistered: () => {}, UserRenamed: (event) => { const p: UserRenamed = event.payload; const v: number = event.schemaVersion; void p; void v; } } });`,
      want: null,
    },
  ],
  [
    'publish without schemaVersion takes either version (the pin decides at run time)',
    {
      code: `void accounts.publish({ type: 'UserRegistered', payload: v1 }); void accounts.publish({ type: 'UserRegistered', payload: v2 });`,
      want: null,
    },
  ],
  [
    'publish with schemaVersion 1 takes the version 1 payload',
    {
      code: `void accounts.publish({ type: 'UserRegistered', payload: v1, schemaVersion: 1 }); void outbox.write(tx, { type: 'UserRegistered', payload: v2, schemaVersion: 2 });`,
      want: null,
    },
  ],
  [
    'publish with schemaVersion 1 refuses the version 2 payload',
    {
      code: `void accounts.publish({ type: 'UserRegistered', payload: v2, schemaVersion: 1 });`,
      want: {
        code: 2345,
        text: "Property 'full_name' is missing in type '{ user_id: number; email: string; given_name: string; family_name: string; }' but required in type 'UserRegisteredV1'",
      },
    },
  ],
  [
    'an outbox write with schemaVersion 2 refuses the version 1 payload',
    {
      code: `void outbox.write(tx, { type: 'UserRegistered', payload: v1, schemaVersion: 2 });`,
      want: {
        code: 2345,
        text: "is missing the following properties from type 'UserRegistered': given_name, family_name",
      },
    },
  ],
  [
    'publish in a version the contract does not carry',
    {
      code: `void accounts.publish({ type: 'UserRegistered', payload: v2, schemaVersion: 3 });`,
      want: { code: 2322, text: "Type '3' is not assignable to type '1 | 2 | undefined'" },
    },
  ],
  [
    'a single-version event takes no schemaVersion',
    {
      code: `void accounts.publish({ type: 'UserRenamed', payload: { user_id: 7, display_name: 'A' }, schemaVersion: 1 });`,
      want: { code: 2353, text: "'schemaVersion' does not exist in type" },
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

describe('types of an event in several major versions', () => {
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
      path.join(root, 'test/types', `versions-case-${name.replace(/\W+/g, '-')}.ts`),
      `${prelude}\n${code}\n`,
      { overwrite: true },
    );
    try {
      return diagnosticsOf(file);
    } finally {
      project.removeSourceFile(file);
    }
  };

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
      expect(found).toContainEqual(
        expect.objectContaining({ code: want.code, text: expect.stringContaining(want.text) }),
      );
    },
    60_000,
  );
});
