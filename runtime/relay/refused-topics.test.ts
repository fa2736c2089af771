import { describe, expect, it } from 'vitest';
import { RefusedTopics } from './refused-topics.ts';

describe('RefusedTopics', () => {
  it('leaves a refused topic out until its back-off ends, longer each time, and forgets it once Kafka takes it', () => {
    let now = 1_000;
    const topics = new RefusedTopics({ initialMs: 100, maxMs: 250 }, () => now);
    expect(topics.current()).toEqual([]);
    topics.refuse('gone');
    expect(topics.current()).toEqual(['gone']);
    now += 100;
    expect(topics.current()).toEqual([]);
    topics.refuse('gone'); // second refusal: 200 ms
    now += 150;
    expect(topics.current()).toEqual(['gone']);
    now += 50;
    expect(topics.current()).toEqual([]);
    topics.refuse('gone');
    topics.refuse('gone'); // capped at 250 ms
    now += 249;
    expect(topics.current()).toEqual(['gone']);
    topics.accepted([{ topic: 'other' }, { topic: 'gone' }]);
    expect(topics.current()).toEqual([]);
    topics.refuse('gone'); // the count starts over: 100 ms
    now += 100;
    expect(topics.current()).toEqual([]);
  });
});
