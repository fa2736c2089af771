/**
 * Handlers' shares of a batch transaction: every `context.db` is the batch's
 * client, and each handler's writes are fenced by a savepoint so that a failing
 * handler rolls back only its own effects.
 *
 * Round trips are what a batch costs, so the savepoint work rides along:
 * - the savepoint is opened lazily, just before the handler's first query (queued on
 *   the same client, so it runs first): a handler that never touches the database
 *   costs nothing;
 * - after a handler whose every query resolved, the savepoint is not released at once:
 *   the next handler's opening sends `RELEASE SAVEPOINT; SAVEPOINT` as one message, and
 *   COMMIT releases the last one. A handler that used the database costs one round trip
 *   besides its own statements;
 * - when the runtime cannot see that every statement succeeded (a query failed and the
 *   handler went on, a query still running, the callback or Submittable forms), it asks
 *   PostgreSQL with an explicit RELEASE: in an aborted subtransaction that fails, and the
 *   record counts as failed.
 * At most one savepoint (of one name) exists at any time.
 */
import type { PoolClient } from 'pg';

const NAME = 'contract_events_handler';

export type SavepointOutcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The client's state is unknown (connection lost, savepoint statements failed): the whole transaction is lost. */
  | { readonly kind: 'broken'; readonly error: unknown };

/**
 * The savepoints of one batch transaction, handler after handler: one `db` for all of them
 * (no allocation per record), `begin` before each handler, `settle` after it.
 */
export class BatchSavepoints {
  readonly #client: PoolClient;
  /** A savepoint of an earlier handler is still open (healthy, to be released with the next opening or by COMMIT). */
  #pendingRelease = false;
  #opened: Promise<unknown> | undefined;
  #openError: { readonly value: unknown } | undefined;
  /** Queries whose outcome the runtime cannot see, or that failed: settle asks PostgreSQL. */
  #uncertain = false;
  #running = 0;
  /** Which handler's queries these are (counts handlers). */
  #handler = 0;
  /** What handlers see as `context.db`. */
  readonly db: PoolClient;

  constructor(client: PoolClient) {
    this.#client = client;
    // pg's query has many overloads (text, config, Submittable, callback); the arguments pass through untouched.
    const query = (...args: unknown[]): unknown => {
      this.#open();
      const result = (client.query as (...a: unknown[]) => unknown).apply(client, args);
      if (result instanceof Promise) {
        // A query that outlives its handler tells nothing about the next one.
        const handler = this.#handler;
        this.#running += 1;
        result.then(
          () => {
            if (handler === this.#handler) this.#running -= 1;
          },
          () => {
            if (handler !== this.#handler) return;
            this.#running -= 1;
            this.#uncertain = true;
          },
        );
      } else {
        this.#uncertain = true;
      }
      return result;
    };
    this.db = handlerClient(client, query);
  }

  /** Whether the current handler used `context.db` (its savepoint was opened). */
  get touched(): boolean {
    return this.#opened !== undefined;
  }

  /** Before the next handler: no savepoint of its own until its first query. */
  begin(): void {
    this.#handler += 1;
    this.#opened = undefined;
    this.#openError = undefined;
    this.#uncertain = false;
    this.#running = 0;
  }

  #open(): void {
    if (this.#opened) return;
    const sql = this.#pendingRelease ? `RELEASE SAVEPOINT ${NAME}; SAVEPOINT ${NAME}` : `SAVEPOINT ${NAME}`;
    this.#opened = this.#client.query(sql).catch((error: unknown) => {
      this.#openError = { value: error };
    });
  }

  /** Ends the handler's savepoint after it returned (`failure` undefined) or threw. */
  async settle(failure: { readonly error: unknown } | undefined): Promise<SavepointOutcome> {
    if (!this.#opened) return failure ? { kind: 'failed', error: failure.error } : HANDLED;
    await this.#opened;
    if (this.#openError) return { kind: 'broken', error: this.#openError.value };
    // From here on exactly one savepoint exists: this handler's.
    this.#pendingRelease = false;
    const client = this.#client;
    if (!failure) {
      if (!this.#uncertain && this.#running === 0) {
        this.#pendingRelease = true; // every statement succeeded: release it with the next opening or COMMIT
        return HANDLED;
      }
      try {
        await client.query(`RELEASE SAVEPOINT ${NAME}`);
        return HANDLED;
      } catch (releaseError) {
        failure = {
          error: new Error(
            `a statement of the handler failed and the handler went on; its writes are rolled back (${
              releaseError instanceof Error ? releaseError.message : String(releaseError)
            })`,
          ),
        };
      }
    }
    try {
      await client.query(`ROLLBACK TO SAVEPOINT ${NAME}`);
      await client.query(`RELEASE SAVEPOINT ${NAME}`);
    } catch (error) {
      return { kind: 'broken', error };
    }
    return { kind: 'failed', error: failure.error };
  }
}

const HANDLED: SavepointOutcome = { kind: 'handled' };

/**
 * `context.db` as handlers see it: the transaction's client with `query` replaced by one that
 * counts or tracks, and `release` refused (the runtime owns the client and its transaction).
 */
export function handlerClient(client: PoolClient, query: (...args: unknown[]) => unknown): PoolClient {
  const release = () => {
    throw new Error('context.db belongs to the consumer runtime: do not release it');
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      if (property === 'release') return release;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
