import { describe, expect, it } from 'vitest';
import { LANES, laneOf, planLanes } from './lanes.ts';

describe('planLanes', () => {
  it('gives a lone worker every free lane', () => {
    const plan = planLanes({ lanes: LANES, members: 1, mine: [], heldByOthers: new Set() });
    expect(plan.target).toBe(64);
    expect(plan.release).toEqual([]);
    expect(plan.acquire).toHaveLength(64);
  });

  it('gives back the lanes above the fair share when a worker joins', () => {
    const mine = Array.from({ length: 64 }, (_, i) => i);
    const plan = planLanes({ lanes: LANES, members: 2, mine, heldByOthers: new Set() });
    expect(plan.target).toBe(32);
    expect(plan.release).toEqual(mine.slice(32));
    expect(plan.acquire).toEqual([]);
  });

  it('takes only lanes nobody holds, from its start, up to its share', () => {
    const heldByOthers = new Set(Array.from({ length: 32 }, (_, i) => i));
    const plan = planLanes({ lanes: LANES, members: 2, mine: [], heldByOthers, start: 30 });
    expect(plan.acquire).toEqual(Array.from({ length: 32 }, (_, i) => 32 + i));
  });

  it('rounds the share up, so every lane has an owner with any number of workers', () => {
    for (let members = 1; members <= 70; members++) {
      const { target } = planLanes({ lanes: LANES, members, mine: [], heldByOthers: new Set() });
      expect(target * members).toBeGreaterThanOrEqual(LANES);
    }
  });

  it('takes the lanes of a worker that died (fewer members, its locks gone)', () => {
    const mine = Array.from({ length: 22 }, (_, i) => i);
    const plan = planLanes({ lanes: LANES, members: 2, mine, heldByOthers: new Set([40, 41]) });
    expect(plan.target).toBe(32);
    expect(plan.acquire).toHaveLength(10);
    expect(plan.acquire.some((l) => l === 40 || l === 41 || l < 22)).toBe(false);
  });
});

describe('laneOf', () => {
  it('is the first byte of md5(topic key) mod 64, stable and within range', () => {
    // md5('user.events 42') starts with 0x8e (= 142; 142 & 63 = 14), the value PostgreSQL computes too.
    expect(laneOf('user.events', '42')).toBe(14);
    for (let i = 0; i < 500; i++) {
      const lane = laneOf('message.events', String(i));
      expect(lane).toBeGreaterThanOrEqual(0);
      expect(lane).toBeLessThan(LANES);
    }
  });
});
