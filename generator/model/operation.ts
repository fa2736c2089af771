import type { SourceLocation } from '../parse/locate.ts';
import type { RetryPolicy } from './catalog.ts';
import { channelTopic, deadLetterChannel } from './channel.ts';
import { DEFAULT_RETRY, retryPolicy } from './retry.ts';
import { type DocumentScope, isJson, type Json, schemaConstant, str } from './scope.ts';

/** What one operation makes its document's context: a producer of a topic, or a consumer group on it. */
export type Role =
  | { readonly action: 'send'; readonly topic: string; readonly context: string }
  | {
      readonly action: 'receive';
      readonly topic: string;
      readonly context: string;
      readonly groupId: string;
      /** Event names the operation lists (all of the channel's when it lists none). */
      readonly events: readonly string[];
      readonly retry: RetryPolicy;
      /** The consuming document's own `x-dead-letter-channel` on the operation, when it declares one. */
      readonly deadLetterTopic?: string;
      readonly operationId: string;
      readonly location: SourceLocation;
    };

/**
 * Operation → role (AsyncAPI 3 perspective: a document speaks for its own
 * application, `send` is what it publishes, `receive` what it consumes).
 * Undefined when the operation is left out (reported).
 */
export async function operationToRole(
  operationId: string,
  operation: Json,
  scope: DocumentScope,
  leftOut: ReadonlySet<unknown>,
  eventNames: ReadonlyMap<unknown, string>,
): Promise<Role | undefined> {
  const at = ['operations', operationId];
  const where = await scope.locate(at);
  const channel = isJson(operation.channel) ? operation.channel : undefined;
  if (channel !== undefined && leftOut.has(channel)) return undefined; // its channel was left out, and said so
  const topic = channel ? channelTopic(channel, scope) : undefined;
  if (topic === undefined) {
    scope.findings.error(
      'unresolved-ref',
      where,
      "the operation's channel does not resolve to a channel of this document",
    );
    return undefined;
  }
  if (operation.reply !== undefined) {
    scope.findings.warning(
      'unsupported',
      await scope.locate([...at, 'reply']),
      'request/reply is not generated: the operation is generated as a one-way message; give the reply its own channel and operation to type it',
    );
  }
  if (operation.action === 'send') return { action: 'send', topic, context: scope.context };
  if (operation.action !== 'receive') {
    scope.findings.error('invalid-value', where, `unknown action ${JSON.stringify(operation.action)}`);
    return undefined;
  }
  const kafka = (
    isJson(operation.bindings) && isJson(operation.bindings.kafka) ? operation.bindings.kafka : {}
  ) as Json;
  const pinned = schemaConstant(kafka.groupId);
  if (pinned === undefined) {
    scope.findings.warning(
      'missing-field',
      where,
      `receive operation has no bindings.kafka.groupId; using the context name "${scope.context}" as the consumer group`,
    );
  }
  const listed = Array.isArray(operation.messages) ? (operation.messages as Json[]) : [];
  const events = (
    listed.length > 0 ? listed : Object.values((channel?.messages ?? {}) as Record<string, Json>)
  )
    .map(
      (m) =>
        eventNames.get(m) ??
        str(m.name) ??
        str(m['x-parser-message-name']) ??
        str(m['x-parser-unique-object-id']),
    )
    .filter((n): n is string => n !== undefined);
  const retry =
    (await retryPolicy(operation['x-retry'] ?? channel?.['x-retry'], [...at, 'x-retry'], scope)) ??
    DEFAULT_RETRY;
  const deadLetterTopic = await deadLetterChannel(operation['x-dead-letter-channel'], [...at], scope);
  return {
    action: 'receive',
    topic,
    context: scope.context,
    groupId: pinned ?? scope.context,
    events: [...new Set(events)].sort(),
    retry,
    ...(deadLetterTopic === undefined ? {} : { deadLetterTopic }),
    operationId,
    location: where,
  };
}
