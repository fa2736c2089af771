/** How the @platformatic/kafka adapter reads the library's errors (the broker behaviour is in test/integration). */
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { classifyPlatformaticError, describePlatformaticError } from './platformatic-producer.ts';

describe('classifyPlatformaticError', () => {
  it('retries connection loss, timeouts and leader moves', () => {
    expect(classifyPlatformaticError(new NetworkError('Connection closed')).failure).toBe('retriable');
    expect(classifyPlatformaticError(new TimeoutError('Request timed out')).failure).toBe('retriable');
    const wrapped = new MultipleErrors('produce failed 4 times.', [
      new ProtocolError('NOT_LEADER_OR_FOLLOWER'),
    ]);
    expect(classifyPlatformaticError(wrapped)).toEqual({
      failure: 'retriable',
      type: 'NOT_LEADER_OR_FOLLOWER',
    });
  });

  it("retries an unknown topic inside the window, whether a protocol error or the metadata call's bare UserError", () => {
    expect(classifyPlatformaticError(new ProtocolError('UNKNOWN_TOPIC_OR_PARTITION'))).toEqual({
      failure: 'retriable',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect(classifyPlatformaticError(new UserError('Unknown topic orders.'))).toEqual({
      failure: 'retriable',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });

  it('retries after the idempotent producer lost its state (the library takes a new producer id itself)', () => {
    const err = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'),
    ]);
    expect(classifyPlatformaticError(err).failure).toBe('retriable');
  });

  it('reports records Kafka refuses, and records the client cannot serialise, as refused', () => {
    const tooLarge = new MultipleErrors('produce failed 1 times.', [new ProtocolError('MESSAGE_TOO_LARGE')]);
    expect(classifyPlatformaticError(tooLarge)).toEqual({ failure: 'refused', type: 'MESSAGE_TOO_LARGE' });
    expect(classifyPlatformaticError(new UserError('Failed to serialize a message.')).failure).toBe(
      'refused',
    );
    expect(classifyPlatformaticError('not an error').failure).toBe('refused');
  });
});

describe('describePlatformaticError', () => {
  it("adds the nested Kafka error to the library's generic message", () => {
    const err = new MultipleErrors('Producing messages failed.', [new ProtocolError('MESSAGE_TOO_LARGE')]);
    expect(describePlatformaticError(err)).toMatch(/^Producing messages failed\. \(MESSAGE_TOO_LARGE: /);
    expect(describePlatformaticError(new NetworkError('Connection closed'))).toBe('Connection closed');
  });
});
