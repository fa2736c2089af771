import type { Catalog, ConsumerGroupModel, RetryPolicy } from '../model/catalog.ts';
import { DEFAULT_RETRY } from '../model/retry.ts';
import type { Names } from '../naming/names.ts';
import { type GeneratedFile, importFrom, literal, propertyKey, q, renderTs } from './render.ts';
import { docComment } from './schema-to-type.ts';

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
    return model?.headers === undefined ? [n.payload] : [n.payload, n.headers];
  });
  const statements: string[] = [
    importFrom(
      [
        'ConsumerGroupDefinition',
        'ConsumerOptions',
        'EventConsumerFactory',
        'EventHandler',
        'RetryPolicy',
        'RunningConsumer',
      ],
      runtime,
      true,
    ),
    ...(topics.size
      ? [
          importFrom(
            [...topics].map((t) => names.topic(t).definition),
            './topics.ts',
          ),
        ]
      : []),
    ...(typeImports.length ? [importFrom(typeImports, './types.ts', true)] : []),
  ];
  if (catalog.consumerGroups.some((g) => g.subscriptions.some((s) => isDefaultRetry(s.retry)))) {
    statements.push(
      `${docComment(`The retry policy of every receive operation whose contract names none (or names these values): ${DEFAULT_RETRY.maxAttempts} attempts in all, backing off from ${DEFAULT_RETRY.initialIntervalMs} ms, × ${DEFAULT_RETRY.multiplier} each time, at most ${DEFAULT_RETRY.maxIntervalMs} ms.`)}\nexport const defaultRetryPolicy: RetryPolicy = ${literal(DEFAULT_RETRY)};`,
    );
  }
  for (const group of catalog.consumerGroups) statements.push(...groupStatements(group, catalog, names));
  return renderTs('consumers.ts', statements, 'Typed consumers, one per consumer group.');
}

function groupStatements(group: ConsumerGroupModel, catalog: Catalog, names: Names): string[] {
  const g = names.group(group.groupId);
  const members = group.subscriptions.map((s) => {
    const t = names.topic(s.topic);
    const handlers = s.events.map((e) => {
      const n = names.event(e);
      const model = catalog.events.find((m) => m.name === e);
      return `    ${propertyKey(e)}: EventHandler<${q(e)}, ${n.payload}, ${model?.headers === undefined ? 'unknown' : n.headers}>;`;
    });
    return `  ${docComment(`\`${s.topic}\`: ${s.events.length} event type(s); retried ${s.retry.maxAttempts} time(s) in all, then dead-lettered.`)}\n  ${t.handlerKey}: {\n${handlers.join('\n')}\n  };`;
  });
  const subscriptions = group.subscriptions.map(
    (s) =>
      `    {\n      topic: ${names.topic(s.topic).definition},\n      handlerKey: ${q(names.topic(s.topic).handlerKey)},\n      events: ${literal(s.events, '      ')},\n      retry: ${isDefaultRetry(s.retry) ? 'defaultRetryPolicy' : literal(s.retry, '      ')},\n      deadLetterTopic: ${q(s.deadLetterTopic)},\n    },`,
  );
  return [
    `${docComment(`Handlers of consumer group \`${group.groupId}\` (context \`${group.context}\`): one per event type it subscribes to.`)}\nexport type ${g.handlers} = {\n${members.join('\n')}\n};`,
    `${docComment(`Consumer group \`${group.groupId}\` as the contracts define it.`)}\nexport const ${g.definition}: ConsumerGroupDefinition = {\n  groupId: ${q(group.groupId)},\n  context: ${q(group.context)},\n  subscriptions: [\n${subscriptions.join('\n')}\n  ],\n};`,
    `${docComment(`Starts consumer group \`${group.groupId}\` with one handler per event type.`)}\nexport function ${g.factory}(runtime: EventConsumerFactory, handlers: ${g.handlers}, options?: ConsumerOptions): RunningConsumer {\n  return runtime.create(${g.definition}, handlers, options);\n}`,
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
