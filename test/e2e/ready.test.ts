/**
 * What `/ready` says about each consumer a service registers: ready while it
 * is a joined member of its group (a rebalance for up to the grace period
 * included); not ready, with the reason, while it starts, is stalled,
 * restarting, failed or stopped; ready again once it rejoins. The consumers
 * here are stand-ins whose status the test sets; test/fault/ready-broker-outage.test.ts
 * drives a real one through a broker outage.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsumerStatus, RunningConsumer } from '../../runtime/contract/events.ts';
import { createServiceApp, REBALANCE_GRACE_MS } from '../../services/shared/app.ts';
import { createServicePool } from '../../services/shared/db.ts';
import { useInfrastructure } from '../support/context.ts';
import { call, silent } from './support.ts';

const infra = useInfrastructure();
const pool = createServicePool(infra.databaseUrl, 'public', 2);

afterAll(async () => {
  await pool.end();
});

/** A consumer whose `ready` and `status()` the test controls. */
function standIn(initial?: ConsumerStatus) {
  let started: () => void = () => {};
  let refused: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  ready.catch(() => {});
  let status = initial;
  const consumer: RunningConsumer = {
    ready,
    stop: async () => {},
    ...(initial ? { status: () => status! } : {}),
  };
  return {
    consumer,
    started: () => started(),
    refuse: (err: Error) => refused(err),
    set: (next: ConsumerStatus) => {
      status = next;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('/ready and the consumers', () => {
  it('follows each consumer’s membership, and says why it is not ready', async () => {
    const kit = createServiceApp({
      name: 'ready-test',
      logger: silent('ready-test'),
      pool,
      defaultMetrics: false,
    });
    const now = Date.now();
    const group = standIn({ state: 'starting', since: now });
    const plain = standIn(); // reports no status: ready once started
    kit.addConsumer('group-a', group.consumer);
    kit.addConsumer('plain', plain.consumer);
    const ready = () => call<{ status: string; consumers: Record<string, string> }>(kit.app, 'GET', '/ready');

    expect(await ready()).toMatchObject({
      status: 503,
      body: { status: 'not_ready', consumers: { 'group-a': 'starting', plain: 'starting' } },
    });
    group.started();
    plain.started();
    group.set({ state: 'joined', since: now, lastContactAt: now });
    await settle();
    expect(await ready()).toMatchObject({
      status: 200,
      body: { consumers: { 'group-a': 'ready', plain: 'ready' } },
    });

    // A rebalance is normal: ready for the grace period, not after.
    group.set({ state: 'rebalancing', since: Date.now() - 1_000 });
    expect((await ready()).status).toBe(200);
    group.set({ state: 'rebalancing', since: Date.now() - REBALANCE_GRACE_MS - 1_000 });
    expect(await ready()).toMatchObject({ status: 503, body: { consumers: { 'group-a': 'rebalancing' } } });

    for (const state of ['restarting', 'stalled', 'failed', 'stopped', 'starting'] as const) {
      group.set({ state, since: Date.now(), error: 'connect ECONNREFUSED' });
      expect(await ready(), state).toMatchObject({ status: 503, body: { consumers: { 'group-a': state } } });
    }

    // Rejoined: ready again.
    group.set({ state: 'joined', since: Date.now(), lastContactAt: Date.now() });
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('is not ready when a consumer could not start, and never again while shutting down', async () => {
    const kit = createServiceApp({
      name: 'ready-test',
      logger: silent('ready-test'),
      pool,
      defaultMetrics: false,
    });
    const broken = standIn({ state: 'joined', since: Date.now() });
    kit.addConsumer('broken', broken.consumer);
    broken.refuse(new Error('table consumer_processed_events does not exist'));
    await settle();
    expect(await call(kit.app, 'GET', '/ready')).toMatchObject({
      status: 503,
      body: { consumers: { broken: 'failed' } },
    });

    const fine = createServiceApp({
      name: 'ready-test',
      logger: silent('ready-test'),
      pool,
      defaultMetrics: false,
    });
    const member = standIn({ state: 'joined', since: Date.now() });
    fine.addConsumer('member', member.consumer);
    member.started();
    await settle();
    expect((await call(fine.app, 'GET', '/ready')).status).toBe(200);
    fine.markShuttingDown();
    expect(await call(fine.app, 'GET', '/ready')).toMatchObject({
      status: 503,
      body: { shuttingDown: true },
    });
  });
});
