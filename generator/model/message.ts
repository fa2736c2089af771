import { isEnvelopeHeader } from '../../runtime/contract/headers.ts';
import type { EventExample, EventKey, EventModel, JsonSchema, KeyType } from './catalog.ts';
import { closeCycles } from './close-cycles.ts';
import { evolutionOf } from './evolution.ts';
import { parseRuntimeExpression } from './runtime-expression.ts';
import { requiredScalarField } from './schema-path.ts';
import { type DocumentScope, intOr, isJson, type Json, opt, type Segments, str } from './scope.ts';

/**
 * Message → event: its wire name, schemas (cycles closed), content type,
 * Kafka key rule, schema version and examples. Undefined when the message
 * cannot become an event (reported).
 */
export async function messageToEvent(
  messageKey: string,
  message: Json,
  messagePath: Segments,
  topic: string,
  scope: DocumentScope,
): Promise<EventModel | undefined> {
  const { findings } = scope;
  const at = await scope.locate(messagePath);
  const name = str(message.name) ?? messageKey;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    const rule = `event name "${name}" must start with a letter and hold only letters, digits and underscores`;
    if (
      !findings.convention(
        'invalid-value',
        at,
        rule,
        'the SDK uses a safe identifier; ce_type keeps the name',
      )
    )
      return undefined;
  }
  const payloadFormat = schemaFormatOf(message.payload);
  const payload = unwrapSchema(message.payload) ?? true;
  const rawHeaders = unwrapSchema(message.headers);
  for (const [part, schema] of [
    ['payload', message.payload],
    ['headers', message.headers],
  ] as const) {
    const base = [...messagePath, part, ...(schemaFormatOf(schema) !== undefined ? ['schema'] : [])];
    const { unresolved } = await closeCycles(unwrapSchema(schema), base, (segments) =>
      scope.locate(segments),
    );
    for (const u of unresolved) {
      findings.error(
        'unresolved-ref',
        await scope.locate(u.segments),
        `$ref "${u.ref}" in the ${part} of "${name}" could not be resolved`,
      );
    }
  }

  await nameReferencedSchemas(
    payload,
    [...messagePath, 'payload', ...(payloadFormat !== undefined ? ['schema'] : [])],
    scope,
  );
  const headers =
    scope.findings.mode === 'lenient'
      ? await withoutEnvelope(rawHeaders, name, messagePath, scope)
      : rawHeaders;

  let contentType = str(message.contentType) ?? scope.defaultContentType ?? 'application/json';
  if (!/^application\/(.+\+)?json$/.test(contentType)) {
    const where = str(message.contentType)
      ? await scope.locate([...messagePath, 'contentType'])
      : { file: scope.file, pointer: '#/defaultContentType' };
    const rule = `content type "${contentType}" of "${name}" is not supported: events travel as JSON (application/json)`;
    if (
      !findings.convention('unsupported', where, rule, 'it is sent as JSON (content-type application/json)')
    )
      return undefined;
    contentType = 'application/json';
  }
  // Avro (binary or its own JSON encoding, `application/vnd.apache.avro+json`) and Protobuf have wire
  // encodings of their own; what is sent here is the payload as plain JSON.
  if (payloadFormat !== undefined && /avro|protobuf/i.test(payloadFormat)) {
    findings.warning(
      'unsupported',
      at,
      `the payload of "${name}" is declared in ${payloadFormat}; it is typed and validated through its JSON Schema form and travels as JSON, not in that format's own encoding`,
    );
  }

  const key = await eventKey(message, messagePath, name, payload, at, scope);
  if (key === undefined) return undefined;

  const schemaVersion = intOr(message['x-schema-version'] ?? 1, undefined);
  if (schemaVersion === undefined || schemaVersion < 1) {
    findings.error(
      'invalid-value',
      await scope.locate([...messagePath, 'x-schema-version']),
      'x-schema-version must be a positive integer',
    );
    return undefined;
  }
  const examples: EventExample[] = (Array.isArray(message.examples) ? (message.examples as Json[]) : [])
    .filter(isJson)
    .map((ex) => ({
      ...opt('name', str(ex.name)),
      ...opt('summary', str(ex.summary)),
      payload: ex.payload,
      ...opt('headers', ex.headers),
    }));
  return {
    name,
    topic,
    owner: scope.context,
    source: scope.source,
    schemaVersion,
    ...opt('title', str(message.title)),
    ...opt('summary', str(message.summary)),
    ...opt('description', str(message.description)),
    contentType,
    payload,
    ...opt('headers', headers),
    ...opt('keySchema', kafkaKeySchema(message)),
    key,
    examples,
    deprecated: message.deprecated === true,
    location: at,
    ...(await evolutionOf(message, messagePath, scope)),
  };
}

/**
 * The key rule: the contract's `x-partition-key` (a required scalar payload field). Lenient mode,
 * without one: a typed key argument when `bindings.kafka.key` gives a scalar schema, else an
 * optional key argument (null allowed, as Kafka allows).
 */
async function eventKey(
  message: Json,
  messagePath: Segments,
  name: string,
  payload: JsonSchema,
  at: Awaited<ReturnType<DocumentScope['locate']>>,
  scope: DocumentScope,
): Promise<EventKey | undefined> {
  const { findings } = scope;
  const written = message['x-partition-key'];
  if (written === undefined) {
    const keySchema = kafkaKeySchema(message);
    const keyType = keySchema === undefined ? undefined : scalarType(keySchema);
    const fallback =
      keyType !== undefined
        ? `publishers take the key as a required ${keyType} argument, as bindings.kafka.key declares`
        : `publishers take an optional key argument (none or null: a null Kafka key, no per-key order)${keySchema === undefined ? '' : '; bindings.kafka.key is not a string or number schema'}`;
    const rule = `event "${name}" declares no x-partition-key (e.g. '$message.payload#/user_id'); every event needs a partition key so that its order per key holds`;
    if (!findings.convention('partition-key', at, rule, fallback)) return undefined;
    return keyType !== undefined
      ? { source: 'argument', required: true, type: keyType }
      : { source: 'argument', required: false, type: 'string' };
  }
  const keyAt = await scope.locate([...messagePath, 'x-partition-key']);
  if (typeof written !== 'string') {
    findings.error('partition-key', keyAt, 'x-partition-key must be a runtime expression string');
    return undefined;
  }
  const expression = parseRuntimeExpression(written);
  if (typeof expression === 'string') {
    findings.error('partition-key', keyAt, expression);
    return undefined;
  }
  if (expression.source !== 'payload') {
    findings.error(
      'unsupported',
      keyAt,
      'partition keys from headers are not supported: point x-partition-key at a payload field',
    );
    return undefined;
  }
  const field = requiredScalarField(payload, expression.path);
  if (!field.ok) {
    findings.error(
      'partition-key',
      keyAt,
      `x-partition-key ${expression.expression} of "${name}" is invalid: ${field.reason}`,
    );
    return undefined;
  }
  return { source: 'payload', expression, type: field.type };
}

function kafkaKeySchema(message: Json): JsonSchema | undefined {
  const kafka = isJson(message.bindings) ? message.bindings.kafka : undefined;
  const key = isJson(kafka) ? kafka.key : undefined;
  return key === undefined ? undefined : (unwrapSchema(key) as JsonSchema);
}

/** `string`, `integer` or `number` when the key schema is one of them (an enum of strings is a string). */
function scalarType(schema: JsonSchema): KeyType | undefined {
  if (!isJson(schema)) return undefined;
  const type = schema.type;
  if (type === 'string' || type === 'integer' || type === 'number') return type;
  if (type === undefined && Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string'))
    return 'string';
  return undefined;
}

/** Where the document gives a schema a name of its own: the key it is written under, when `$ref`'d. */
export const CONTRACT_NAME = 'x-contract-name';

/** Keys that are JSON Schema structure, never a name a document gives. */
const STRUCTURAL = new Set([
  'properties',
  'items',
  'prefixItems',
  'additionalProperties',
  'patternProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'schema',
  'payload',
  'headers',
  'definitions',
  '$defs',
  'contains',
  'propertyNames',
  'dependentSchemas',
]);

/** Keywords whose values map names to schemas. */
const MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);

/** Keywords whose values are data, not schemas. */
const DATA = new Set(['enum', 'const', 'examples', 'default', 'example', 'required']);

/**
 * Marks each payload schema the document reaches through a `$ref` with the key it is written
 * under (`common/schemas.yaml#/FeaturePermission` → `FeaturePermission`), so naming can emit it
 * as one named type instead of inlining it at every use. Inline schemas stay anonymous.
 */
async function nameReferencedSchemas(
  schema: JsonSchema,
  base: Segments,
  scope: DocumentScope,
): Promise<void> {
  const seen = new Set<object>();
  const visit = async (node: object, segments: (string | number)[], parent: string | undefined) => {
    if (seen.has(node)) return;
    seen.add(node);
    const at = await scope.locate(segments);
    const here = `${at.file}${at.pointer}`;
    const last = String(segments.at(-1));
    const inline =
      parent === undefined || here === `${parent}/${last.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    // A `properties` (or `$defs`…) object is a map of schemas, not a schema: it gets no name.
    const isMap = MAPS.has(last);
    if (!inline && !isMap && isJson(node) && node[CONTRACT_NAME] === undefined) {
      const written = at.pointer.split('/').at(-1)?.replaceAll('~1', '/').replaceAll('~0', '~');
      if (written && !STRUCTURAL.has(written) && /^[A-Za-z_$][\w$.-]*$/.test(written))
        node[CONTRACT_NAME] = written;
    }
    const children: [string | number, unknown][] = Array.isArray(node)
      ? node.map((v, i): [number, unknown] => [i, v])
      : Object.entries(node);
    for (const [key, child] of children) {
      if (typeof key === 'string' && (key.startsWith('x-') || DATA.has(key))) continue;
      if (child !== null && typeof child === 'object') await visit(child, [...segments, key], here);
    }
  };
  if (schema !== null && typeof schema === 'object') await visit(schema, [...base], undefined);
}

/**
 * Someone else's header schema may describe the CloudEvents headers too (often with one sample
 * value as an enum). The runtime sets those itself, so in lenient mode the SDK leaves them out of
 * the schema (said in a warning) and types and checks the application headers alone.
 */
async function withoutEnvelope(
  headers: JsonSchema | undefined,
  name: string,
  messagePath: Segments,
  scope: DocumentScope,
): Promise<JsonSchema | undefined> {
  if (!isJson(headers) || !isJson(headers.properties)) return headers;
  const envelope = Object.keys(headers.properties).filter(isEnvelopeHeader);
  if (envelope.length === 0) return headers;
  scope.findings.warning(
    'unsupported',
    await scope.locate([...messagePath, 'headers']),
    `the headers of "${name}" describe ${envelope.join(', ')}, which the runtime sets on every record (CloudEvents envelope, trace context); lenient mode: the SDK leaves them out of the header schema`,
  );
  const properties = Object.fromEntries(
    Object.entries(headers.properties).filter(([key]) => !isEnvelopeHeader(key)),
  );
  const required = Array.isArray(headers.required)
    ? headers.required.filter((r) => !envelope.includes(String(r)))
    : undefined;
  return { ...headers, properties, ...(required === undefined ? {} : { required }) };
}

/** A message's payload or headers: a schema, or a multi-format schema object whose `schema` the parser converted to JSON Schema. */
export function unwrapSchema(value: unknown): JsonSchema | undefined {
  if (value === undefined || value === null) return undefined;
  if (isJson(value) && 'schemaFormat' in value && 'schema' in value) return value.schema as JsonSchema;
  return value as JsonSchema;
}

function schemaFormatOf(value: unknown): string | undefined {
  return isJson(value) && 'schemaFormat' in value ? str(value.schemaFormat) : undefined;
}
