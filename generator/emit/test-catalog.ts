/**
 * Small catalogs for the emitters' table tests: events built from a schema
 * alone, everything else defaulted, so a test states only what it is about.
 */
import { Project, ts } from 'ts-morph';
import type { Catalog, EventModel, JsonSchema, TopicModel } from '../model/catalog.ts';

export interface EventSpec {
  readonly name: string;
  readonly payload: JsonSchema;
  readonly headers?: JsonSchema;
  readonly examples?: EventModel['examples'];
  readonly topic?: string;
}

export function eventOf(spec: EventSpec): EventModel {
  return {
    name: spec.name,
    topic: spec.topic ?? 'test.events',
    owner: 'test',
    source: 'urn:test',
    schemaVersion: 1,
    contentType: 'application/json',
    payload: spec.payload,
    ...(spec.headers === undefined ? {} : { headers: spec.headers }),
    key: {
      source: 'payload',
      expression: { expression: '$message.payload#/id', source: 'payload', path: ['id'] },
      type: 'string',
    },
    examples: spec.examples ?? [],
    deprecated: false,
    location: { file: 'test.yaml', pointer: `#/components/messages/${spec.name}` },
  };
}

export function catalogOf(specs: readonly EventSpec[]): Catalog {
  const events = specs.map(eventOf).sort((a, b) => a.name.localeCompare(b.name));
  const topicNames = [...new Set(events.map((e) => e.topic))].sort();
  const topics: TopicModel[] = topicNames.map((address) => ({
    channelId: 'testEvents',
    address,
    parameters: [],
    kind: 'event',
    partitions: 1,
    replicas: 1,
    config: {},
    events: events.filter((e) => e.topic === address).map((e) => e.name),
    producers: ['test'],
    consumerGroups: [],
    owner: 'test',
    location: { file: 'test.yaml', pointer: '#/channels/testEvents' },
  }));
  return { contexts: [], topics, events, consumerGroups: [] };
}

let shared: Project | undefined;

/** Compiler errors of a generated `types.ts` on its own (plus a file using it), under `strict`. */
export function typeErrors(source: string, extra = ''): string[] {
  shared ??= new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      noUncheckedIndexedAccess: true,
    },
  });
  const project = shared;
  for (const file of project.getSourceFiles()) project.removeSourceFile(file);
  const files = [
    project.createSourceFile('/types.ts', source),
    project.createSourceFile('/use.ts', extra || 'export {};'),
  ];
  return files.flatMap((file) =>
    file
      .getPreEmitDiagnostics()
      .filter((d) => d.getCategory() === ts.DiagnosticCategory.Error)
      .map(
        (d) =>
          `${file.getBaseName()}:${d.getLineNumber() ?? 0} TS${d.getCode()} ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, ' ')}`,
      ),
  );
}
