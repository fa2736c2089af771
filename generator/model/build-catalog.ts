import path from 'node:path';
import type { Mode } from '../config.ts';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.ts';
import type { LoadedDocument } from '../parse/load-documents.ts';
import { locate, type SourceLocation } from '../parse/locate.ts';
import type { RawFiles } from '../parse/raw-files.ts';
import type {
  Catalog,
  ConsumerGroupModel,
  ContextModel,
  EventExample,
  EventModel,
  JsonSchema,
  RetryPolicy,
  Subscription,
  TopicModel,
  TopicParameter,
} from './catalog.ts';
import { closeCycles } from './close-cycles.ts';
import { parseRuntimeExpression } from './runtime-expression.ts';
import { requiredScalarField } from './schema-path.ts';

export interface BuildOptions {
  /** Root the context's `system` folder is measured from. */
  readonly root: string;
  readonly display: (absPath: string) => string;
  /** Strict: the project's conventions are errors when missing. Lenient: warnings with defaults. */
  readonly mode: Mode;
}

/** The retry policy a receive operation gets when its contract names none. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 200,
  multiplier: 2,
  maxIntervalMs: 5000,
};

type Json = Record<string, unknown>;

interface TopicDraft {
  model: Omit<TopicModel, 'events' | 'producers' | 'consumerGroups' | 'kind' | 'deadLetterFor'>;
  fingerprint: string;
  events: Set<string>;
  producers: Set<string>;
  groups: Set<string>;
}

/**
 * Turns parsed documents into one catalog, checking what AsyncAPI itself does
 * not: partition keys, dead-letter topics, unique event names, examples are
 * checked later against compiled schemas. Pure apart from reading raw files to
 * name locations.
 */
export async function buildCatalog(
  documents: readonly LoadedDocument[],
  raw: RawFiles,
  options: BuildOptions,
): Promise<{ catalog: Catalog; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const report = (
    code: DiagnosticCode,
    where: SourceLocation,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ) =>
    diagnostics.push({ code, severity, message, file: options.display(where.file), pointer: where.pointer });

  const contexts: ContextModel[] = [];
  const topics = new Map<string, TopicDraft>();
  const events = new Map<string, EventModel>();
  const deadLetters = new Map<string, string>();
  const groups = new Map<string, { context: string; description?: string; subscriptions: Subscription[] }>();
  const contextNames = new Map<string, string>();

  for (const { file, document } of documents) {
    const json = document.json() as unknown as Json;
    const name = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
    const system = path.relative(options.root, path.dirname(file)).split(path.sep).join('/');
    const docLocation: SourceLocation = { file, pointer: '#' };
    const previous = contextNames.get(name);
    if (previous !== undefined) {
      report(
        'duplicate-name',
        docLocation,
        `context "${name}" is also defined by ${options.display(previous)}; document file names must be unique`,
      );
      continue;
    }
    contextNames.set(name, file);
    const info = (json.info ?? {}) as Json;
    const source = typeof json.id === 'string' ? json.id : `/${[system, name].filter(Boolean).join('/')}`;
    contexts.push({
      name,
      system,
      source,
      title: str(info.title) ?? name,
      version: str(info.version) ?? '0.0.0',
      ...opt('description', str(info.description)),
      location: docLocation,
    });

    const channels = (json.channels ?? {}) as Record<string, Json>;
    const channelAddress = new Map<string, string>();
    for (const [channelId, channel] of Object.entries(channels)) {
      const where = await locate(raw, file, ['channels', channelId]);
      const address = topicName(channel);
      if (address === undefined) {
        report(
          'unsupported',
          where,
          'a channel without an address (and no bindings.kafka.topic) cannot be mapped to a Kafka topic',
        );
        continue;
      }
      channelAddress.set(channelId, address);
      const kafka = ((channel.bindings as Json | undefined)?.kafka ?? {}) as Json;
      const dlqChannel = channel['x-dead-letter-channel'] as Json | undefined;
      let deadLetterTopic: string | undefined;
      if (dlqChannel !== undefined) {
        deadLetterTopic = dlqChannel && typeof dlqChannel === 'object' ? topicName(dlqChannel) : undefined;
        if (deadLetterTopic === undefined) {
          report(
            'invalid-value',
            await locate(raw, file, ['channels', channelId, 'x-dead-letter-channel']),
            'x-dead-letter-channel must be a $ref to a channel with an address',
          );
        } else {
          deadLetters.set(deadLetterTopic, address);
        }
      }
      const parameters: TopicParameter[] = [];
      for (const [paramName, param] of Object.entries(
        (channel.parameters ?? {}) as Record<string, Json>,
      ).sort(byKey)) {
        let location: TopicParameter['location'];
        if (typeof param.location === 'string') {
          const parsed = parseRuntimeExpression(param.location);
          if (typeof parsed === 'string') {
            report(
              'invalid-value',
              await locate(raw, file, ['channels', channelId, 'parameters', paramName, 'location']),
              parsed,
            );
          } else location = parsed;
        }
        parameters.push({
          name: paramName,
          ...opt('description', str(param.description)),
          ...opt('enum', Array.isArray(param.enum) ? param.enum.map(String) : undefined),
          ...opt('location', location),
        });
      }
      for (const placeholder of address.matchAll(/\{([^}]+)\}/g)) {
        if (!parameters.some((p) => p.name === placeholder[1])) {
          report(
            'invalid-value',
            where,
            `address "${address}" uses {${placeholder[1]}} but the channel declares no such parameter`,
          );
        }
      }
      const partitions = intOr(kafka.partitions, undefined);
      const replicas = intOr(kafka.replicas, undefined);
      if (partitions === undefined || replicas === undefined) {
        report(
          'missing-field',
          where,
          `bindings.kafka should give partitions and replicas; using ${partitions ?? 1} partition(s) and ${replicas ?? 1} replica(s)`,
          'warning',
        );
      }
      const draft: TopicDraft['model'] = {
        channelId,
        address,
        parameters,
        ...opt('title', str(channel.title)),
        ...opt('description', str(channel.description)),
        partitions: partitions ?? 1,
        replicas: replicas ?? 1,
        config: topicConfig(kafka.topicConfiguration),
        ...opt('deadLetterTopic', deadLetterTopic),
        owner: name,
        location: where,
      };
      const fingerprint = JSON.stringify({
        ...draft,
        channelId: undefined,
        owner: undefined,
        location: undefined,
        messages: Object.keys((channel.messages ?? {}) as Json).sort(),
      });
      const existing = topics.get(address);
      if (existing) {
        if (existing.fingerprint !== fingerprint) {
          report(
            'duplicate-topic',
            where,
            `topic "${address}" is also defined differently at ${options.display(existing.model.location.file)} ${existing.model.location.pointer}; reference that channel with $ref instead of repeating it`,
          );
        }
        // A channel defined in this very file wins ownership over one seen through a $ref.
        const ownedByItsWriter = existing.model.location.file === contextNames.get(existing.model.owner);
        if (!ownedByItsWriter && where.file === file) existing.model = draft;
      } else {
        topics.set(address, {
          model: draft,
          fingerprint,
          events: new Set(),
          producers: new Set(),
          groups: new Set(),
        });
      }
      const topic = topics.get(address)!;

      for (const [messageKey, message] of Object.entries((channel.messages ?? {}) as Record<string, Json>)) {
        const messagePath = ['channels', channelId, 'messages', messageKey];
        const at = await locate(raw, file, messagePath);
        const event = await eventFrom(
          message,
          messageKey,
          address,
          name,
          source,
          at,
          file,
          messagePath,
          str(json.defaultContentType),
        );
        if (!event) continue;
        topic.events.add(event.name);
        const known = events.get(event.name);
        if (known) {
          if (known.location.file !== at.file || known.location.pointer !== at.pointer) {
            report(
              'duplicate-event',
              at,
              `event "${event.name}" is already defined at ${options.display(known.location.file)} ${known.location.pointer}; event names must be unique across all contracts`,
            );
          }
          continue;
        }
        events.set(event.name, event);
      }
    }

    const operations = (json.operations ?? {}) as Record<string, Json>;
    for (const [operationId, operation] of Object.entries(operations)) {
      const where = await locate(raw, file, ['operations', operationId]);
      const channel = operation.channel as Json | undefined;
      const address = channel ? topicName(channel) : undefined;
      const topic = address ? topics.get(address) : undefined;
      if (!address || !topic) {
        report(
          'unresolved-ref',
          where,
          "the operation's channel does not resolve to a channel of this document",
        );
        continue;
      }
      const listed = Array.isArray(operation.messages) ? (operation.messages as Json[]) : [];
      const messageNames = (
        listed.length > 0 ? listed : Object.values((channel?.messages ?? {}) as Record<string, Json>)
      )
        .map((m) => str(m.name) ?? str(m['x-parser-message-name']) ?? str(m['x-parser-unique-object-id']))
        .filter((n): n is string => n !== undefined);
      if (operation.action === 'send') {
        topic.producers.add(name);
      } else if (operation.action === 'receive') {
        const kafka = ((operation.bindings as Json | undefined)?.kafka ?? {}) as Json;
        const groupId = schemaConstant(kafka.groupId) ?? name;
        if (schemaConstant(kafka.groupId) === undefined) {
          report(
            'missing-field',
            where,
            `receive operation has no bindings.kafka.groupId; using the context name "${name}" as the consumer group`,
            'warning',
          );
        }
        const retry = await retryPolicy(operation['x-retry'] ?? (channel as Json)['x-retry'], file, [
          'operations',
          operationId,
          'x-retry',
        ]);
        const group = groups.get(groupId) ?? { context: name, subscriptions: [] };
        if (group.context !== name) {
          report(
            'duplicate-name',
            where,
            `consumer group "${groupId}" is already used by context "${group.context}"; a consumer group belongs to one context`,
          );
          continue;
        }
        if (group.subscriptions.some((s) => s.topic === address)) {
          report(
            'duplicate-name',
            where,
            `consumer group "${groupId}" already has a receive operation on "${address}"; list every event it handles in one operation`,
          );
          continue;
        }
        groups.set(groupId, group);
        group.subscriptions.push({
          topic: address,
          events: [...new Set(messageNames)].sort(),
          retry,
          operationId,
          location: where,
        });
        topic.groups.add(groupId);
      } else {
        report('invalid-value', where, `unknown action ${JSON.stringify(operation.action)}`);
      }
    }
  }

  const topicModels: TopicModel[] = [...topics.values()]
    .map(({ model, events: evs, producers, groups: gs }) => {
      const deadLetterFor = deadLetters.get(model.address);
      return {
        ...model,
        kind: deadLetterFor !== undefined ? ('dead-letter' as const) : ('event' as const),
        ...opt('deadLetterFor', deadLetterFor),
        events: [...evs].sort(),
        producers: [...producers].sort(),
        consumerGroups: [...gs].sort(),
      };
    })
    .sort((a, b) => a.address.localeCompare(b.address));

  for (const topic of topicModels) {
    if (topic.consumerGroups.length > 0 && topic.deadLetterTopic === undefined) {
      report(
        'missing-dead-letter',
        topic.location,
        `topic "${topic.address}" is consumed by ${topic.consumerGroups.join(', ')} but declares no dead-letter topic; add x-dead-letter-channel: { $ref: '#/channels/<its .dlq channel>' }`,
      );
    }
    if (topic.deadLetterTopic !== undefined && !topics.has(topic.deadLetterTopic)) {
      report(
        'unresolved-ref',
        topic.location,
        `dead-letter topic "${topic.deadLetterTopic}" is not a channel of any document`,
      );
    }
    if (topic.kind === 'dead-letter' && topic.events.length > 0) {
      report(
        'invalid-value',
        topic.location,
        'a dead-letter channel carries the original records as they were; it must not declare messages of its own',
        'warning',
      );
    }
    if (topic.parameters.length > 0 && topic.consumerGroups.length > 0) {
      report(
        'unsupported',
        topic.location,
        `consuming the parameterized channel "${topic.address}" is not supported yet: subscribe to concrete topics instead`,
      );
    }
    for (const parameter of topic.parameters) {
      if (parameter.location === undefined || parameter.location.source !== 'payload') {
        report(
          'unsupported',
          { file: topic.location.file, pointer: `${topic.location.pointer}/parameters/${parameter.name}` },
          `parameter "${parameter.name}" of "${topic.address}" needs a location of the form $message.payload#/<field>, so the publisher can derive the topic from the event`,
        );
        continue;
      }
      for (const eventName of topic.events) {
        const event = events.get(eventName);
        const field = event ? requiredScalarField(event.payload, parameter.location.path) : undefined;
        if (event && field && !field.ok) {
          report(
            'invalid-value',
            event.location,
            `parameter "${parameter.name}" of "${topic.address}" comes from ${parameter.location.expression}, but in "${eventName}" ${field.reason}`,
          );
        }
      }
    }
  }

  const consumerGroups: ConsumerGroupModel[] = [...groups.entries()]
    .map(([groupId, g]) => ({
      groupId,
      context: g.context,
      subscriptions: [...g.subscriptions].sort((a, b) => a.topic.localeCompare(b.topic)),
    }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId));

  return {
    diagnostics,
    catalog: {
      contexts: contexts.sort((a, b) => a.name.localeCompare(b.name)),
      topics: topicModels,
      // An event belongs to the context that owns its topic, whichever document mentioned it first.
      events: [...events.values()]
        .map((e) => {
          const owner = topics.get(e.topic)?.model.owner ?? e.owner;
          const source = contexts.find((c) => c.name === owner)?.source ?? e.source;
          return { ...e, owner, source };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
      consumerGroups,
    },
  };

  async function eventFrom(
    message: Json,
    messageKey: string,
    topic: string,
    owner: string,
    source: string,
    at: SourceLocation,
    file: string,
    messagePath: readonly string[],
    defaultContentType: string | undefined,
  ): Promise<EventModel | undefined> {
    const name = str(message.name) ?? messageKey;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      report(
        'invalid-value',
        at,
        `event name "${name}" must start with a letter and hold only letters, digits and underscores`,
      );
      return undefined;
    }
    const payloadFormat = schemaFormatOf(message.payload);
    const payload = unwrapSchema(message.payload) ?? true;
    const headers = unwrapSchema(message.headers);
    for (const [part, schema] of [
      ['payload', message.payload],
      ['headers', message.headers],
    ] as const) {
      const base = [...messagePath, part, ...(schemaFormatOf(schema) !== undefined ? ['schema'] : [])];
      const { unresolved } = await closeCycles(unwrapSchema(schema), base, (segments) =>
        locate(raw, file, segments),
      );
      for (const u of unresolved) {
        report(
          'unresolved-ref',
          await locate(raw, file, u.segments),
          `$ref "${u.ref}" in the ${part} of "${name}" could not be resolved`,
        );
      }
    }
    const contentType = str(message.contentType) ?? defaultContentType ?? 'application/json';
    if (!/^application\/(.+\+)?json$/.test(contentType)) {
      const where = str(message.contentType)
        ? await locate(raw, file, [...messagePath, 'contentType'])
        : { file, pointer: '#/defaultContentType' };
      report(
        'unsupported',
        where,
        `content type "${contentType}" of "${name}" is not supported: events travel as JSON (application/json)`,
      );
      return undefined;
    }
    if (payloadFormat !== undefined && !/json|asyncapi/i.test(payloadFormat)) {
      report(
        'unsupported',
        at,
        `the payload of "${name}" is declared in ${payloadFormat}; it is typed and validated through its JSON Schema form and travels as JSON, not in that format's binary encoding`,
        'warning',
      );
    }
    const keyExpression = message['x-partition-key'];
    if (typeof keyExpression !== 'string') {
      report(
        'partition-key',
        at,
        `event "${name}" declares no x-partition-key (e.g. '$message.payload#/user_id'); every event needs a partition key so that its order per key holds`,
      );
      return undefined;
    }
    const keyAt = await locate(raw, file, [...messagePath, 'x-partition-key']);
    const expression = parseRuntimeExpression(keyExpression);
    if (typeof expression === 'string') {
      report('partition-key', keyAt, expression);
      return undefined;
    }
    if (expression.source !== 'payload') {
      report(
        'unsupported',
        keyAt,
        'partition keys from headers are not supported: point x-partition-key at a payload field',
      );
      return undefined;
    }
    const field = requiredScalarField(payload, expression.path);
    if (!field.ok) {
      report(
        'partition-key',
        keyAt,
        `x-partition-key ${expression.expression} of "${name}" is invalid: ${field.reason}`,
      );
      return undefined;
    }
    const versionRaw = message['x-schema-version'] ?? 1;
    const schemaVersion = intOr(versionRaw, undefined);
    if (schemaVersion === undefined || schemaVersion < 1) {
      report(
        'invalid-value',
        await locate(raw, file, [...messagePath, 'x-schema-version']),
        'x-schema-version must be a positive integer',
      );
      return undefined;
    }
    const examples: EventExample[] = (
      Array.isArray(message.examples) ? (message.examples as Json[]) : []
    ).map((ex) => ({
      ...opt('name', str(ex.name)),
      ...opt('summary', str(ex.summary)),
      payload: ex.payload,
      ...opt('headers', ex.headers),
    }));
    const keySchema = ((message.bindings as Json | undefined)?.kafka as Json | undefined)?.key as
      | JsonSchema
      | undefined;
    return {
      name,
      topic,
      owner,
      source,
      schemaVersion,
      ...opt('title', str(message.title)),
      ...opt('summary', str(message.summary)),
      ...opt('description', str(message.description)),
      contentType,
      payload,
      ...opt('headers', headers),
      ...opt('keySchema', keySchema),
      partitionKey: expression,
      partitionKeyType: field.type,
      examples,
      deprecated: message.deprecated === true,
      location: at,
    };
  }

  async function retryPolicy(value: unknown, file: string, at: readonly string[]): Promise<RetryPolicy> {
    if (value === undefined) return DEFAULT_RETRY;
    const v = (value ?? {}) as Json;
    const backoff = (v.backoff ?? {}) as Json;
    let policy: RetryPolicy = {
      maxAttempts: intOr(v.maxAttempts, DEFAULT_RETRY.maxAttempts) ?? DEFAULT_RETRY.maxAttempts,
      initialIntervalMs:
        intOr(backoff.initialIntervalMs, DEFAULT_RETRY.initialIntervalMs) ?? DEFAULT_RETRY.initialIntervalMs,
      multiplier: typeof backoff.multiplier === 'number' ? backoff.multiplier : DEFAULT_RETRY.multiplier,
      maxIntervalMs: intOr(backoff.maxIntervalMs, DEFAULT_RETRY.maxIntervalMs) ?? DEFAULT_RETRY.maxIntervalMs,
    };
    const nonRetryable = v.nonRetryable;
    if (nonRetryable !== undefined) {
      const names = Array.isArray(nonRetryable) ? nonRetryable : [];
      if (
        !Array.isArray(nonRetryable) ||
        !names.every((n): n is string => typeof n === 'string' && /^[A-Za-z_$][\w$.]*$/.test(n))
      ) {
        report(
          'invalid-value',
          await locate(raw, file, [...at, 'nonRetryable']),
          `x-retry nonRetryable ${JSON.stringify(nonRetryable)} is invalid: a list of error class names (e.g. [PermissionRuleViolation])`,
        );
      } else if (names.length > 0) {
        policy = { ...policy, nonRetryable: [...new Set(names as string[])].sort() };
      }
    }
    if (
      policy.maxAttempts < 1 ||
      policy.initialIntervalMs < 0 ||
      policy.multiplier < 1 ||
      policy.maxIntervalMs < policy.initialIntervalMs
    ) {
      report(
        'invalid-value',
        await locate(raw, file, at),
        `x-retry ${JSON.stringify(value)} is invalid: maxAttempts >= 1, initialIntervalMs >= 0, multiplier >= 1, maxIntervalMs >= initialIntervalMs`,
      );
    }
    return policy;
  }
}

/** A message's payload or headers: a schema, or a multi-format schema object whose `schema` the parser converted to JSON Schema. */
function unwrapSchema(value: unknown): JsonSchema | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && 'schemaFormat' in value && 'schema' in value)
    return (value as Json).schema as JsonSchema;
  return value as JsonSchema;
}

function schemaFormatOf(value: unknown): string | undefined {
  return value && typeof value === 'object' && 'schemaFormat' in value
    ? str((value as Json).schemaFormat)
    : undefined;
}

function topicName(channel: Json): string | undefined {
  const kafka = ((channel.bindings as Json | undefined)?.kafka ?? {}) as Json;
  return str(kafka.topic) ?? str(channel.address);
}

function topicConfig(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value).sort(byKey)) {
    if (key.startsWith('x-')) continue;
    out[key] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/** The single value a Kafka binding schema pins (`const`, a one-entry `enum`, or `default`). */
function schemaConstant(schema: unknown): string | undefined {
  if (typeof schema === 'string') return schema;
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Json;
  if (typeof s.const === 'string') return s.const;
  if (Array.isArray(s.enum) && s.enum.length === 1 && typeof s.enum[0] === 'string') return s.enum[0];
  return str(s.default);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function intOr(v: unknown, fallback: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0].localeCompare(b[0]);
}

/** `{ [key]: value }` when value is defined, `{}` otherwise: keeps optional fields absent rather than undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
