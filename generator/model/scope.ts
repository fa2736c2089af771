import type { GeneratorConfig } from '../config.ts';
import type { SourceLocation } from '../parse/locate.ts';
import type { Findings } from './findings.ts';

export type Json = Record<string, unknown>;
export type Segments = readonly (string | number)[];

/** What every per-object transform of one document needs: where things are, and where to report. */
export interface DocumentScope {
  /** Absolute path of the document. */
  readonly file: string;
  /** The resolved document (every `$ref` followed). */
  readonly json: Json;
  /** Name of the context the document speaks for. */
  readonly context: string;
  /** CloudEvents source of what the context publishes. */
  readonly source: string;
  readonly defaultContentType: string | undefined;
  readonly config: GeneratorConfig;
  readonly findings: Findings;
  /** Where a node of the resolved document is written: file and JSON pointer. */
  locate(segments: Segments): Promise<SourceLocation>;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function intOr(v: unknown, fallback: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}

export function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0].localeCompare(b[0]);
}

/** `{ [key]: value }` when value is defined, `{}` otherwise: keeps optional fields absent rather than undefined. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The single value a Kafka binding schema pins (`const`, a one-entry `enum`, or `default`). */
export function schemaConstant(schema: unknown): string | undefined {
  if (typeof schema === 'string') return schema;
  if (!isJson(schema)) return undefined;
  if (typeof schema.const === 'string') return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length === 1 && typeof schema.enum[0] === 'string')
    return schema.enum[0];
  return str(schema.default);
}

/** A channel's Kafka topic as written: `bindings.kafka.topic`, else its address. */
export function writtenAddress(channel: Json): string | undefined {
  const kafka = (isJson(channel.bindings) ? channel.bindings.kafka : undefined) ?? {};
  return str((kafka as Json).topic) ?? str(channel.address);
}
