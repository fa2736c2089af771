/**
 * Typed application headers at compile time: test/fixtures/typed-headers is
 * generated into a scratch folder and snippets are compiled against it
 * (strict). A publisher and an outbox mapper take each event's application
 * headers typed (required ones required, unknown or envelope names refused,
 * none at all for an event that declares none); a handler reads them typed.
 * The prelude must compile cleanly, and each refusal must give the message listed.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../generator/generate.ts';

const root = path.resolve(import.meta.dirname, '../..');
// Inside the repository (ignored by git), so that `pg` and `ajv` resolve from the generated files.
const scratch = path.join(root, '.cache', `typed-headers-types-${process.pid}`);

const prelude = `
import type { ClientBase } from 'pg';
import type { EventProducer, EventConsumerFactory, OutboxWriter } from '../../runtime/contract/index.ts';
import { jobsPublisher, jobsOutbox, createJobsWorkerGroup } from './sdk/index.ts';
import { eventExamples, userEventsPublisher } from '../../generated/index.ts';
declare const producer: EventProducer;
declare const runtime: EventConsumerFactory;
declare const outboxWriter: OutboxWriter;
declare const tx: ClientBase;
const jobs = jobsPublisher(producer);
const outbox = jobsOutbox(outboxWriter);
const payload = { jobId: 'j-1' };
const users = userEventsPublisher(producer);
const registered = eventExamples.UserRegistered[0]!.payload;
`;

const cases: [string, { code: string; error: string | null }][] = [
  [
    'an event with its typed headers',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: 3, urgent: true, priority: 'high', meta: { origin: 'cron', hops: [1] } } });`,
      error: null,
    },
  ],
  [
    'only the required header',
    { code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: 0 } });`, error: null },
  ],
  [
    'a required header missing',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { urgent: true } });`,
      error: "Property 'retryCount' is missing",
    },
  ],
  [
    'no headers where one is required',
    { code: `void jobs.publish({ type: 'JobQueued', payload });`, error: "Property 'headers' is missing" },
  ],
  [
    'an integer header given as text',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: '3' } });`,
      error: "Type 'string' is not assignable to type 'number'",
    },
  ],
  [
    'an enum header outside its values',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: 1, priority: 'urgent' } });`,
      error: `Type '"urgent"' is not assignable to type '"low" | "high" | undefined'`,
    },
  ],
  [
    'an unknown header',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: 1, retries: 2 } });`,
      error: "Object literal may only specify known properties, and 'retries' does not exist",
    },
  ],
  [
    'an envelope header',
    {
      code: `void jobs.publish({ type: 'JobQueued', payload, headers: { retryCount: 1, ce_type: 'JobQueued' } });`,
      error: "Object literal may only specify known properties, and 'ce_type' does not exist",
    },
  ],
  [
    'optional headers left out',
    { code: `void jobs.publish({ type: 'JobCancelled', payload });`, error: null },
  ],
  [
    'optional headers given',
    {
      code: `void jobs.publish({ type: 'JobCancelled', payload, headers: { urgent: false } });`,
      error: null,
    },
  ],
  [
    'a header whose name is not an identifier',
    {
      code: `void jobs.publish({ type: 'JobCancelled', payload, headers: { 'x-attempt': 2 } });`,
      error: null,
    },
  ],
  [
    'a header whose name is not an identifier, given the wrong type',
    {
      code: `void jobs.publish({ type: 'JobCancelled', payload, headers: { 'x-attempt': '2' } });`,
      error: "Type 'string' is not assignable to type 'number",
    },
  ],
  [
    'a boolean header given as text',
    {
      code: `void jobs.publish({ type: 'JobCancelled', payload, headers: { urgent: 'yes' } });`,
      error: "Type 'string' is not assignable to type 'boolean | undefined'",
    },
  ],
  [
    'an event without application headers',
    { code: `void jobs.publish({ type: 'JobNoted', payload });`, error: null },
  ],
  [
    'headers on an event that declares none',
    {
      code: `void jobs.publish({ type: 'JobNoted', payload, headers: { note: 'x' } });`,
      error: "Object literal may only specify known properties, and 'note' does not exist",
    },
  ],
  [
    "the repository's own contracts (envelope only): publishing as before",
    { code: `void users.publish({ type: 'UserRegistered', payload: registered });`, error: null },
  ],
  [
    "the repository's own contracts (envelope only): no application headers",
    {
      code: `void users.publish({ type: 'UserRegistered', payload: registered, headers: { retryCount: 1 } });`,
      error: "Object literal may only specify known properties, and 'headers' does not exist",
    },
  ],
  [
    'a batch mixing events',
    {
      code: `void jobs.publishAll([{ type: 'JobNoted', payload }, { type: 'JobQueued', payload, headers: { retryCount: 1 } }]);`,
      error: null,
    },
  ],
  [
    'a batch with a required header missing',
    {
      code: `void jobs.publishAll([{ type: 'JobQueued', payload }]);`,
      error: "Property 'headers' is missing",
    },
  ],
  [
    'an outbox write with its headers',
    {
      code: `void outbox.write(tx, { type: 'JobQueued', payload, headers: { retryCount: 2 } });`,
      error: null,
    },
  ],
  [
    'an outbox write without a required header',
    {
      code: `void outbox.write(tx, { type: 'JobQueued', payload });`,
      error: "Property 'headers' is missing",
    },
  ],
  [
    'an outbox batch with a wrong header type',
    {
      code: `void outbox.writeAll(tx, [{ type: 'JobCancelled', payload, headers: { urgent: 1 } }]);`,
      error: "Type 'number' is not assignable to type 'boolean | undefined'",
    },
  ],
  [
    'a handler reads headers typed',
    {
      code: `createJobsWorkerGroup(runtime, { jobs: { JobQueued: (e) => { const n: number = e.headers.retryCount; const u: boolean | undefined = e.headers.urgent; const o: string | undefined = e.headers.meta?.origin; void [n, u, o]; }, JobCancelled() {}, JobNoted() {} } });`,
      error: null,
    },
  ],
  [
    'a handler taking a number header for text',
    {
      code: `createJobsWorkerGroup(runtime, { jobs: { JobQueued: (e) => { const s: string = e.headers.retryCount; void s; }, JobCancelled() {}, JobNoted() {} } });`,
      error: "Type 'number' is not assignable to type 'string'",
    },
  ],
];

let project: Project;

beforeAll(async () => {
  const outDir = path.join(scratch, 'sdk');
  const { files } = await generate({
    input: path.join(root, 'test/fixtures/typed-headers'),
    outDir,
    runtimeEntry: path.join(root, 'runtime/contract/index.ts'),
    cwd: root,
    mode: 'strict',
  });
  await mkdir(outDir, { recursive: true });
  await Promise.all(files.map((f) => writeFile(path.join(outDir, f.path), f.content)));
  project = new Project({
    tsConfigFilePath: path.join(root, 'tsconfig.json'),
    skipAddingFilesFromTsConfig: true,
    compilerOptions: { noEmit: true },
  });
}, 60_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function diagnostics(name: string, code: string): { prelude: string[]; snippet: string[] } {
  const file = project.createSourceFile(
    path.join(scratch, `case-${name.replace(/\W+/g, '-')}.ts`),
    `${prelude}\n${code}\n`,
    {
      overwrite: true,
    },
  );
  const preludeLines = prelude.split('\n').length;
  const all = file.getPreEmitDiagnostics().map((d) => ({
    inFile: d.getSourceFile()?.getFilePath() === file.getFilePath(),
    line: d.getLineNumber() ?? 0,
    text: `${d.getCode()}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n')}`,
  }));
  project.removeSourceFile(file);
  return {
    // Anything outside the snippet (the prelude, the generated SDK it imports) must compile.
    prelude: all.filter((d) => !d.inFile || d.line <= preludeLines).map((d) => d.text),
    snippet: all.filter((d) => d.inFile && d.line > preludeLines).map((d) => d.text),
  };
}

describe('typed application headers in the generated SDK', { timeout: 60_000 }, () => {
  it('the prelude and the generated SDK compile', () => {
    expect(diagnostics('prelude', 'export {};')).toEqual({ prelude: [], snippet: [] });
  });

  it.each(cases)('%s', (name, { code, error }) => {
    const found = diagnostics(name, code);
    expect(found.prelude).toEqual([]);
    if (error === null) expect(found.snippet).toEqual([]);
    else expect(found.snippet.join('\n')).toContain(error);
  });
});
