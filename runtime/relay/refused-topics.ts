/**
 * Topics Kafka refused as a whole (unknown, not authorized): left out of this
 * instance's claims until their back-off ends, for longer each time a topic is
 * refused again (core's backoff), and forgotten once Kafka takes a record of it.
 */
import { type Backoff, backoffMs } from '../core/backoff.ts';

export class RefusedTopics {
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #topics = new Map<string, { until: number; times: number }>();

  constructor(backoff: Backoff, now: () => number = Date.now) {
    this.#backoff = backoff;
    this.#now = now;
  }

  /** Topics to leave out of claims now. */
  current(): string[] {
    if (this.#topics.size === 0) return [];
    const now = this.#now();
    const out: string[] = [];
    for (const [topic, state] of this.#topics) if (state.until > now) out.push(topic);
    return out;
  }

  refuse(topic: string): void {
    const times = (this.#topics.get(topic)?.times ?? 0) + 1;
    this.#topics.set(topic, { times, until: this.#now() + backoffMs(this.#backoff, times) });
  }

  /** Kafka took records of these topics: forget earlier refusals. */
  accepted(rows: readonly { readonly topic: string }[]): void {
    if (this.#topics.size === 0) return;
    for (const row of rows) this.#topics.delete(row.topic);
  }
}
