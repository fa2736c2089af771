/**
 * Keys and address parameters a publisher passes (contracts generated
 * leniently, without a partition-key expression or parameter locations):
 * what prepareEvent accepts, what it sends, and what it refuses.
 */
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { EventDefinition, KeyArgument, TopicDefinition } from '../contract/definitions.ts';
import { parametersOf } from '../topics/address-template.ts';
import { EventValidationError } from './errors.ts';
import { prepareEvent, topicAddress } from './prepare-event.ts';

const anything = Object.assign(() => true, { errors: null }) as unknown as ValidateFunction<unknown>;

function topic(keyArgument: KeyArgument | undefined, name = 'sensor.readings'): TopicDefinition {
  const reading: EventDefinition<'Reading', unknown, unknown> = {
    type: 'Reading',
    topic: name,
    source: 'urn:test',
    schemaVersion: 1,
    contentType: 'application/json',
    ...(keyArgument ? { keyArgument } : {}),
    validatePayload: anything,
    validateHeaders: undefined,
  };
  return {
    name,
    ...(name.includes('{')
      ? {
          parameters: [
            { name: 'site', enum: ['north', 'south'] },
            { name: 'version', pattern: '^v[0-9]+$' },
          ],
        }
      : {}),
    spec: { name, kind: 'event', partitions: 1, replicas: 1, config: {} },
    events: { Reading: reading },
  };
}

const refusal = (run: () => unknown): EventValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof EventValidationError) return error;
    throw error;
  }
  throw new Error('expected an EventValidationError');
};

describe('a key the publisher passes', () => {
  it.each([
    ['optional, absent: a null Kafka key and no ce_subject', undefined, undefined, null],
    ['optional, null', undefined, null, null],
    ['optional, a string', undefined, 'sensor-7', 'sensor-7'],
    ['required integer', { required: true, type: 'integer' } as const, 42, '42'],
    ['required number', { required: true, type: 'number' } as const, 1.5, '1.5'],
    ['required string', { required: true, type: 'string' } as const, 'a', 'a'],
  ])('%s', (_name, rule, key, sent) => {
    const prepared = prepareEvent(topic(rule), { type: 'Reading', payload: {}, key });
    expect(prepared.key).toBe(sent);
    expect(prepared.headers.ce_subject).toBe(sent ?? undefined);
  });

  it.each([
    ['required, absent', { required: true, type: 'integer' } as const, undefined, 'is required'],
    ['required, null', { required: true, type: 'string' } as const, null, 'is required'],
    ['an integer key given a fraction', { required: true, type: 'integer' } as const, 1.5, 'safe integer'],
    ['an integer key given a string', { required: true, type: 'integer' } as const, '1', 'safe integer'],
    ['a number key given NaN', { required: true, type: 'number' } as const, Number.NaN, 'finite'],
    ['a number key given Infinity', { required: true, type: 'number' } as const, Infinity, 'finite'],
    ['a string key given a number', { required: false, type: 'string' } as const, 7, 'must be a string'],
  ])('refuses %s', (_name, rule, key, message) => {
    const error = refusal(() => prepareEvent(topic(rule), { type: 'Reading', payload: {}, key }));
    expect(error.part).toBe('key');
    expect(error.violations[0]).toMatchObject({ path: '/key' });
    expect(error.violations[0]?.message).toContain(message);
  });
});

describe('address parameters the publisher passes', () => {
  const template = topic(undefined, 'sensor.{site}.readings.{version}');

  it('fill the address, and a consumer reads them back from the topic name', () => {
    const prepared = prepareEvent(template, {
      type: 'Reading',
      payload: {},
      parameters: { site: 'north', version: 'v2' },
    });
    expect(prepared.topic).toBe('sensor.north.readings.v2');
    expect(parametersOf(template.name, prepared.topic)).toEqual({ site: 'north', version: 'v2' });
    expect(parametersOf('plain.topic', 'plain.topic')).toEqual({});
  });

  it.each([
    ['missing', { version: 'v1' }, '/parameters/site', 'is required'],
    ['outside its enum', { site: 'east', version: 'v1' }, '/parameters/site', 'must be one of north, south'],
    [
      'not matching its pattern',
      { site: 'north', version: '2' },
      '/parameters/version',
      'must match ^v[0-9]+$',
    ],
    ['empty', { site: '', version: 'v1' }, '/parameters/site', 'non-empty'],
  ])('refuses a parameter %s', (_name, parameters, path, message) => {
    const error = refusal(() => topicAddress(template, parameters as Record<string, string>));
    expect(error.part).toBe('parameters');
    expect(error.violations).toEqual([
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    ]);
  });

  it('refuses a value Kafka would refuse in a topic name, and a name over 249 characters', () => {
    const free: TopicDefinition = { ...template, parameters: [{ name: 'site' }, { name: 'version' }] };
    const slash = refusal(() => topicAddress(free, { site: 'a/b', version: 'v1' }));
    expect(slash.violations[0]?.message).toContain('Kafka topic name');
    const long = refusal(() => topicAddress(free, { site: 'x'.repeat(250), version: 'v1' }));
    expect(long.violations[0]?.message).toContain('at most 249');
  });
});

describe('an event carried by several topics', () => {
  it('goes to the topic it is published through, not to the first topic of its definition', () => {
    const first = topic(undefined, 'first.topic');
    const shared = first.events.Reading!;
    const second: TopicDefinition = { ...first, name: 'second.topic', events: { Reading: shared } };
    expect(shared.topic).toBe('first.topic');
    expect(prepareEvent(second, { type: 'Reading', payload: {} }).topic).toBe('second.topic');
    expect(prepareEvent(first, { type: 'Reading', payload: {} }).topic).toBe('first.topic');
  });
});
