/**
 * Names of an event carried in several major versions: the current version keeps the event's
 * names, each earlier one takes `V<n>` (types, validators), claimed like every other identifier,
 * so a clash is an error naming both; a component schema the versions define differently gives
 * the current version the plain name.
 */
import { describe, expect, it } from 'vitest';
import { catalogOf, type EventSpec } from '../emit/test-catalog.ts';
import type { Catalog, EventModel, JsonSchema } from '../model/catalog.ts';
import { assignNames } from './names.ts';

const payload = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

/** Events from specs; `versions` gives the earlier versions (payloads) of the event of that name. */
function catalog(specs: readonly EventSpec[], versions: Record<string, JsonSchema[]> = {}): Catalog {
  const base = catalogOf(specs);
  const events = base.events.map((e): EventModel => {
    const earlier = versions[e.name] ?? [];
    if (earlier.length === 0) return e;
    return {
      ...e,
      schemaVersion: earlier.length + 1,
      versions: earlier.map((p, i) => ({
        ...e,
        schemaVersion: i + 1,
        payload: p,
        location: { file: 'test.yaml', pointer: `#/components/messages/${e.name}V${i + 1}` },
      })),
    };
  });
  return { ...base, events };
}

const named: [string, { given: Catalog; event: string; want: Record<number, Record<string, string>> }][] = [
  [
    'version 1 beside version 2',
    {
      given: catalog([{ name: 'ThingHappened', payload }], { ThingHappened: [payload] }),
      event: 'ThingHappened',
      want: {
        1: {
          payload: 'ThingHappenedV1',
          headers: 'ThingHappenedV1Headers',
          validatePayload: 'validateThingHappenedV1Payload',
          validateHeaders: 'validateThingHappenedV1Headers',
        },
      },
    },
  ],
  [
    'a dotted name: the versions follow its identifier',
    {
      given: catalog([{ name: 'com.example.ThingHappened', payload }], {
        'com.example.ThingHappened': [payload, payload],
      }),
      event: 'com.example.ThingHappened',
      want: {
        1: { payload: 'ThingHappenedV1' },
        2: { payload: 'ThingHappenedV2', validatePayload: 'validateThingHappenedV2Payload' },
      },
    },
  ],
];

describe('names of earlier versions', () => {
  it.each(named)('%s', (_name, { given, event, want }) => {
    const { names, diagnostics } = assignNames(given);
    expect(diagnostics).toEqual([]);
    const n = names.event(event);
    for (const [version, ids] of Object.entries(want))
      expect(n.versions.get(Number(version))).toMatchObject(ids);
  });

  it('keep the current version under the event’s own names, and none for an event declared once', () => {
    const { names } = assignNames(
      catalog(
        [
          { name: 'ThingHappened', payload },
          { name: 'Other', payload },
        ],
        { ThingHappened: [payload] },
      ),
    );
    expect(names.event('ThingHappened')).toMatchObject({
      payload: 'ThingHappened',
      validatePayload: 'validateThingHappenedPayload',
    });
    expect(names.event('Other').versions.size).toBe(0);
  });

  it('refuse a version whose names another event already has, naming both', () => {
    const { diagnostics } = assignNames(
      catalog(
        [
          { name: 'ThingHappened', payload },
          { name: 'ThingHappenedV1', payload },
        ],
        {
          ThingHappened: [payload],
        },
      ),
    );
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'duplicate-name',
        severity: 'error',
        message: expect.stringMatching(
          /^(version 1 of event "ThingHappened"|event "ThingHappenedV1") would be emitted as `ThingHappenedV1`, which (event "ThingHappenedV1"|version 1 of event "ThingHappened") already uses/,
        ),
      }),
    );
  });

  it('give a component schema the versions define differently its plain name in the current version', () => {
    const address = (fields: string[]) => ({
      type: 'object',
      'x-contract-name': 'Address',
      properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])),
    });
    const withAddress = (fields: string[]) => ({
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, address: address(fields) },
    });
    const { names } = assignNames(
      catalog([{ name: 'ThingHappened', payload: withAddress(['street', 'city']) }], {
        ThingHappened: [withAddress(['line'])],
      }),
    );
    const declared = names.schemas.declarations.map((d) => [
      d.name,
      Object.keys((d.schema as { properties: object }).properties),
    ]);
    expect(declared).toEqual([
      ['Address', ['street', 'city']],
      ['Address2', ['line']],
    ]);
  });
});
