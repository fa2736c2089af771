/**
 * What a consumer group does with one record, decided from its bytes and the
 * contract alone (no I/O): hand it to a handler, skip it, or dead-letter it
 * at once. The event type comes from the `ce_type` header, never from the payload.
 *
 * Order of checks: the envelope headers are UTF-8 text → `ce_type` names an event the topic
 * carries → the group subscribes to it (else skipped) → the value is UTF-8 JSON
 * → typed application headers decode from their text (`EventDefinition.headerFields`)
 * → `ce_schemaversion` names a version of the event this consumer was generated
 * with (absent: the current one) → headers and payload validate against that
 * version's schemas.
 */
import type {
  EventDefinition,
  EventVersionDefinition,
  SubscriptionDefinition,
} from '../contract/definitions.ts';
import type { ReceivedEvent } from '../contract/events.ts';
import { type HeaderFields, isEnvelopeHeader } from '../contract/headers.ts';
import { describeVersions, eventVersion } from '../contract/versions.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import { EventValidationError, type SchemaViolation, UnknownEventTypeError } from '../produce/errors.ts';
import { decodeHeader, describeCodec, MISFIT } from '../produce/header-codec.ts';
import { pointerSegment, violations } from '../produce/prepare-event.ts';
import { parametersOf } from '../topics/address-template.ts';
import type { DeadLetterReason } from './dead-letter.ts';
import { UndecodableRecordError } from './errors.ts';

export type AnyReceivedEvent = ReceivedEvent<string, unknown, unknown>;

export type Decision =
  | { readonly kind: 'dispatch'; readonly event: AnyReceivedEvent }
  | { readonly kind: 'skip'; readonly type: string }
  | {
      readonly kind: 'dead-letter';
      readonly reason: DeadLetterReason;
      readonly error: Error;
      /** The `ce_type` header when it could be read. */
      readonly type: string | undefined;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Replaces the text of each header in `fields` present in `headers` by its value (a number, a
 * boolean, a JSON value); text that does not decode is a violation naming the header. A header the
 * record lacks stays absent.
 */
function decodeTypedHeaders(
  fields: HeaderFields,
  headers: Record<string, unknown>,
  refused: SchemaViolation[],
): void {
  for (const name of Object.keys(fields)) {
    const text = headers[name];
    if (typeof text !== 'string') continue;
    const codec = fields[name]!;
    const value = decodeHeader(codec, text);
    if (value === MISFIT) {
      const segment = pointerSegment(name);
      refused.push({
        path: `/${segment}`,
        schemaPath: `#/properties/${segment}`,
        message: `is ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}, not ${describeCodec(codec)}`,
      });
    } else {
      headers[name] = value;
    }
  }
}

function deadLetter(reason: DeadLetterReason, error: Error, type: string | undefined): Decision {
  return { kind: 'dead-letter', reason, error, type };
}

export function decide(record: ConsumedRecord, subscription: SubscriptionDefinition): Decision {
  // Text as received; `decodeTypedHeaders` later replaces the typed application headers (never the envelope) by their values.
  const headers: Record<string, string> = {};
  for (const key in record.headers) {
    const bytes = record.headers[key];
    if (bytes === undefined) continue;
    const value = decodeText(bytes);
    if (value !== undefined) {
      headers[key] = value;
    } else if (isEnvelopeHeader(key)) {
      return deadLetter(
        'undecodable',
        new UndecodableRecordError('headers', `header ${key} is not UTF-8 text`),
        undefined,
      );
    }
    // Other binary headers (Spring's kafka_dlt-* on a replayed dead letter, tracing libraries) are
    // not the contract's business: left out of the event's headers, kept in any dead letter.
  }

  const type = headers.ce_type;
  const topic = subscription.topic;
  const definition = type
    ? (topic.events as Readonly<Record<string, EventDefinition<string, unknown, unknown> | undefined>>)[type]
    : undefined;
  if (type === undefined || definition === undefined || !Object.hasOwn(topic.events, type)) {
    return deadLetter(
      'unknown-type',
      new UnknownEventTypeError(record.topic, type ?? '(no ce_type header)'),
      type,
    );
  }
  if (!subscription.events.includes(type)) return { kind: 'skip', type };

  if (record.value === null) {
    return deadLetter(
      'undecodable',
      new UndecodableRecordError('value', 'the value is null (a tombstone), not an event'),
      type,
    );
  }
  const json = decodeText(record.value);
  if (json === undefined) {
    return deadLetter(
      'undecodable',
      new UndecodableRecordError('value', 'the value is not UTF-8 text'),
      type,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch (err) {
    return deadLetter(
      'undecodable',
      new UndecodableRecordError(
        'value',
        `the value is not JSON (${err instanceof Error ? err.message : String(err)})`,
        err,
      ),
      type,
    );
  }

  const headerViolations: SchemaViolation[] = [];
  // The version the record says it was written in (absent: the current one) decides its checks.
  const version = headers.ce_schemaversion;
  let checks: EventVersionDefinition = definition as EventVersionDefinition;
  if (version !== undefined && /^[0-9]+$/.test(version)) {
    const found = eventVersion(definition, Number(version));
    if (found !== undefined) checks = found;
    else
      headerViolations.push({
        path: '/ce_schemaversion',
        schemaPath: '#/x-schema-version',
        message: `is ${version}; this consumer reads ${describeVersions(definition)} of ${type}`,
      });
  }
  // Typed application headers travel as text: read each into its contract type before validation.
  if (checks.headerFields !== undefined) decodeTypedHeaders(checks.headerFields, headers, headerViolations);
  if (headerViolations.length === 0 && checks.validateHeaders && !checks.validateHeaders(headers)) {
    headerViolations.push(...violations(checks.validateHeaders.errors));
  }
  if (!headers.ce_id) {
    headerViolations.push({ path: '/ce_id', schemaPath: '#/required', message: 'is required' });
  }
  if (headerViolations.length > 0) {
    return deadLetter('schema-invalid', new EventValidationError(type, 'headers', headerViolations), type);
  }
  if (!checks.validatePayload(payload)) {
    return deadLetter(
      'schema-invalid',
      new EventValidationError(type, 'payload', violations(checks.validatePayload.errors)),
      type,
    );
  }

  const key = record.key === null ? undefined : decodeText(record.key);
  return {
    kind: 'dispatch',
    event: {
      type,
      id: headers.ce_id!,
      source: headers.ce_source ?? '',
      time: headers.ce_time ?? '',
      schemaVersion: checks.schemaVersion,
      // Keys are UTF-8 text derived from the payload; a key that is not text is derived again.
      key: key ?? definition.partitionKey?.(payload) ?? null,
      payload,
      headers,
      parameters: parametersOf(topic.name, record.topic),
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    },
  };
}
