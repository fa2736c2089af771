/**
 * contracts:diff on pairs of real contract sets: the valid producer and consumer
 * of test/fixtures/bad/base, edited into a base and a head revision, read by the
 * generator's parse and model stages, compared. Each row names the findings it
 * must give (rule and whether it blocks) and nothing else.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { applyEdits, type Edit } from '../test/support/json-edits.ts';
import { compareSnapshots } from './compare.ts';
import { blocks } from './findings.ts';
import { readSnapshot } from './snapshot.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'bad', 'base');
const PRODUCER = readFileSync(path.join(fixtures, 'producer.yaml'), 'utf8');
const CONSUMER = readFileSync(path.join(fixtures, 'consumer.yaml'), 'utf8');
const MESSAGE = '/components/messages/ItemCreated';
const PAYLOAD = `${MESSAGE}/payload`;
const KAFKA = '/channels/items/bindings/kafka';

/** A document with JSON-pointer edits applied (`undefined` deletes). */
const edited = (text: string, edits: readonly Edit[]) =>
  applyEdits(parse(text) as Record<string, unknown>, edits);

interface Revision {
  readonly producer?: readonly Edit[];
  readonly consumer?: readonly Edit[] | 'absent';
  /** Read in lenient mode (as contracts:diff reads a base: in the head's mode, so both sides of a row share it). */
  readonly lenient?: boolean;
  /** Other files beside the documents (shared schemas), by name. */
  readonly files?: Readonly<Record<string, unknown>>;
}

const scratch = await mkdtemp(path.join(os.tmpdir(), 'contracts-diff-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let count = 0;

async function write(revision: Revision): Promise<string> {
  const root = path.join(scratch, String(++count));
  await mkdir(path.join(root, 'contracts', 'shop'), { recursive: true });
  await writeFile(path.join(root, 'package.json'), '{}\n');
  await writeFile(
    path.join(root, 'contract-events.config.json'),
    JSON.stringify({ inputs: { contracts: { mode: revision.lenient ? 'lenient' : 'strict' } } }),
  );
  await writeFile(
    path.join(root, 'contracts', 'shop', 'producer.yaml'),
    stringify(edited(PRODUCER, revision.producer ?? [])),
  );
  for (const [name, content] of Object.entries(revision.files ?? {}))
    await writeFile(path.join(root, 'contracts', 'shop', name), stringify(content));
  if (revision.consumer !== 'absent') {
    await writeFile(
      path.join(root, 'contracts', 'shop', 'consumer.yaml'),
      stringify(edited(CONSUMER, revision.consumer ?? [])),
    );
  }
  return root;
}

/** `rule` for a blocking finding, `rule (passes)` for one that does not block. */
async function findingsOf(base: Revision, head: Revision): Promise<string[]> {
  const [before, after] = await Promise.all([
    readSnapshot(await write(base), 'contracts', 'base'),
    readSnapshot(await write(head), 'contracts', 'head'),
  ]);
  expect(before.mode).toBe(after.mode);
  expect(before.errors, JSON.stringify(before.errors)).toEqual([]);
  expect(after.errors, JSON.stringify(after.errors)).toEqual([]);
  return compareSnapshots(before, after).map((f) => (blocks(f) ? f.rule : `${f.rule} (passes)`));
}

const optionalNote: Edit = [`${PAYLOAD}/properties/comment`, { type: 'string' }];
const requiredNote: Edit[] = [optionalNote, [`${PAYLOAD}/required`, ['id', 'label', 'comment']]];
const deleted: Edit = [
  '/components/messages/ItemDeleted',
  {
    name: 'ItemDeleted',
    contentType: 'application/json',
    'x-partition-key': '$message.payload#/id',
    payload: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    examples: [{ name: 'one', payload: { id: 'a1' } }],
  },
];
const withDeleted: Edit[] = [
  deleted,
  ['/channels/items/messages/ItemDeleted', { $ref: '#/components/messages/ItemDeleted' }],
  [
    '/operations/publishItems/messages',
    [{ $ref: '#/channels/items/messages/ItemCreated' }, { $ref: '#/channels/items/messages/ItemDeleted' }],
  ],
];
/** ItemCreated as the base has it, declared again as major version 1 (message ItemCreatedV1) beside the current one. */
const ITEM_CREATED = (parse(PRODUCER) as { components: { messages: Record<string, object> } }).components
  .messages.ItemCreated!;
const V1 = '/components/messages/ItemCreatedV1';
const version1 = (deprecated: boolean, ...edits: Edit[]): Edit[] => [
  [V1, { ...ITEM_CREATED, 'x-schema-version': 1, ...(deprecated ? { deprecated: true } : {}) }],
  ['/channels/items/messages/ItemCreatedV1', { $ref: '#/components/messages/ItemCreatedV1' }],
  ...edits,
];
/** ItemCreated version 2: a required property version 1 does not have (a break carried as a new version). */
const version2: Edit[] = [...requiredNote, [`${MESSAGE}/x-schema-version`, 2]];

const override = (rule: string): Edit => [
  '/channels/items/x-breaking-changes',
  [{ rule, reason: 'items.events is drained before the deploy (ticket OPS-42)' }],
];

/** The payload's `label` defined in another file, as `schemas.yaml#/Label`. */
const labelInFile = (label: unknown): Revision => ({
  producer: [[`${PAYLOAD}/properties/label`, { $ref: './schemas.yaml#/Label' }]],
  files: { 'schemas.yaml': { Label: label } },
});
/** The payload's `label` defined under the document's components, as `#/components/schemas/Label`. */
const labelInComponents = (label: unknown): Revision => ({
  producer: [
    [`${PAYLOAD}/properties/label`, { $ref: '#/components/schemas/Label' }],
    ['/components/schemas/Label', label],
  ],
});

const cases: [string, { base?: Revision; head: Revision; want: string[] }][] = [
  [
    'a change behind a $ref into another file',
    {
      base: labelInFile({ type: 'string' }),
      head: labelInFile({ type: 'string', enum: ['a', 'b'] }),
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'a compatible change behind a $ref into another file',
    {
      base: labelInFile({ type: 'string', maxLength: 10 }),
      head: labelInFile({ type: 'string', maxLength: 20 }),
      want: [],
    },
  ],
  [
    'a change behind a $ref into components',
    {
      base: labelInComponents({ type: 'string' }),
      head: labelInComponents({ type: 'integer' }),
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  ['no change', { head: {}, want: [] }],
  ['a description changes', { head: { producer: [[`${PAYLOAD}/description`, 'An item.']] }, want: [] }],
  ['an optional property on the closed payload (BACKWARD)', { head: { producer: [optionalNote] }, want: [] }],
  [
    'a required property (BACKWARD), same schema version',
    { head: { producer: requiredNote }, want: ['payload.incompatible', 'payload.version-not-bumped'] },
  ],
  [
    'a required property with a new schema version',
    {
      head: { producer: [...requiredNote, [`${MESSAGE}/x-schema-version`, 2]] },
      want: ['payload.incompatible'],
    },
  ],
  [
    'a property removed from the closed payload (BACKWARD)',
    {
      head: {
        producer: [
          [`${PAYLOAD}/properties/label`, undefined],
          [`${PAYLOAD}/required`, ['id']],
        ],
      },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'an optional property on the closed payload under FORWARD (the message says so)',
    {
      head: { producer: [optionalNote, [`${MESSAGE}/x-compatibility`, 'FORWARD']] },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'the channel sets the mode: FULL',
    {
      head: { producer: [optionalNote, ['/channels/items/x-compatibility', 'FULL']] },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'NONE checks nothing',
    { head: { producer: [...requiredNote, [`${MESSAGE}/x-compatibility`, 'NONE']] }, want: [] },
  ],
  [
    'the type of a field narrows',
    {
      head: { producer: [[`${PAYLOAD}/properties/label`, { type: 'string', maxLength: 10 }]] },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'the partition key changes',
    {
      head: { producer: [[`${MESSAGE}/x-partition-key`, '$message.payload#/label']] },
      want: ['key.expression-changed'],
    },
  ],
  [
    'a format on a string field (the consumers validate formats, the registry would not look)',
    {
      head: { producer: [[`${PAYLOAD}/properties/label`, { type: 'string', format: 'email' }]] },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'a format removed',
    {
      base: { producer: [[`${PAYLOAD}/properties/label`, { type: 'string', format: 'email' }]] },
      head: {},
      want: [],
    },
  ],
  [
    'a field made required with a default (no consumer fills defaults in)',
    {
      base: { producer: [[`${PAYLOAD}/required`, ['id']]] },
      head: { producer: [[`${PAYLOAD}/properties/label`, { type: 'string', default: 'none' }]] },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'the Kafka key schema changes',
    {
      base: {
        producer: [[`${MESSAGE}/bindings`, { kafka: { bindingVersion: '0.5.0', key: { type: 'string' } } }]],
      },
      head: {
        producer: [
          [
            `${MESSAGE}/bindings`,
            { kafka: { bindingVersion: '0.5.0', key: { type: 'string', format: 'uuid' } } },
          ],
        ],
      },
      want: ['key.schema-changed'],
    },
  ],
  [
    'the key moves from the payload to the publisher (lenient contracts)',
    {
      base: { lenient: true },
      head: { lenient: true, producer: [[`${MESSAGE}/x-partition-key`, undefined]] },
      want: ['key.source-changed'],
    },
  ],
  [
    'the topic removed with its producer and consumer',
    {
      head: {
        producer: [
          ['/channels/items', undefined],
          ['/operations/publishItems', undefined],
        ],
        consumer: 'absent',
      },
      want: ['topic.removed', 'event.removed'],
    },
  ],
  [
    'the event moved to another topic',
    {
      head: {
        producer: [
          ['/channels/items/messages', {}],
          [
            '/channels/itemsV2',
            {
              address: 'items.v2',
              messages: { ItemCreated: { $ref: '#/components/messages/ItemCreated' } },
              bindings: { kafka: { bindingVersion: '0.5.0', partitions: 3, replicas: 1 } },
              'x-dead-letter-channel': { $ref: '#/channels/itemsDlq' },
            },
          ],
          [
            '/operations/publishItems',
            {
              action: 'send',
              channel: { $ref: '#/channels/itemsV2' },
              messages: [{ $ref: '#/channels/itemsV2/messages/ItemCreated' }],
            },
          ],
        ],
        consumer: 'absent',
      },
      want: ['event.moved'],
    },
  ],
  [
    'partitions cut',
    { head: { producer: [[`${KAFKA}/partitions`, 2]] }, want: ['topic.partitions-decreased'] },
  ],
  [
    'partitions raised on a keyed topic',
    { head: { producer: [[`${KAFKA}/partitions`, 6]] }, want: ['topic.partitions-increased'] },
  ],
  [
    'retention cut',
    {
      base: { producer: [[`${KAFKA}/topicConfiguration`, { 'retention.ms': 604800000 }]] },
      head: { producer: [[`${KAFKA}/topicConfiguration`, { 'retention.ms': 86400000 }]] },
      want: ['topic.retention-decreased'],
    },
  ],
  [
    'retention raised',
    {
      base: { producer: [[`${KAFKA}/topicConfiguration`, { 'retention.ms': 86400000 }]] },
      head: { producer: [[`${KAFKA}/topicConfiguration`, { 'retention.ms': -1 }]] },
      want: [],
    },
  ],
  [
    'cleanup.policy changed',
    {
      head: { producer: [[`${KAFKA}/topicConfiguration`, { 'cleanup.policy': ['compact'] }]] },
      want: ['topic.cleanup-policy-changed'],
    },
  ],
  [
    'the topic renamed',
    { head: { producer: [['/channels/items/address', 'items.v2']] }, want: ['topic.renamed'] },
  ],
  [
    'the dead-letter topic renamed',
    {
      head: { producer: [['/channels/itemsDlq/address', 'items.dead-letters']] },
      want: ['topic.dead-letter-changed'],
    },
  ],
  [
    'the consumer group renamed',
    {
      head: { consumer: [['/operations/handleItems/bindings/kafka/groupId/enum', ['g2']]] },
      want: ['group.renamed'],
    },
  ],
  [
    'an event added that the group does not list',
    { head: { producer: withDeleted }, want: ['event.added-unhandled (passes)'] },
  ],
  [
    'an event removed while the group handles it',
    {
      base: {
        producer: withDeleted,
        consumer: [
          [
            '/operations/handleItems/messages',
            [
              { $ref: '#/channels/items/messages/ItemCreated' },
              { $ref: '#/channels/items/messages/ItemDeleted' },
            ],
          ],
        ],
      },
      head: {},
      want: ['event.removed'],
    },
  ],
  [
    'partitions raised with a fresh override on the channel',
    {
      head: { producer: [[`${KAFKA}/partitions`, 6], override('topic.partitions-increased')] },
      want: ['topic.partitions-increased (passes)'],
    },
  ],
  [
    'an override already at the base lets nothing pass',
    {
      base: { producer: [override('topic.partitions-increased')] },
      head: { producer: [[`${KAFKA}/partitions`, 6], override('topic.partitions-increased')] },
      want: ['topic.partitions-increased', 'override.stale (passes)'],
    },
  ],
  [
    'an override of another rule does not apply',
    {
      head: { producer: [[`${KAFKA}/partitions`, 6], override('topic.retention-decreased')] },
      want: ['topic.partitions-increased', 'override.unused (passes)'],
    },
  ],
  [
    'an override naming no rule',
    { head: { producer: [override('topic.everything-allowed')] }, want: ['override.unknown-rule'] },
  ],
  [
    'a payload break overridden on the message',
    {
      head: {
        producer: [
          ...requiredNote,
          [`${MESSAGE}/x-schema-version`, 2],
          [
            `${MESSAGE}/x-breaking-changes`,
            [{ rule: 'payload.incompatible', reason: 'every consumer was redeployed with v2 first' }],
          ],
        ],
      },
      want: ['payload.incompatible (passes)'],
    },
  ],
  [
    'a new major version carried beside the old one: safe, consumers first',
    { head: { producer: [...version2, ...version1(true)] }, want: ['event.version-added (passes)'] },
  ],
  [
    'each version compared with the same version at the base, not version 2 with version 1',
    {
      base: { producer: [...version2, ...version1(true)] },
      head: {
        producer: [...version2, ...version1(true), [`${PAYLOAD}/properties/extra`, { type: 'string' }]],
      },
      want: [],
    },
  ],
  [
    'an earlier version changed incompatibly in place',
    {
      base: { producer: [...version2, ...version1(true)] },
      head: {
        producer: [...version2, ...version1(true, [`${V1}/payload/required`, ['id', 'label', 'note']])],
      },
      want: ['payload.incompatible', 'payload.version-not-bumped'],
    },
  ],
  [
    'a version removed while the group handles the event',
    {
      base: { producer: [...version2, ...version1(false)] },
      head: { producer: version2 },
      want: ['event.version-removed'],
    },
  ],
  [
    'a deprecated version removed: a warning',
    {
      base: { producer: [...version2, ...version1(true)] },
      head: { producer: version2 },
      want: ['event.version-removed (passes)'],
    },
  ],
  [
    'a version removed that no group handles',
    {
      base: { producer: [...version2, ...version1(false)], consumer: 'absent' },
      head: { producer: version2, consumer: 'absent' },
      want: [],
    },
  ],
  [
    'a version removed with a fresh override on the message',
    {
      base: { producer: [...version2, ...version1(false)] },
      head: {
        producer: [
          ...version2,
          [
            `${MESSAGE}/x-breaking-changes`,
            [{ rule: 'event.version-removed', reason: 'no producer sent version 1 for 30 days (OPS-7)' }],
          ],
        ],
      },
      want: ['event.version-removed (passes)'],
    },
  ],
];

describe('contracts:diff classifies contract changes', () => {
  it.each(cases)('%s', async (_name, { base = {}, head, want }) => {
    expect((await findingsOf(base, head)).sort()).toEqual([...want].sort());
  });
});
