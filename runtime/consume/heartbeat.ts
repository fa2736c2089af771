/** Heartbeating the group while one long step (a transaction, a dead-letter publish) runs. */
import type { BatchScope } from '../kafka/consumer-port.ts';

/** Heartbeats in the background while one long step runs; a rebalance it reports ends the batch after that step. */
export class BackgroundHeartbeat {
  readonly #scope: BatchScope;
  readonly #everyMs: number;
  #error: { readonly value: unknown } | undefined;

  constructor(scope: BatchScope, everyMs: number) {
    this.#scope = scope;
    this.#everyMs = everyMs;
  }

  async during<T>(step: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      this.#scope.heartbeat().catch((error: unknown) => {
        this.#error ??= { value: error };
      });
    }, this.#everyMs);
    try {
      return await step();
    } finally {
      clearInterval(timer);
    }
  }

  /** Rethrows what a background heartbeat reported (a rebalance, typically), so the port can rejoin. */
  rethrow(): void {
    if (this.#error) throw this.#error.value;
  }
}
