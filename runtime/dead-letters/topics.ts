/**
 * Which topics are dead-letter topics: those the contracts declare (generated/topics.ts, chat and
 * platform alike), plus any `*.dlq` topic named explicitly (a test's, another team's).
 */
import { topicSpecs } from '../../generated/topics.ts';
import type { TopicSpec } from '../topics/topic-spec.ts';
import { UsageError } from './errors.ts';

export interface DeadLetterTopic {
  readonly name: string;
  /** The event topic it serves, when the contracts say. */
  readonly deadLetterFor?: string;
  /** Declared in the contracts (else named on the command line). */
  readonly declared: boolean;
}

/** The contracts' dead-letter topics, by name. */
export function declaredDeadLetterTopics(specs: readonly TopicSpec[] = topicSpecs): DeadLetterTopic[] {
  return specs
    .filter((s) => s.kind === 'dead-letter')
    .map((s) => ({
      name: s.name,
      declared: true,
      ...(s.deadLetterFor !== undefined ? { deadLetterFor: s.deadLetterFor } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A topic named on the command line: a declared dead-letter topic or any name ending in `.dlq`.
 * Whether it exists on the broker is checked when it is read.
 */
export function deadLetterTopic(name: string, specs: readonly TopicSpec[] = topicSpecs): DeadLetterTopic {
  const declared = declaredDeadLetterTopics(specs).find((t) => t.name === name);
  if (declared) return declared;
  if (name.endsWith('.dlq') && name.length > '.dlq'.length) {
    return { name, declared: false, deadLetterFor: name.slice(0, -'.dlq'.length) };
  }
  const event = specs.find((s) => s.name === name && s.kind === 'event');
  throw new UsageError(
    event?.deadLetterTopic
      ? `${name} is an event topic, not a dead-letter topic: its dead letters are in ${event.deadLetterTopic}`
      : `unknown dead-letter topic ${name}: not declared in the contracts and not a *.dlq name (npm run dlq -- list shows them)`,
  );
}
