/**
 * One PostgreSQL transaction over records of one partition, the runtime's only
 * transaction scaffolding (a run of a batch, and each retry of one record):
 *
 *   BEGIN
 *   claim every event id in one INSERT … unnest … ON CONFLICT DO NOTHING RETURNING
 *   per record, in order: skipped │ duplicate (not claimed) │ handler(event, { db })
 *   DELETE the claims of the records not finished (only when the unit stopped early)
 *   COMMIT (ROLLBACK when no handler ran)
 *
 * Fenced: each handler's writes are in a savepoint of their own (savepoint.ts), so a
 * failing handler rolls back only its own and the records before it commit.
 * Unfenced: handlers share the transaction as it is, and consecutive events of a
 * type whose handler has the batch form go to it in one call; a handler that
 * fails after writing (or any batch handler failing) rolls back the whole unit
 * (`aborted`), one that fails without having written ends it like a fenced failure. A COMMIT that PostgreSQL answers with
 * ROLLBACK (a statement failed and a handler went on) is `unattributed`.
 */
import type { Pool, PoolClient } from 'pg';
import type { HandlerContext } from '../contract/events.ts';
import type { ConsumedRecord } from '../kafka/consumer-port.ts';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.ts';
import type { AnyReceivedEvent } from './decode.ts';
import { beginAndClaim, releaseClaims } from './processed-events.ts';
import type { AnyBatchHandler, RoutedHandler, RunDecision } from './routes.ts';
import { BatchSavepoints, handlerClient } from './savepoint.ts';

/** A record of a unit with what the contract says about it. */
export interface RunItem {
  readonly record: ConsumedRecord;
  readonly decision: RunDecision;
}

export type ItemOutcome = 'handled' | 'duplicate' | 'skipped';

export type UnitResult =
  /** `done` records (a prefix) committed with these outcomes; `failure`: the record after them failed (its writes rolled back). */
  | {
      readonly kind: 'committed';
      readonly done: number;
      readonly outcomes: readonly ItemOutcome[];
      readonly failure?: { readonly error: unknown };
    }
  /** Unfenced: the handler of record `at` failed after writing; the whole unit was rolled back. */
  | { readonly kind: 'aborted'; readonly at: number; readonly error: unknown }
  /** COMMIT answered ROLLBACK, or refused with an error of the transaction's own, with no handler to blame: nothing committed. */
  | { readonly kind: 'unattributed'; readonly error: unknown }
  /** PostgreSQL unreachable or the connection failed (at COMMIT: outcome unknown, the claims decide on a rerun). */
  | { readonly kind: 'infrastructure'; readonly error: unknown; readonly atCommit: boolean };

export interface UnitOptions {
  readonly pool: Pool;
  readonly groupId: string;
  readonly metrics: RuntimeMetrics;
  /** Handed to handlers as `context.signal`. */
  readonly signal: AbortSignal;
  readonly handlerFor: (event: AnyReceivedEvent) => RoutedHandler;
  /** `context.attempt`. */
  readonly attempt: number;
  /** Each handler's writes in a savepoint of their own. */
  readonly fenced: boolean;
  /** Asked before each record after the first; false ends the unit there (what is done commits). */
  readonly goOn: (startedAt: number) => boolean;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** The unit's records in one transaction; see the module comment for what each result means. */
export async function runUnitOfWork(items: readonly RunItem[], options: UnitOptions): Promise<UnitResult> {
  const { pool, groupId, metrics, signal } = options;
  const { topic, partition } = items[0]!.record;

  // The first record with each event id claims it; a repeat within the unit is a duplicate of it.
  const claimant = new Map<string, number>();
  const ids: string[] = [];
  const offsets: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const { decision, record } = items[i]!;
    if (decision.kind !== 'dispatch' || claimant.has(decision.event.id)) continue;
    claimant.set(decision.event.id, i);
    ids.push(decision.event.id);
    offsets.push(record.offset);
  }
  if (ids.length === 0) {
    // Nothing to handle (types the group does not subscribe to): no transaction at all.
    return { kind: 'committed', done: items.length, outcomes: items.map(() => 'skipped') };
  }

  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    return { kind: 'infrastructure', error, atCommit: false };
  }
  // A client whose transaction state is unknown is destroyed, not returned to the pool.
  let broken: Error | undefined;
  // The pool listens for errors of idle clients only: a backend that ends while this client is checked
  // out (terminated, failover) between queries would emit an unhandled 'error' and end the process.
  // The next query rejects and says what happened; this only keeps the client from going back.
  const onError = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', onError);
  const fail = (error: unknown, atCommit: boolean): UnitResult => {
    broken = asError(error);
    return { kind: 'infrastructure', error, atCommit };
  };
  try {
    let claimed: Set<string>;
    try {
      claimed = await beginAndClaim(client, groupId, topic, partition, ids, offsets);
    } catch (error) {
      return fail(error, false);
    }

    const started = Date.now();
    const savepoints = options.fenced ? new BatchSavepoints(client) : undefined;
    const shared = savepoints ? undefined : new SharedDb(client);
    // One context for every handler of the unit: nothing of it changes between records.
    const context: HandlerContext = { attempt: options.attempt, signal, db: savepoints?.db ?? shared!.db };
    const outcomes: ItemOutcome[] = [];
    let handled = 0;
    // One label set per event type of the unit (mostly one), not one per record.
    let labels = { group: groupId, topic, event_type: '' };
    const observe = (event: AnyReceivedEvent, startedAt: number): void => {
      if (labels.event_type !== event.type || labels.topic !== event.topic) {
        labels = { group: groupId, topic: event.topic, event_type: event.type };
      }
      metrics.handlerDuration.observe(labels, (performance.now() - startedAt) / 1000);
    };
    let failure: { readonly error: unknown } | undefined;
    /** Unfenced: consecutive events of one type waiting for their batch handler. */
    let segment: Segment | undefined;
    /** Unfenced: a failing batch handler; nothing of the unit commits. */
    let aborted: { readonly at: number; readonly error: unknown } | undefined;
    const flush = async (): Promise<void> => {
      if (!segment) return;
      const { handler, events, at } = segment;
      segment = undefined;
      const startedAt = performance.now();
      try {
        const pending = handler(events, context);
        if (pending) await pending;
      } catch (error) {
        aborted = { at, error };
      } finally {
        observe(events[0]!, startedAt);
      }
    };
    for (let i = 0; i < items.length; i++) {
      // Bounded: a slow unit commits what it has, so locks are short and the next one starts fresh.
      if (i > 0 && !options.goOn(started)) break;
      const { decision } = items[i]!;
      if (decision.kind === 'skip') {
        outcomes.push('skipped');
        continue;
      }
      const { event } = decision;
      if (claimant.get(event.id) !== i || !claimed.has(event.id)) {
        outcomes.push('duplicate');
        continue;
      }
      const handler = options.handlerFor(event);
      if (shared && handler.batch) {
        if (segment && segment.type === event.type) {
          segment.events.push(event);
        } else {
          if (segment) await flush();
          if (aborted) break;
          segment = { type: event.type, handler: handler.batch, events: [event], at: i };
        }
        outcomes.push('handled');
        handled += 1;
        continue;
      }
      if (segment) {
        await flush();
        if (aborted) break;
      }
      savepoints?.begin();
      const queriesBefore = shared?.queries ?? 0;
      const startedAt = performance.now();
      let thrown: { readonly error: unknown } | undefined;
      try {
        const pending = handler.each(event, context);
        if (pending) await pending;
      } catch (error) {
        thrown = { error };
      } finally {
        observe(event, startedAt);
      }
      // A handler that threw nothing and never touched `context.db` has no savepoint to settle.
      if (savepoints && (thrown || savepoints.touched)) {
        const settled = await savepoints.settle(thrown);
        if (settled.kind === 'broken') return fail(settled.error, false);
        if (settled.kind === 'failed') {
          failure = { error: settled.error };
          break;
        }
      } else if (thrown) {
        if (shared!.queries !== queriesBefore) {
          // Its writes cannot be told apart from the others': nothing of the unit commits.
          aborted = { at: i, error: thrown.error };
          break;
        }
        failure = thrown;
        break;
      }
      outcomes.push('handled');
      handled += 1;
    }
    if (segment && !aborted) await flush();
    if (aborted) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = asError(rollbackError);
      }
      return { kind: 'aborted', at: aborted.at, error: aborted.error };
    }

    const done = outcomes.length;
    try {
      if (handled === 0) {
        // No effect to keep: the claims (of records not handled) go too.
        await client.query('ROLLBACK');
      } else {
        // Claims of the records not finished go with the transaction, so no claim commits without its effect.
        const unfinished: string[] = [];
        for (const id of ids) {
          if (claimant.get(id)! >= done && claimed.has(id)) unfinished.push(id);
        }
        await releaseClaims(client, groupId, unfinished);
        const commit = await client.query('COMMIT');
        // PostgreSQL answers COMMIT of a transaction an earlier statement aborted with ROLLBACK, not an error.
        if (commit.command === 'ROLLBACK') {
          return {
            kind: 'unattributed',
            error: new Error(
              'the transaction was rolled back at COMMIT: a statement of a handler failed and the handler went on',
            ),
          };
        }
      }
    } catch (error) {
      // PostgreSQL refused the transaction itself (a deferred constraint, a trigger raising at COMMIT):
      // it is rolled back, and running it again as it is fails again. Find the record one by one.
      if (refusedByTransaction(error)) {
        broken = asError(error);
        return { kind: 'unattributed', error };
      }
      // COMMIT failing leaves its outcome unknown: running the records again is safe (claims decide).
      return fail(error, true);
    }
    return failure ? { kind: 'committed', done, outcomes, failure } : { kind: 'committed', done, outcomes };
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * An error PostgreSQL answered (it has a SQLSTATE and a severity) that the transaction's own statements
 * caused: not a lost connection (08), a serialization failure or deadlock (40), a lack of resources (53),
 * an operator's intervention (57) or a system error (58, XX), which are the infrastructure's.
 */
function refusedByTransaction(error: unknown): boolean {
  if (!(error instanceof Error) || !('severity' in error) || !('code' in error)) return false;
  const { code } = error;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return false;
  return !['08', '40', '53', '57', '58', 'XX'].includes(code.slice(0, 2));
}

/** Consecutive claimed events of one type, for one call of its batch handler. */
interface Segment {
  readonly type: string;
  readonly handler: AnyBatchHandler;
  readonly events: AnyReceivedEvent[];
  /** Index of the first of them in the unit. */
  readonly at: number;
}

/** `context.db` of unfenced handlers: the unit's client, counting queries, which handlers may not release. */
class SharedDb {
  queries = 0;
  readonly db: PoolClient;

  constructor(client: PoolClient) {
    // pg's query has many overloads (text, config, Submittable, callback); the arguments pass through untouched.
    const query = (...args: unknown[]): unknown => {
      this.queries += 1;
      return (client.query as (...a: unknown[]) => unknown).apply(client, args);
    };
    this.db = handlerClient(client, query);
  }
}
