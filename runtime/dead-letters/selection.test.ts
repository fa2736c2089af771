/** Which records a replay or discard selects, and what bad input is refused (pure). */
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { matches, parsePosition, parseSelection, rangesFor } from './selection.ts';
import { deadLetterTopic } from './topics.ts';
import type { DeadLetterView } from './view.ts';

const extents = [
  { partition: 0, low: 0n, high: 2n },
  { partition: 1, low: 5n, high: 9n },
  { partition: 2, low: 0n, high: 0n },
];

describe('parseSelection', () => {
  it('takes a partition range, an event id, a reason and a group, or --all', () => {
    expect(parseSelection({ partition: '1', from: '5', to: '7' })).toEqual({
      partition: 1,
      from: 5n,
      to: 7n,
    });
    expect(parseSelection({ reason: 'handler-failed', group: 'g' })).toEqual({
      reason: 'handler-failed',
      group: 'g',
    });
    expect(parseSelection({ all: true })).toEqual({ all: true });
  });

  it.each([
    [{}, /say which records/],
    [{ all: true, group: 'g' }, /--all selects every record/],
    [{ from: '1' }, /give --partition too/],
    [{ partition: 'x' }, /--partition must be a non-negative integer, got "x"/],
    [{ partition: '0', from: '-1' }, /--from must be a non-negative integer/],
    [{ partition: '0', from: '5', to: '2' }, /bad offset range: --from 5 is after --to 2/],
  ])('refuses %j', (input, message) => {
    expect(() => parseSelection(input)).toThrow(UsageError);
    expect(() => parseSelection(input)).toThrow(message);
  });
});

describe('rangesFor', () => {
  it('checks the partition and the offsets against the topic', () => {
    expect(rangesFor('t.dlq', { all: true }, extents)).toBeUndefined();
    expect(rangesFor('t.dlq', { partition: 1, from: 6n }, extents)).toEqual([{ partition: 1, from: 6n }]);
    expect(() => rangesFor('t.dlq', { partition: 3 }, extents)).toThrow(
      /has no partition 3 \(partitions 0–2\)/,
    );
    expect(() => rangesFor('t.dlq', { partition: 1, from: 9n }, extents)).toThrow(
      /past the end .* offsets 5–8/,
    );
    expect(() => rangesFor('t.dlq', { partition: 1, to: 4n }, extents)).toThrow(
      /before the oldest retained record/,
    );
    expect(() => rangesFor('t.dlq', { partition: 2, from: 0n }, extents)).toThrow(
      /partition 2 of t\.dlq is empty/,
    );
  });
});

describe('matches', () => {
  const view = (reason: string | undefined, group: string, eventId: string) =>
    ({ eventId, provenance: { reason, originalConsumerGroup: group } }) as unknown as DeadLetterView;
  it('combines criteria; --reason none selects dead letters without a reason', () => {
    expect(matches({ reason: 'handler-failed', group: 'g' }, view('handler-failed', 'g', 'e'))).toBe(true);
    expect(matches({ reason: 'handler-failed', group: 'g' }, view('handler-failed', 'h', 'e'))).toBe(false);
    expect(matches({ reason: 'none' }, view(undefined, 'server', 'e'))).toBe(true);
    expect(matches({ reason: 'none' }, view('non-retriable', 'server', 'e'))).toBe(false);
    expect(matches({ eventId: 'e' }, view(undefined, 'g', 'e'))).toBe(true);
  });
});

describe('positions and topics', () => {
  it('reads partition:offset', () => {
    expect(parsePosition('2:17')).toEqual({ partition: 2, offset: 17n });
    expect(() => parsePosition('2-17')).toThrow(/partition:offset/);
  });

  it('knows the contracts’ dead-letter topics, chat and platform, and takes any *.dlq name', () => {
    expect(deadLetterTopic('user.events.dlq')).toEqual({
      name: 'user.events.dlq',
      declared: true,
      deadLetterFor: 'user.events',
    });
    expect(deadLetterTopic('domain.permission-changed.dlq').declared).toBe(true);
    expect(deadLetterTopic('other.team.dlq')).toEqual({
      name: 'other.team.dlq',
      declared: false,
      deadLetterFor: 'other.team',
    });
    expect(() => deadLetterTopic('user.events')).toThrow(
      /event topic, not a dead-letter topic: its dead letters are in user\.events\.dlq/,
    );
    expect(() => deadLetterTopic('nope')).toThrow(/unknown dead-letter topic nope/);
  });
});
