import type { Catalog, ConsumerGroupModel, RetryPolicy } from '../model/catalog.ts';
import { DEFAULT_RETRY } from '../model/retry.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import {
  keyword,
  numberType,
  parameter,
  property,
  ref,
  stringType,
  typeAlias,
  typeLiteral,
  union,
} from './ts.ts';
import {
  access,
  arrayLiteral,
  call,
  constDeclaration,
  functionDeclaration,
  id,
  importDeclaration,
  json,
  object,
  prop,
  type Statement,
  str,
} from './ts-code.ts';

/**
 * `consumers.ts`: per consumer group, the handler map it must provide (one
 * handler per event type it subscribes to, so a missing one is a compile
 * error) and a factory that hands it to the runtime's consumer runner.
 */
export function emitConsumers(catalog: Catalog, names: Names, runtime: string): GeneratedFile {
  const topics = new Set(catalog.consumerGroups.flatMap((g) => g.subscriptions.map((s) => s.topic)));
  const events = new Set(catalog.consumerGroups.flatMap((g) => g.subscriptions.flatMap((s) => s.events)));
  const typeImports = [...events].flatMap((e) => {
    const n = names.event(e);
    const model = catalog.events.find((m) => m.name === e);
    return [
      ...(model?.headers === undefined ? [n.payload] : [n.payload, n.headers]),
      ...(model?.versions ?? []).flatMap((v) => {
        const vn = n.versions.get(v.schemaVersion)!;
        return v.headers === undefined ? [vn.payload] : [vn.payload, vn.headers];
      }),
    ];
  });
  const versioned = [...events].some((e) => catalog.events.find((m) => m.name === e)?.versions?.length);
  const statements: Statement[] = [
    importDeclaration(
      [
        'ConsumerGroupDefinition',
        'ConsumerOptions',
        'BatchEventHandler',
        'EventConsumerFactory',
        'EventHandler',
        ...(versioned ? ['ReceivedEvent'] : []),
        'RetryPolicy',
        'RunningConsumer',
        ...(versioned ? ['VersionedBatchEventHandler', 'VersionedEventHandler'] : []),
      ],
      runtime,
      { typeOnly: true },
    ),
    ...(topics.size
      ? [
          importDeclaration(
            [...topics].map((t) => names.topic(t).definition),
            './topics.ts',
          ),
        ]
      : []),
    ...(typeImports.length ? [importDeclaration(typeImports, './types.ts', { typeOnly: true })] : []),
  ];
  if (catalog.consumerGroups.some((g) => g.subscriptions.some((s) => isDefaultRetry(s.retry)))) {
    statements.push(
      constDeclaration('defaultRetryPolicy', json(DEFAULT_RETRY), {
        type: ref('RetryPolicy'),
        doc: `The retry policy of every receive operation whose contract names none (or names these values): ${DEFAULT_RETRY.maxAttempts} attempts in all, backing off from ${DEFAULT_RETRY.initialIntervalMs} ms, × ${DEFAULT_RETRY.multiplier} each time, at most ${DEFAULT_RETRY.maxIntervalMs} ms.`,
      }),
    );
  }
  for (const group of catalog.consumerGroups) statements.push(...groupStatements(group, catalog, names));
  return renderTs('consumers.ts', statements, 'Typed consumers, one per consumer group.');
}

function groupStatements(group: ConsumerGroupModel, catalog: Catalog, names: Names): Statement[] {
  const g = names.group(group.groupId);
  const handlerMembers = group.subscriptions.map((s) => {
    const handlers = s.events.map((e) => {
      const n = names.event(e);
      const model = catalog.events.find((m) => m.name === e);
      const headers = model?.headers === undefined ? keyword('unknown') : ref(n.headers);
      if (!model?.versions?.length) {
        const args = [stringType(e), ref(n.payload), headers];
        return property(e, union([ref('EventHandler', args), ref('BatchEventHandler', args)]));
      }
      // One received event per version, discriminated by `schemaVersion`, oldest first.
      const received = [...model.versions, model].map((v) => {
        const vn = v === model ? n : n.versions.get(v.schemaVersion)!;
        return ref('ReceivedEvent', [
          stringType(e),
          ref(vn.payload),
          v.headers === undefined ? keyword('unknown') : ref(vn.headers),
          numberType(v.schemaVersion),
        ]);
      });
      const event = union(received);
      return property(
        e,
        union([ref('VersionedEventHandler', [event]), ref('VersionedBatchEventHandler', [event])]),
        {
          doc: `Receives every version carried (${[...model.versions, model].map((v) => v.schemaVersion).join(', ')}): narrow on \`event.schemaVersion\`.`,
        },
      );
    });
    return property(names.topic(s.topic).handlerKey, typeLiteral(handlers), {
      doc: `\`${s.topic}\`: ${s.events.length} event type(s); retried ${s.retry.maxAttempts} time(s) in all, then dead-lettered.`,
    });
  });
  const subscriptions = group.subscriptions.map((s) =>
    object([
      prop('topic', id(names.topic(s.topic).definition)),
      prop('handlerKey', str(names.topic(s.topic).handlerKey)),
      prop('events', json(s.events)),
      prop('retry', isDefaultRetry(s.retry) ? id('defaultRetryPolicy') : json(s.retry)),
      prop('deadLetterTopic', str(s.deadLetterTopic)),
    ]),
  );
  return [
    typeAlias(g.handlers, typeLiteral(handlerMembers), {
      doc: `Handlers of consumer group \`${group.groupId}\` (context \`${group.context}\`): one per event type it subscribes to.`,
    }),
    constDeclaration(
      g.definition,
      object([
        prop('groupId', str(group.groupId)),
        prop('context', str(group.context)),
        prop('subscriptions', arrayLiteral(subscriptions)),
      ]),
      {
        type: ref('ConsumerGroupDefinition'),
        doc: `Consumer group \`${group.groupId}\` as the contracts define it.`,
      },
    ),
    functionDeclaration(
      g.factory,
      [
        parameter('runtime', ref('EventConsumerFactory')),
        parameter('handlers', ref(g.handlers)),
        parameter('options', ref('ConsumerOptions'), { optional: true }),
      ],
      ref('RunningConsumer'),
      call(access(id('runtime'), 'create'), [id(g.definition), id('handlers'), id('options')]),
      { doc: `Starts consumer group \`${group.groupId}\` with one handler per event type.` },
    ),
  ];
}

function isDefaultRetry(policy: RetryPolicy): boolean {
  return (
    policy.maxAttempts === DEFAULT_RETRY.maxAttempts &&
    policy.initialIntervalMs === DEFAULT_RETRY.initialIntervalMs &&
    policy.multiplier === DEFAULT_RETRY.multiplier &&
    policy.maxIntervalMs === DEFAULT_RETRY.maxIntervalMs &&
    policy.nonRetryable === undefined
  );
}
