import { addressTemplateProblem } from '../../runtime/topics/topic-name.ts';
import type { SourceLocation } from '../parse/locate.ts';
import type { TopicModel, TopicParameter } from './catalog.ts';
import { evolutionOf } from './evolution.ts';
import { parseRuntimeExpression } from './runtime-expression.ts';
import { byKey, type DocumentScope, intOr, isJson, type Json, opt, str, writtenAddress } from './scope.ts';

/** A topic as one document defines it, before the link step merges documents. */
export type TopicDraft = Omit<
  TopicModel,
  'events' | 'producers' | 'consumerGroups' | 'kind' | 'deadLetterFor' | 'deadLetterOrigin'
>;

export interface ChannelResult {
  readonly draft: TopicDraft;
  /** Identifies the definition: two documents defining one topic differently disagree. */
  readonly fingerprint: string;
  /** Messages the channel carries, by key. */
  readonly messages: readonly [string, Json][];
}

/**
 * The Kafka topic a channel stands for: `bindings.kafka.topic`, else its
 * address, mapped through the config's `topicNames`. Undefined for a channel
 * without one (a dynamic reply channel, `address: null`).
 */
export function channelTopic(channel: Json, scope: Pick<DocumentScope, 'config'>): string | undefined {
  const written = writtenAddress(channel);
  if (written === undefined) return undefined;
  return scope.config.topicNames[written] ?? written;
}

/** Channel → topic draft: address, parameters, partitions, configuration, dead-letter channel. */
export async function channelToTopic(
  channelId: string,
  channel: Json,
  scope: DocumentScope,
): Promise<ChannelResult | undefined> {
  const { findings } = scope;
  const at = ['channels', channelId];
  const where = await scope.locate(at);
  const address = channelTopic(channel, scope);
  if (address === undefined) {
    findings.convention(
      'unsupported',
      where,
      'a channel without an address (and no bindings.kafka.topic) cannot be mapped to a Kafka topic',
      'the channel (a dynamic reply channel?) and the operations on it are left out of the SDK',
    );
    return undefined;
  }
  const problem = addressTemplateProblem(address);
  if (problem !== undefined) {
    findings.error(
      'invalid-value',
      where,
      `address "${address}" cannot be a Kafka topic name: ${problem}; set bindings.kafka.topic on the channel, or map the address in contract-events.config.json "topicNames"`,
    );
    return undefined;
  }
  const kafka = (
    isJson(channel.bindings) && isJson(channel.bindings.kafka) ? channel.bindings.kafka : {}
  ) as Json;
  const deadLetterTopic = await deadLetterChannel(channel['x-dead-letter-channel'], [...at], scope);
  const parameters = await channelParameters(channel, at, where, address, scope);
  const partitions = intOr(kafka.partitions, undefined);
  const replicas = intOr(kafka.replicas, undefined);
  if (partitions === undefined || replicas === undefined) {
    findings.warning(
      'missing-field',
      where,
      `bindings.kafka should give partitions and replicas; using ${partitions ?? 1} partition(s) and ${replicas ?? 1} replica(s)`,
    );
  }
  const draft: TopicDraft = {
    channelId,
    address,
    parameters,
    ...opt('title', str(channel.title)),
    ...opt('description', str(channel.description)),
    partitions: partitions ?? 1,
    replicas: replicas ?? 1,
    config: topicConfig(kafka.topicConfiguration),
    ...opt('deadLetterTopic', deadLetterTopic),
    owner: scope.context,
    location: where,
    ...(await evolutionOf(channel, at, scope)),
  };
  const messages = Object.entries((isJson(channel.messages) ? channel.messages : {}) as Record<string, Json>);
  const fingerprint = JSON.stringify({
    ...draft,
    channelId: undefined,
    owner: undefined,
    location: undefined,
    compatibility: undefined,
    breakingChanges: undefined,
    messages: messages.map(([key]) => key).sort(),
  });
  return { draft, fingerprint, messages };
}

/** The topic an `x-dead-letter-channel` (a `$ref` to a channel) names; undefined when absent or broken (reported). */
export async function deadLetterChannel(
  value: unknown,
  at: (string | number)[],
  scope: DocumentScope,
): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const topic = isJson(value) ? channelTopic(value, scope) : undefined;
  if (topic === undefined) {
    scope.findings.error(
      'invalid-value',
      await scope.locate([...at, 'x-dead-letter-channel']),
      'x-dead-letter-channel must be a $ref to a channel with an address',
    );
  }
  return topic;
}

async function channelParameters(
  channel: Json,
  at: readonly string[],
  where: SourceLocation,
  address: string,
  scope: DocumentScope,
): Promise<TopicParameter[]> {
  const parameters: TopicParameter[] = [];
  const declared = (isJson(channel.parameters) ? channel.parameters : {}) as Record<string, Json>;
  for (const [name, param] of Object.entries(declared).sort(byKey)) {
    const paramAt = [...at, 'parameters', name];
    let location: TopicParameter['location'];
    if (typeof param.location === 'string') {
      const parsed = parseRuntimeExpression(param.location);
      if (typeof parsed === 'string')
        scope.findings.error('invalid-value', await scope.locate([...paramAt, 'location']), parsed);
      else location = parsed;
    }
    // AsyncAPI 3 parameters carry enum/default; a 2.x parameter (or `x-pattern`) may carry a schema pattern.
    const schema = isJson(param.schema) ? param.schema : {};
    const values = Array.isArray(param.enum)
      ? param.enum
      : Array.isArray(schema.enum)
        ? schema.enum
        : undefined;
    const pattern = str(param['x-pattern']) ?? str(schema.pattern);
    if (pattern !== undefined) {
      try {
        new RegExp(pattern, 'u');
      } catch (error) {
        scope.findings.error(
          'invalid-value',
          await scope.locate(paramAt),
          `parameter "${name}" has an invalid pattern: ${(error as Error).message}`,
        );
      }
    }
    parameters.push({
      name,
      ...opt('description', str(param.description)),
      ...opt('enum', values?.map(String)),
      ...opt('pattern', pattern),
      ...opt('location', location),
    });
  }
  for (const placeholder of address.matchAll(/\{([^}]+)\}/g)) {
    if (!parameters.some((p) => p.name === placeholder[1])) {
      scope.findings.error(
        'invalid-value',
        where,
        `address "${address}" uses {${placeholder[1]}} but the channel declares no such parameter`,
      );
    }
  }
  return parameters;
}

function topicConfig(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJson(value)) return out;
  for (const [key, v] of Object.entries(value).sort(byKey)) {
    if (key.startsWith('x-')) continue;
    out[key] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}
