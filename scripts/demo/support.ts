/**
 * What both demo scenarios share: printing (a clock from the start, bold and
 * dim when the terminal has colour), JSON calls to the services that fail the
 * demo on an unexpected status, the consumer groups the running services
 * report on `/ready`, and steps that wait until every event a step caused was
 * handled by every group of its topic (event-tap.ts).
 */
import { catalog } from '../../generated/index.ts';
import { kafkaBrokersFromEnv } from '../../runtime/kafka/kafkajs.ts';
import { type EventTap, startEventTap, type TappedEvent } from './event-tap.ts';

const env = process.env;
const color = process.stdout.isTTY && !env.NO_COLOR;
export const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
export const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const t0 = Date.now();
export const clock = () => dim(`+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`);
export const say = (line: string) => console.log(line);

/** A step of the scenario did not do what it should; the message says what. */
export class DemoFailure extends Error {}

export type Http = <T = Record<string, unknown>>(
  service: string,
  method: string,
  path: string,
  options?: { body?: unknown; token?: string; expect?: number | number[]; quiet?: boolean },
) => Promise<T>;

/** JSON calls to the services in `urls`; an unexpected status fails the demo with the answer. */
export function createHttp(urls: Readonly<Record<string, string>>): Http {
  return async <T = Record<string, unknown>>(
    service: string,
    method: string,
    path: string,
    options: { body?: unknown; token?: string; expect?: number | number[]; quiet?: boolean } = {},
  ): Promise<T> => {
    const base = urls[service];
    if (!base) throw new DemoFailure(`no URL for service ${service}`);
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const expected = options.expect ?? (method === 'POST' ? [200, 201] : [200]);
    const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
    if (!ok) throw new DemoFailure(`${method} ${base}${path} answered ${res.status}: ${text}`);
    if (!options.quiet) say(`  ${clock()} ${method} ${service}${path} → ${res.status}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

/** The running consumer group ids, from each service's /ready (ids may carry a suffix, e.g. a fresh group). */
export async function runningGroups(urls: Readonly<Record<string, string>>): Promise<string[]> {
  const groups: string[] = [];
  const down: string[] = [];
  for (const [name, url] of Object.entries(urls)) {
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3_000) });
      const body = (await res.json()) as { consumers?: Record<string, string> };
      if (res.status !== 200) down.push(`${name} (${url}) is not ready: ${JSON.stringify(body)}`);
      groups.push(...Object.keys(body.consumers ?? {}).filter((g) => g !== 'live-push'));
    } catch (err) {
      down.push(`${name} (${url}) does not answer: ${(err as Error).message}`);
    }
  }
  if (down.length > 0) {
    throw new DemoFailure(
      `the system is not running:\n  ${down.join('\n  ')}\nStart it with \`npm start\` (in another terminal) and run the demo again.`,
    );
  }
  return [...new Set(groups)];
}

/** The running groups that handle `topic` according to the contracts. */
export function groupsOfTopic(running: readonly string[]): (topic: string) => string[] {
  return (topic) => {
    const contract = catalog.topics.find((t) => t.name === topic)?.consumerGroups ?? [];
    return running.filter((g) => contract.some((c) => g === c || g.startsWith(`${c}-`))).sort();
  };
}

export function printEvent(e: TappedEvent, describe: (e: TappedEvent) => string): void {
  say(
    `  ${clock()} ${bold('event')} ${e.type.padEnd(23)} ${e.topic}  partition ${e.partition}  offset ${e.offset}  key ${JSON.stringify(e.key)}`,
  );
  say(`           ${dim(describe(e))}`);
  // From the event's own time (ce_time, when the service wrote it) to the group's commit seen here.
  const by = e.groups.map((g) => `${g} ${Math.max(0, e.handled.get(g)! - e.time)} ms`);
  say(`           handled by ${by.length > 0 ? by.join(', ') : 'no consumer group'}`);
}

export interface Scenario {
  readonly tap: EventTap;
  /** Runs a step, then waits until its events are handled; an event left unhandled marks the demo failed. */
  step(title: string, run: () => Promise<void>): Promise<void>;
  /** Marks the demo failed with a ✗ line. */
  fail(message: string): void;
  readonly failed: boolean;
}

/** Taps `topics`, lists which running groups handle each, and gives the scenario its steps. */
export async function startScenario(options: {
  readonly urls: Readonly<Record<string, string>>;
  readonly topics: readonly string[];
  readonly describe: (e: TappedEvent) => string;
}): Promise<Scenario> {
  const groupsOf = groupsOfTopic(await runningGroups(options.urls));
  for (const topic of options.topics)
    say(`  ${topic.padEnd(28)} → ${groupsOf(topic).join(', ') || '(no group running)'}`);
  const tap = await startEventTap({
    brokers: kafkaBrokersFromEnv(),
    topics: options.topics,
    groupsOf,
    onHandled: (e) => printEvent(e, options.describe),
  });
  let failed = false;
  const fail = (message: string) => {
    failed = true;
    say(`  ✗ ${message}`);
  };
  return {
    tap,
    fail,
    get failed() {
      return failed;
    },
    async step(title, run) {
      say(`\n${bold(title)}`);
      await run();
      for (const e of await tap.settle()) {
        const missing = e.groups.filter((g) => !e.handled.has(g));
        fail(
          `${e.type} ${e.topic}/${e.partition}@${e.offset} not handled within 30 s by ${missing.join(', ')}`,
        );
      }
    },
  };
}
