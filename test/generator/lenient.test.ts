/**
 * Strict and lenient: each case is a small document set missing one of this
 * project's conventions (or doing something only other people's documents do).
 * In strict mode it must fail with the named diagnostic; in lenient mode it must
 * generate, warn at the same place, and the catalog and emitted SDK must carry
 * the documented default. Cases that are wrong in any mode fail in both.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { NO_CONFIG, parseConfig } from '../../generator/config.ts';
import { ContractError, type Diagnostic, type DiagnosticCode } from '../../generator/diagnostics.ts';
import { type GenerateResult, generate } from '../../generator/generate.ts';

const runtimeEntry = path.resolve(import.meta.dirname, '../../runtime/contract/index.ts');
type Doc = Record<string, unknown>;

/** A producer of `sensor.readings` with one message; `edit` changes the parsed document in place. */
function producer(
  edit: (doc: Doc & { channels: Doc; components: Doc; operations: Doc }) => void = () => {},
): Doc {
  const doc = {
    asyncapi: '3.0.0',
    info: { title: 'Sensor Service', version: '1.0.0' },
    channels: {
      readings: {
        address: 'sensor.readings',
        messages: { reading: { $ref: '#/components/messages/reading' } },
        bindings: { kafka: { partitions: 3, replicas: 1 } },
      },
    },
    operations: {
      sendReading: { action: 'send', channel: { $ref: '#/channels/readings' } },
    },
    components: {
      messages: {
        reading: {
          name: 'SensorReading',
          payload: {
            type: 'object',
            required: ['sensorId', 'value'],
            properties: { sensorId: { type: 'string' }, value: { type: 'number' } },
          },
        },
      },
    },
  };
  edit(doc as never);
  return doc;
}

/** A consumer of the producer's channel (by reference) in group `dashboard`. */
function consumer(edit: (doc: Doc & { channels: Doc; operations: Doc }) => void = () => {}): Doc {
  const doc = {
    asyncapi: '3.0.0',
    info: { title: 'Dashboard', version: '1.0.0' },
    channels: { readings: { $ref: './producer.yaml#/channels/readings' } },
    operations: {
      onReading: {
        action: 'receive',
        channel: { $ref: '#/channels/readings' },
        bindings: { kafka: { groupId: { type: 'string', enum: ['dashboard'] } } },
      },
    },
  };
  edit(doc as never);
  return doc;
}

interface Expect {
  readonly code: DiagnosticCode;
  readonly file: string;
  readonly pointer: string;
  /** Text the message holds: in lenient mode, the default it says it uses. */
  readonly includes: string;
}

interface Case {
  readonly files: Record<string, Doc>;
  /** An error in strict mode, and the same place a warning in lenient mode (unless `strictOnly`). */
  readonly finding?: Expect;
  /** The finding is strict mode's alone: lenient mode has nothing to say. */
  readonly strictOnly?: boolean;
  /** Wrong in every mode: an error in both. */
  readonly always?: Expect;
  readonly topicNames?: Record<string, string>;
  /** What must hold of the lenient result. */
  readonly check?: (result: GenerateResult, file: (name: string) => string) => void;
}

const cases: [string, Case][] = [
  [
    'no x-partition-key: an optional key argument, null allowed',
    {
      files: { 'producer.yaml': producer() },
      finding: {
        code: 'partition-key',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading',
        includes: 'optional key argument',
      },
      check: (result, file) => {
        expect(result.catalog.events[0]?.key).toEqual({
          source: 'argument',
          required: false,
          type: 'string',
        });
        expect(file('producers.ts')).toContain(
          "| { readonly type: 'SensorReading'; readonly payload: SensorReading; readonly key?: string | null; }",
        );
        expect(file('events.ts')).toContain("keyArgument: { required: false, type: 'string' },");
        expect(file('events.ts')).not.toContain('partitionKey:');
      },
    },
  ],
  [
    'no x-partition-key but bindings.kafka.key: a required, typed key argument',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            bindings: { kafka: { key: { type: 'integer' } } },
          };
        }),
      },
      finding: {
        code: 'partition-key',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading',
        includes: 'required integer argument',
      },
      check: (result, file) => {
        expect(result.catalog.events[0]?.key).toEqual({
          source: 'argument',
          required: true,
          type: 'integer',
        });
        expect(file('producers.ts')).toContain('readonly key: number; }');
        expect(file('outbox.ts')).toContain('event: ReadingsPublishEvent');
        expect(file('outbox.ts')).toContain("import type { ReadingsPublishEvent } from './producers.ts';");
        expect(file('producers.ts')).toContain("import type { SensorReading } from './types.ts';");
      },
    },
  ],
  [
    'no x-partition-key on a compacted topic: the key argument is required (Kafka refuses null keys there)',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.channels.readings as Doc).bindings = {
            kafka: { partitions: 3, replicas: 1, topicConfiguration: { 'cleanup.policy': ['compact'] } },
          };
        }),
      },
      finding: {
        code: 'partition-key',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading',
        includes: 'a compacted topic',
      },
      check: (result, file) => {
        expect(result.catalog.events[0]?.key).toEqual({ source: 'argument', required: true, type: 'string' });
        expect(file('producers.ts')).toContain('readonly key: string; }');
      },
    },
  ],
  [
    'a scalar root payload and a root oneOf are fine without a partition key',
    {
      files: {
        'producer.yaml': producer((d) => {
          const messages = d.components.messages as Doc;
          messages.reading = { name: 'SensorReading', payload: { type: 'number' } };
          messages.status = {
            name: 'SensorStatus',
            payload: { oneOf: [{ type: 'string' }, { type: 'null' }] },
          };
          (d.channels.readings as Doc).messages = {
            reading: { $ref: '#/components/messages/reading' },
            status: { $ref: '#/components/messages/status' },
          };
        }),
      },
      finding: {
        code: 'partition-key',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading',
        includes: 'optional key argument',
      },
      check: (result) => {
        expect(result.catalog.events.map((e) => [e.name, e.key.source])).toEqual([
          ['SensorReading', 'argument'],
          ['SensorStatus', 'argument'],
        ]);
      },
    },
  ],
  [
    'a consumed topic without a dead-letter channel: <topic>.dlq',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
        'consumer.yaml': consumer(),
      },
      finding: {
        code: 'missing-dead-letter',
        file: 'producer.yaml',
        pointer: '#/channels/readings',
        includes: 'dead letters go to "sensor.readings.dlq"',
      },
      check: (result, file) => {
        const dlq = result.catalog.topics.find((t) => t.address === 'sensor.readings.dlq');
        expect(dlq).toMatchObject({ kind: 'dead-letter', deadLetterFor: 'sensor.readings', partitions: 3 });
        const topic = result.catalog.topics.find((t) => t.address === 'sensor.readings');
        expect(topic).toMatchObject({ deadLetterTopic: 'sensor.readings.dlq', deadLetterOrigin: 'default' });
        expect(result.catalog.consumerGroups[0]?.subscriptions[0]?.deadLetterTopic).toBe(
          'sensor.readings.dlq',
        );
        expect(file('consumers.ts')).toContain("deadLetterTopic: 'sensor.readings.dlq'");
        expect(file('topics.ts')).toContain('defaulted (lenient mode: the contract declares none)');
        expect(file('topics.ts')).toMatch(
          /topicSpecs: readonly TopicSpec\[] = \[[^\]]*readingsDeadLettersTopic/,
        );
      },
    },
  ],
  [
    'a consumer declares its own dead-letter channel on its operation: no finding',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
        'consumer.yaml': consumer((d) => {
          d.channels.mine = {
            address: 'dashboard.readings.dlq',
            bindings: { kafka: { partitions: 1, replicas: 1 } },
          };
          (d.operations.onReading as Doc)['x-dead-letter-channel'] = { $ref: '#/channels/mine' };
        }),
      },
      check: (result) => {
        expect(result.catalog.consumerGroups[0]?.subscriptions[0]?.deadLetterTopic).toBe(
          'dashboard.readings.dlq',
        );
        expect(result.catalog.topics.find((t) => t.address === 'dashboard.readings.dlq')?.kind).toBe(
          'dead-letter',
        );
        expect(result.catalog.topics.some((t) => t.address === 'sensor.readings.dlq')).toBe(false);
      },
    },
  ],
  [
    'channel parameters without a location: the publisher passes them; consuming subscribes by pattern',
    {
      files: {
        'producer.yaml': producer((d) => {
          const channel = d.channels.readings as Doc;
          channel.address = 'sensor.{site}.readings';
          channel.parameters = { site: { enum: ['north', 'south'], description: 'The site.' } };
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
        'consumer.yaml': consumer(),
      },
      finding: {
        code: 'unsupported',
        file: 'producer.yaml',
        pointer: '#/channels/readings/parameters/site',
        includes: 'consumers subscribe by pattern',
      },
      check: (_result, file) => {
        expect(file('topics.ts')).toMatch(
          /parameters: \[\s*\{\s*name: 'site',\s*enum: \['north', 'south'\],\s*\},\s*\]/,
        );
        expect(file('producers.ts')).toContain("readonly site: 'north' | 'south';");
        expect(file('producers.ts')).toContain('readonly parameters: ReadingsParameters; }');
        // Every value is known, so the concrete topics (and their dead-letter topics) are created up front.
        expect(file('topics.ts')).toContain("name: 'sensor.north.readings'");
        expect(file('topics.ts')).toContain("name: 'sensor.south.readings.dlq'");
        expect(file('topics.ts')).not.toMatch(/topicSpecs[^;]*\{site\}/);
      },
    },
  ],
  [
    'the context is named after info.title, not the file: two asyncapi.yaml files are two contexts',
    {
      files: {
        'a/asyncapi.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
        'b/asyncapi.yaml': {
          asyncapi: '3.0.0',
          info: { title: 'Billing', version: '1.0.0' },
          channels: {},
        },
      },
      finding: { code: 'duplicate-name', file: 'b/asyncapi.yaml', pointer: '#', includes: '' },
      strictOnly: true,
      check: (result) => {
        expect(result.catalog.contexts.map((c) => c.name)).toEqual(['billing', 'sensor-service']);
      },
    },
  ],
  [
    'a dotted event name gets a safe identifier; ce_type keeps it',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            name: 'com.example.sensor.Reading',
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
      },
      finding: {
        code: 'invalid-value',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading',
        includes: 'ce_type keeps the name',
      },
      check: (result, file) => {
        expect(result.catalog.events[0]?.name).toBe('com.example.sensor.Reading');
        expect(file('events.ts')).toContain("type: 'com.example.sensor.Reading',");
        expect(file('topics.ts')).toContain("'com.example.sensor.Reading':");
      },
    },
  ],
  [
    'a channel without an address (a reply channel) is left out with its operations',
    {
      files: {
        'producer.yaml': producer((d) => {
          d.channels.replies = { address: null, messages: {} };
          d.operations.reply = { action: 'send', channel: { $ref: '#/channels/replies' } };
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
      },
      finding: {
        code: 'unsupported',
        file: 'producer.yaml',
        pointer: '#/channels/replies',
        includes: 'left out of the SDK',
      },
      check: (result) => {
        expect(result.catalog.topics.map((t) => t.address)).toEqual(['sensor.readings']);
      },
    },
  ],
  [
    'a non-JSON content type is sent as JSON',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            contentType: 'application/avro',
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
      },
      finding: {
        code: 'unsupported',
        file: 'producer.yaml',
        pointer: '#/components/messages/reading/contentType',
        includes: 'it is sent as JSON',
      },
      check: (result) => expect(result.catalog.events[0]?.contentType).toBe('application/json'),
    },
  ],
  [
    'an address Kafka would refuse is refused in every mode, naming the mapping',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.channels.readings as Doc).address = 'sensor/readings';
        }),
      },
      always: {
        code: 'invalid-value',
        file: 'producer.yaml',
        pointer: '#/channels/readings',
        includes: '"topicNames"',
      },
    },
  ],
  [
    'an address mapped by the config generates under its Kafka name',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d.channels.readings as Doc).address = 'sensor/readings';
          (d.components.messages as Doc).reading = {
            ...((d.components.messages as Doc).reading as Doc),
            'x-partition-key': '$message.payload#/sensorId',
          };
        }),
      },
      topicNames: { 'sensor/readings': 'sensor.readings' },
      check: (result) => expect(result.catalog.topics.map((t) => t.address)).toEqual(['sensor.readings']),
    },
  ],
  [
    'a document for another protocol is refused in every mode',
    {
      files: {
        'producer.yaml': producer((d) => {
          (d as Doc).servers = { broker: { host: 'test.mosquitto.org', protocol: 'mqtt' } };
          delete (d.channels.readings as Doc).bindings;
        }),
      },
      always: {
        code: 'unsupported',
        file: 'producer.yaml',
        pointer: '#/servers/broker/protocol',
        includes: 'targets mqtt',
      },
    },
  ],
];

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

async function run(c: Case, mode: 'strict' | 'lenient'): Promise<GenerateResult | Diagnostic[]> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'lenient-'));
  scratch.push(cwd);
  for (const [name, doc] of Object.entries(c.files)) {
    await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
    await writeFile(path.join(cwd, name), stringify(doc));
  }
  const config = c.topicNames
    ? parseConfig(JSON.stringify({ topicNames: c.topicNames }), path.join(cwd, 'c.json'), 'c.json').config
    : NO_CONFIG;
  try {
    return await generate({ input: cwd, outDir: path.join(cwd, 'out'), runtimeEntry, cwd, mode, config });
  } catch (error) {
    if (error instanceof ContractError) return [...error.diagnostics];
    throw error;
  }
}

function expectFinding(
  diagnostics: readonly Diagnostic[],
  want: Expect,
  severity: 'error' | 'warning',
): void {
  const at = diagnostics.filter(
    (d) =>
      d.code === want.code && d.file === want.file && d.pointer === want.pointer && d.severity === severity,
  );
  const where = `${severity} ${want.code} at ${want.file} ${want.pointer} in:\n${JSON.stringify(diagnostics, null, 1)}`;
  expect(at, where).not.toEqual([]);
  expect(
    at.some((d) => d.message.includes(want.includes)),
    `${where}\nsaying "${want.includes}"`,
  ).toBe(true);
}

describe.each(cases)('%s', (_name, c) => {
  it('strict mode', async () => {
    const result = await run(c, 'strict');
    const problem = c.always ?? c.finding;
    if (problem === undefined) {
      expect(Array.isArray(result), 'generates in strict mode too').toBe(false);
      return;
    }
    expect(Array.isArray(result), 'strict mode refuses it').toBe(true);
    // Strict mode states the rule; the lenient default is lenient mode's to say.
    expectFinding(
      result as Diagnostic[],
      { ...problem, includes: c.always ? problem.includes : '' },
      'error',
    );
  });

  it('lenient mode', async () => {
    const result = await run(c, 'lenient');
    if (c.always) {
      expect(Array.isArray(result), 'refused in lenient mode too').toBe(true);
      expectFinding(result as Diagnostic[], c.always, 'error');
      return;
    }
    expect(Array.isArray(result) ? result.filter((d) => d.severity === 'error') : [], 'no errors').toEqual(
      [],
    );
    const generated = result as GenerateResult;
    if (c.finding && !c.strictOnly) expectFinding(generated.diagnostics, c.finding, 'warning');
    const file = (name: string) => generated.files.find((f) => f.path === name)?.content ?? `(no ${name})`;
    c.check?.(generated, file);
  });
});
