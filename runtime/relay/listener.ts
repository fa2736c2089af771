/**
 * The relay's listener session: LISTEN on the outbox channel (the table's
 * insert trigger notifies it with the schema's name) and wake the workers.
 * When the connection fails the workers go on polling, and the listener
 * reconnects through the relay's retrier, waking the workers once it is back
 * (rows committed meanwhile were not notified). Housekeeping borrows the
 * session while it is connected.
 */
import type pg from 'pg';
import { errorDetails, type Logger } from '../core/logger.ts';
import type { Retrier } from '../core/retrier.ts';
import { quoteIdent } from '../db/migrate.ts';
import { LISTENER_SESSION_SETUP } from './statements.ts';

export const OUTBOX_CHANNEL = 'domain_event_outbox';

export interface ListenerContext {
  /** Notifications with this payload are ours. */
  readonly schema: string;
  readonly session: () => pg.Client;
  readonly retrier: Retrier;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Called on each notification of this schema, and after a reconnect. */
  readonly wake: () => void;
}

export class OutboxListener {
  readonly #context: ListenerContext;
  #client: pg.Client | undefined;
  #reconnecting: Promise<void> | undefined;

  constructor(context: ListenerContext) {
    this.#context = context;
  }

  /** The connected session, or undefined while it is down. */
  get client(): pg.Client | undefined {
    return this.#client;
  }

  /** Connects and listens; rejects when PostgreSQL cannot be reached. */
  async connect(): Promise<void> {
    const { session, schema, wake, log } = this.#context;
    const client = session();
    client.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL && n.payload === schema) wake();
    });
    client.on('error', (err) => {
      log.warn('outbox relay: listener connection failed; polling until it is back', errorDetails(err));
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      this.#reconnect();
    });
    try {
      await client.connect();
      await client.query(LISTENER_SESSION_SETUP);
      await client.query(`LISTEN ${quoteIdent(OUTBOX_CHANNEL)}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => {});
    await this.#reconnecting;
  }

  #reconnect(): void {
    const { retrier, signal, log, wake } = this.#context;
    if (this.#reconnecting || signal.aborted) return;
    this.#reconnecting = retrier(
      async () => {
        if (signal.aborted || this.#client) return;
        await this.connect();
        wake();
      },
      {
        signal,
        onRetry: (err, attempt, delayMs) => {
          log.warn('outbox relay: listener reconnect failed', { attempt, delayMs, ...errorDetails(err) });
        },
      },
    )
      .catch(() => {
        // Only when stopping, or when an injected retrier gives up: the workers keep polling.
      })
      .finally(() => {
        this.#reconnecting = undefined;
      });
  }
}
