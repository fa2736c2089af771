/**
 * Turns a typed event into exactly what goes on the wire, once, for both
 * ways of publishing (directly, or through the outbox): validated payload,
 * the Kafka key from the contract's partition-key expression, the topic
 * (parameters resolved), the CloudEvents envelope headers with W3C trace
 * context, and the contract's application headers, validated typed and
 * encoded to text. Nothing here does I/O.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import type { EventDefinition, EventVersionDefinition, TopicDefinition } from '../contract/definitions.ts';
import type { PublishOptions } from '../contract/events.ts';
import { isEnvelopeHeader } from '../contract/headers.ts';
import { describeVersions, eventVersion } from '../contract/versions.ts';
import { fillTemplate } from '../topics/address-template.ts';
import { hasOnlyTopicNameCharacters, MAX_TOPIC_NAME_LENGTH } from '../topics/topic-name.ts';
import { EventValidationError, type SchemaViolation, UnknownEventTypeError } from './errors.ts';
import { describeCodec, encodeHeader, MISFIT } from './header-codec.ts';
import type { SchemaVersionPins } from './schema-versions.ts';

export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  /** The major version the payload was validated against and is sent as (`ce_schemaversion`). */
  readonly schemaVersion: number;
  readonly topic: string;
  /** Null when the contract has no partition key and the publisher passed none. */
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
  /** The record value: the payload's JSON text (Kafka gets it as UTF-8, the outbox as jsonb). */
  readonly value: string;
}

export interface PrepareContext {
  readonly now?: () => Date;
  readonly newId?: () => string;
  /**
   * Event type → the major version to send when the event names none (`schemaVersion`): a producer
   * pinned to an earlier version during a migration window. Unlisted types send their current version.
   */
  readonly schemaVersions?: SchemaVersionPins;
}

export function prepareEvent(
  topic: TopicDefinition,
  event: {
    readonly type: string;
    readonly payload: unknown;
    readonly key?: string | number | null;
    readonly parameters?: Readonly<Record<string, string>>;
    /** Application headers, typed (`{ retryCount: 3 }`): validated, then encoded to text. */
    readonly headers?: Readonly<Record<string, unknown>> | undefined;
    /** The major version the payload is written in; absent: the pinned version, else the current one. */
    readonly schemaVersion?: number | undefined;
  },
  options: PublishOptions = {},
  context: PrepareContext = {},
): PreparedEvent {
  const definition = (topic.events as Record<string, EventDefinition<string, unknown, unknown> | undefined>)[
    event.type
  ];
  if (!definition) throw new UnknownEventTypeError(topic.name, event.type);
  const checks = versionToSend(definition, event.schemaVersion ?? context.schemaVersions?.[event.type]);
  const { payload } = event;
  if (!checks.validatePayload(payload)) {
    throw new EventValidationError(event.type, 'payload', violations(checks.validatePayload.errors));
  }
  const key = definition.partitionKey ? definition.partitionKey(payload) : keyArgument(definition, event.key);
  const address = definition.topicFor
    ? definition.topicFor(payload)
    : topic.parameters
      ? topicAddress(topic, event.parameters)
      : topic.name;
  const id = options.id ?? (context.newId ? context.newId() : randomUUID());
  const time = (options.time ?? context.now?.())?.toISOString() ?? nowIso();
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: id,
    ce_type: definition.type,
    ce_source: definition.source,
    ce_time: time,
    ce_schemaversion: String(checks.schemaVersion),
    'content-type': definition.contentType,
    traceparent: options.traceparent ?? newTraceparent(),
  };
  if (key !== null) headers.ce_subject = key;
  if (options.tracestate) headers.tracestate = options.tracestate;
  if (event.headers !== undefined || checks.requiredHeaders !== undefined) {
    addApplicationHeaders(definition.type, checks, event.headers ?? {}, headers);
  } else {
    // Headers built here from a fresh UUID, the clock and a fresh trace context hold by construction;
    // the contract's header schema is checked when a caller supplied one of them.
    const supplied =
      options.id !== undefined ||
      options.traceparent !== undefined ||
      options.tracestate !== undefined ||
      context.newId !== undefined;
    if (supplied && checks.validateHeaders && !checks.validateHeaders(headers)) {
      throw new EventValidationError(event.type, 'headers', violations(checks.validateHeaders.errors));
    }
  }
  return {
    id,
    type: definition.type,
    schemaVersion: checks.schemaVersion,
    topic: address,
    key,
    headers,
    payload,
    value: JSON.stringify(payload),
  };
}

/** The checks of the version to send: `wanted` (named by the event or pinned), else the current one. */
function versionToSend(
  definition: EventDefinition<string, unknown, unknown>,
  wanted: unknown,
): EventVersionDefinition {
  if (wanted === undefined) return definition as EventVersionDefinition;
  const found = Number.isSafeInteger(wanted) ? eventVersion(definition, wanted as number) : undefined;
  if (found === undefined)
    throw new EventValidationError(definition.type, 'schemaVersion', [
      {
        path: '/schemaVersion',
        schemaPath: '#/x-schema-version',
        message: `is ${JSON.stringify(wanted)}; the contract carries ${definition.type} in ${describeVersions(definition)}`,
      },
    ]);
  return found;
}

/** The key a publisher passed, checked against the contract's key rule: text, or null for none. */
function keyArgument(definition: EventDefinition<string, unknown, unknown>, key: unknown): string | null {
  const rule = definition.keyArgument ?? { required: false, type: 'string' as const };
  const refuse = (message: string): never => {
    throw new EventValidationError(definition.type, 'key', [
      { path: '/key', schemaPath: '#/bindings/kafka/key', message },
    ]);
  };
  if (key === undefined || key === null) return rule.required ? refuse('is required') : null;
  if (rule.type === 'string' && typeof key !== 'string') return refuse(`must be a string, not ${typeof key}`);
  if (rule.type === 'integer' && !Number.isSafeInteger(key)) return refuse('must be a safe integer');
  if (rule.type === 'number' && (typeof key !== 'number' || !Number.isFinite(key)))
    return refuse('must be a finite number');
  if (typeof key !== 'string' && typeof key !== 'number') return refuse(`must be a ${rule.type}`);
  return String(key);
}

const compiledPatterns = new WeakMap<object, RegExp>();

/**
 * The concrete topic of a parameterized channel from the parameters the publisher passed: each one
 * present, in its enum or matching its pattern, and made only of characters Kafka allows in a topic name.
 */
export function topicAddress(
  topic: TopicDefinition,
  parameters: Readonly<Record<string, string>> | undefined,
): string {
  const violations: SchemaViolation[] = [];
  const values = new Map<string, string>();
  for (const parameter of topic.parameters ?? []) {
    const value: unknown = parameters?.[parameter.name];
    const path = `/parameters/${parameter.name}`;
    const schemaPath = `#/parameters/${parameter.name}`;
    if (typeof value !== 'string' || value === '') {
      violations.push({
        path,
        schemaPath,
        message: value === undefined ? 'is required' : 'must be a non-empty string',
      });
      continue;
    }
    if (parameter.enum && !parameter.enum.includes(value)) {
      violations.push({
        path,
        schemaPath: `${schemaPath}/enum`,
        message: `must be one of ${parameter.enum.join(', ')}`,
      });
      continue;
    }
    if (parameter.pattern !== undefined) {
      let pattern = compiledPatterns.get(parameter);
      if (!pattern) {
        pattern = new RegExp(parameter.pattern, 'u');
        compiledPatterns.set(parameter, pattern);
      }
      if (!pattern.test(value)) {
        violations.push({
          path,
          schemaPath: `${schemaPath}/pattern`,
          message: `must match ${parameter.pattern}`,
        });
        continue;
      }
    }
    if (!hasOnlyTopicNameCharacters(value)) {
      violations.push({
        path,
        schemaPath,
        message: 'may hold only ASCII letters, digits, ".", "_" and "-" (a Kafka topic name)',
      });
      continue;
    }
    values.set(parameter.name, value);
  }
  const address = fillTemplate(topic.name, (name) => values.get(name));
  if (violations.length === 0 && address.length > MAX_TOPIC_NAME_LENGTH)
    violations.push({
      path: '/parameters',
      schemaPath: '#/parameters',
      message: `make a topic name of ${address.length} characters (at most ${MAX_TOPIC_NAME_LENGTH})`,
    });
  if (violations.length > 0) throw new EventValidationError(topic.name, 'parameters', violations);
  return address;
}

/**
 * Checks a caller's application headers against the contract with their typed values (beside the
 * envelope built so far), then adds each one to `headers` as text, by the codec the generator chose.
 * Throws `EventValidationError` naming every header refused; `headers` is then not to be used.
 */
function addApplicationHeaders(
  type: string,
  definition: EventVersionDefinition,
  supplied: Readonly<Record<string, unknown>>,
  headers: Record<string, string>,
): void {
  const refused: SchemaViolation[] = [];
  const typed: Record<string, unknown> = { ...headers };
  for (const name of Object.keys(supplied)) {
    if (isEnvelopeHeader(name)) {
      refused.push({
        path: `/${pointerSegment(name)}`,
        schemaPath: '#/envelope',
        message:
          'is an envelope header the runtime sets; it cannot be an application header (id, time, traceparent and tracestate are publish options)',
      });
    } else if (supplied[name] !== undefined) {
      typed[name] = supplied[name];
    }
  }
  if (refused.length === 0 && definition.validateHeaders && !definition.validateHeaders(typed)) {
    refused.push(...violations(definition.validateHeaders.errors));
  }
  if (refused.length === 0) {
    const fields = definition.headerFields;
    for (const name of Object.keys(typed)) {
      if (Object.hasOwn(headers, name)) continue;
      const codec = fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : undefined;
      const text = encodeHeader(codec, typed[name]);
      if (text === MISFIT) {
        refused.push({
          path: `/${pointerSegment(name)}`,
          schemaPath: '#/x-header-codec',
          message: `is not ${describeCodec(codec)}`,
        });
      } else {
        headers[name] = text;
      }
    }
  }
  if (refused.length > 0) throw new EventValidationError(type, 'headers', refused);
}

/** A header name as one JSON pointer segment (`~` and `/` escaped). */
export function pointerSegment(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The clock as ISO 8601, formatted once per millisecond (a batch of events shares it). */
let lastMs = -1;
let lastIso = '';
function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** A new W3C trace context (version 00, sampled) for an event published outside any trace. */
export function newTraceparent(): string {
  const hex = randomHex(24);
  return `00-${hex.slice(0, 32)}-${hex.slice(32)}-01`;
}

/**
 * Random hex drawn from a pooled string: one `randomBytes` call and one hex encoding per 4 KiB
 * instead of two of each per event. Each draw takes fresh characters; none is handed out twice.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = '';
let randomOffset = 0;
function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (randomOffset + chars > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES).toString('hex');
    randomOffset = 0;
  }
  const hex = randomPool.slice(randomOffset, randomOffset + chars);
  randomOffset += chars;
  return hex;
}

/** ajv errors as schema paths a person can act on: missing and unknown fields named by their own path. */
export function violations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  return (errors ?? []).map((e) => {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      return {
        path: `${e.instancePath}/${String(params.missingProperty)}`,
        schemaPath: e.schemaPath,
        message: 'is required',
      };
    }
    if (e.keyword === 'additionalProperties') {
      return {
        path: `${e.instancePath}/${String(params.additionalProperty)}`,
        schemaPath: e.schemaPath,
        message: 'is not a field of the contract',
      };
    }
    return { path: e.instancePath || '/', schemaPath: e.schemaPath, message: e.message ?? e.keyword };
  });
}
