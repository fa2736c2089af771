import type { Catalog } from '../model/catalog.ts';
import { type GeneratedFile, renderTs } from './render.ts';
import { indexedAccess, interfaceDeclaration, keyword, mapped, property, readonlyArray, ref } from './ts.ts';
import { constDeclaration, importDeclaration, json, object, prop } from './ts-code.ts';

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
    return prop(e.name, json(examples));
  });
  const type = ref('TPayload');
  return renderTs(
    'examples.ts',
    [
      importDeclaration(['EventPayloadMap', 'EventType'], './types.ts', { typeOnly: true }),
      interfaceDeclaration(
        'EventExample',
        [
          property('name', keyword('string'), { readonly: true, optional: true }),
          property('summary', keyword('string'), { readonly: true, optional: true }),
          property('payload', type, { readonly: true }),
        ],
        { doc: 'One example of an event as the contract gives it.', typeParameters: [{ name: 'TPayload' }] },
      ),
      constDeclaration('eventExamples', object(entries), {
        type: mapped(
          'K',
          ref('EventType'),
          readonlyArray(ref('EventExample', [indexedAccess(ref('EventPayloadMap'), ref('K'))])),
        ),
        doc: "The contracts' examples, per event type.",
      }),
    ],
    "The contracts' examples, typed: test data for every event.",
  );
}
