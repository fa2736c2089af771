import type { Catalog } from '../model/catalog.ts';
import { type GeneratedFile, literal, propertyKey, renderTs } from './render.ts';

/**
 * `examples.ts`: every example from the contracts, typed by its event's
 * payload type. Examples are test data; the compiler checks them against the
 * types as ajv checked them against the schemas at generate time.
 */
export function emitExamples(catalog: Catalog): GeneratedFile {
  const entries = catalog.events.map((e) => {
    // An example that shows only headers is no payload example.
    const examples = e.examples
      .filter((x) => x.payload !== undefined)
      .map((x) => ({ name: x.name, summary: x.summary, payload: x.payload }));
    return `  ${propertyKey(e.name)}: ${literal(examples, '  ')},`;
  });
  return renderTs(
    'examples.ts',
    [
      "import type { EventPayloadMap, EventType } from './types.ts';",
      '/** One example of an event as the contract gives it. */\nexport interface EventExample<TPayload> {\n  readonly name?: string;\n  readonly summary?: string;\n  readonly payload: TPayload;\n}',
      `/** The contracts' examples, per event type. */\nexport const eventExamples: { readonly [K in EventType]: readonly EventExample<EventPayloadMap[K]>[] } = {\n${entries.join('\n')}\n};`,
    ],
    "The contracts' examples, typed: test data for every event.",
  );
}
