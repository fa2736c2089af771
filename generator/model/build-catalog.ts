import type { GeneratorConfig, Mode } from '../config.ts';
import { NO_CONFIG } from '../config.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { LoadedDocument } from '../parse/load-documents.ts';
import type { Catalog, EventModel } from './catalog.ts';
import { type ChannelResult, channelToTopic } from './channel.ts';
import { documentToContext } from './context.ts';
import { Findings } from './findings.ts';
import { type DocumentModel, link } from './link.ts';
import { messageToEvent } from './message.ts';
import { operationToRole, type Role } from './operation.ts';
import { type DocumentScope, isJson, type Json, str } from './scope.ts';

export { DEFAULT_RETRY } from './retry.ts';

export interface BuildOptions {
  /** Root the context's `system` folder is measured from. */
  readonly root: string;
  readonly display: (absPath: string) => string;
  /** Strict: the project's conventions are errors when missing. Lenient: warnings with defaults. */
  readonly mode: Mode;
  readonly config?: GeneratorConfig;
}

/** Protocols this generator produces SDKs for (AsyncAPI Kafka bindings). */
const KAFKA_PROTOCOLS = new Set(['kafka', 'kafka-secure']);

/**
 * Parsed documents → one catalog. One transform per AsyncAPI object
 * (document → context, channel → topic, message → event, operation → role),
 * then one link step across documents. Pure: where each node is written comes
 * from parse (`LoadedDocument.locate`).
 */
export async function buildCatalog(
  documents: readonly LoadedDocument[],
  options: BuildOptions,
): Promise<{ catalog: Catalog; diagnostics: Diagnostic[] }> {
  const findings = new Findings(options.mode, options.display);
  const config = options.config ?? NO_CONFIG;
  const models: DocumentModel[] = [];
  const contextFiles = new Map<string, string>();

  for (const loaded of documents) {
    const { file, document } = loaded;
    const json = document.json() as unknown as Json;
    const docLocation = { file, pointer: '#' };
    const context = { ...documentToContext(file, json, options.root, options.mode), location: docLocation };
    const previous = contextFiles.get(context.name);
    if (previous !== undefined) {
      findings.error(
        'duplicate-name',
        docLocation,
        options.mode === 'strict'
          ? `context "${context.name}" is also defined by ${options.display(previous)}; document file names must be unique`
          : `context "${context.name}" is also defined by ${options.display(previous)}; give the documents distinct info.title or id`,
      );
      continue;
    }
    contextFiles.set(context.name, file);
    const scope: DocumentScope = {
      file,
      json,
      context: context.name,
      source: context.source,
      defaultContentType: str(json.defaultContentType),
      config,
      findings,
      // Parse keeps where each node was written (for a converted 2.x document: the 2.x file and pointer).
      locate: (segments) => loaded.locate(segments),
    };
    if (!(await speaksKafka(scope))) continue;

    const channels: { result: ChannelResult; events: EventModel[] }[] = [];
    const leftOut = new Set<unknown>();
    // Event name of each channel message object, so an operation's messages name the same events.
    const eventNames = new Map<unknown, string>();
    for (const [channelId, channel] of Object.entries((json.channels ?? {}) as Record<string, Json>)) {
      const result = await channelToTopic(channelId, channel, scope);
      if (!result) {
        leftOut.add(channel);
        continue;
      }
      const events: EventModel[] = [];
      for (const [messageKey, message] of result.messages) {
        const event = await messageToEvent(
          messageKey,
          message,
          ['channels', channelId, 'messages', messageKey],
          result.draft.address,
          scope,
        );
        if (event) {
          events.push(event);
          eventNames.set(message, event.name);
        }
      }
      channels.push({ result, events });
    }
    const roles: Role[] = [];
    for (const [operationId, operation] of Object.entries((json.operations ?? {}) as Record<string, Json>)) {
      const role = await operationToRole(operationId, operation, scope, leftOut, eventNames);
      if (role) roles.push(role);
    }
    models.push({ context, channels, roles });
  }

  const catalog = link(models, findings);
  return { catalog, diagnostics: findings.diagnostics };
}

/**
 * False (reported) for a document meant for another protocol: servers that are all MQTT, AMQP, …
 * and no Kafka binding anywhere. Such a document would give topic specifications nobody asked for.
 */
async function speaksKafka(scope: DocumentScope): Promise<boolean> {
  const servers = Object.entries(
    (isJson(scope.json.servers) ? scope.json.servers : {}) as Record<string, Json>,
  );
  const protocols = servers.map(([id, s]) => [id, str(s.protocol)?.toLowerCase()] as const);
  if (protocols.length === 0 || protocols.some(([, p]) => p !== undefined && KAFKA_PROTOCOLS.has(p)))
    return true;
  const hasKafka = (node: unknown) =>
    isJson(node) && isJson(node.bindings) && node.bindings.kafka !== undefined;
  const channels = Object.values(
    (isJson(scope.json.channels) ? scope.json.channels : {}) as Record<string, Json>,
  );
  const operations = Object.values(
    (isJson(scope.json.operations) ? scope.json.operations : {}) as Record<string, Json>,
  );
  if (
    channels.some((c) => hasKafka(c) || Object.values(isJson(c.messages) ? c.messages : {}).some(hasKafka)) ||
    operations.some(hasKafka)
  )
    return true;
  const [firstId, firstProtocol] = protocols[0]!;
  scope.findings.error(
    'unsupported',
    await scope.locate(['servers', firstId, 'protocol']),
    `this document targets ${[...new Set(protocols.map(([, p]) => p ?? 'no protocol'))].join(', ')} (servers.${firstId}.protocol is ${JSON.stringify(firstProtocol)}), not Kafka; this generator emits Kafka SDKs: leave the document out of the input`,
  );
  return false;
}
