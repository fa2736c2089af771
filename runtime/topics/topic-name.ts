/**
 * What Kafka accepts as a topic name: 1 to 249 characters of ASCII letters,
 * digits, `.`, `_` and `-`, and not `.` or `..`. Checked by the generator on
 * channel addresses and by the runtime on the parameter values publishers pass.
 */
import { fillTemplate } from './address-template.ts';

export const MAX_TOPIC_NAME_LENGTH = 249;

/** True when every character of `text` may stand in a topic name. */
export function hasOnlyTopicNameCharacters(text: string): boolean {
  return /^[A-Za-z0-9._-]*$/.test(text);
}

/** Why Kafka would refuse `name` as a topic name, or undefined when it is legal. */
export function kafkaTopicProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    return `it is ${name.length} characters long (at most ${MAX_TOPIC_NAME_LENGTH})`;
  if (name === '.' || name === '..') return `"${name}" is reserved`;
  const bad = [...new Set(name.replace(/[A-Za-z0-9._-]/g, ''))];
  if (bad.length > 0)
    return `it holds ${bad.map((c) => JSON.stringify(c)).join(', ')} (only ASCII letters, digits, ".", "_" and "-" are allowed)`;
  return undefined;
}

/** The same for an address template (`tenant.{tenantId}.orders`): each parameter counts as one legal character. */
export function addressTemplateProblem(template: string): string | undefined {
  return kafkaTopicProblem(fillTemplate(template, () => 'p'));
}
