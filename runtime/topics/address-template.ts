/**
 * Channel address templates (`env.{env}.orders`): one parsing of a template
 * serves every use of it, subscribing by pattern, reading the parameters back
 * from a concrete topic name, and filling the template in.
 */

interface ParsedTemplate {
  /** Parameter names, in the order they appear. */
  readonly names: readonly string[];
  /** Matches the concrete topic names of the template; group i+1 is parameter `names[i]` (never a `.`). */
  readonly pattern: RegExp;
}

const parsed = new Map<string, ParsedTemplate>();
const NO_PARAMETERS: Readonly<Record<string, string>> = Object.freeze({});

function parse(template: string): ParsedTemplate {
  let found = parsed.get(template);
  if (!found) {
    const names: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^.]+)';
      })
      .join('');
    found = { names, pattern: new RegExp(`^${source}$`) };
    parsed.set(template, found);
  }
  return found;
}

/** What a consumer subscribes to: the name itself, or for a template the pattern of its topics. */
export function subscriptionOf(template: string): string | RegExp {
  return template.includes('{') ? parse(template).pattern : template;
}

/** The parameters of a template read back from one of its concrete topic names; empty when none match. */
export function parametersOf(template: string, topic: string): Readonly<Record<string, string>> {
  if (!template.includes('{')) return NO_PARAMETERS;
  const { names, pattern } = parse(template);
  const match = pattern.exec(topic);
  if (!match) return NO_PARAMETERS;
  return Object.freeze(Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? ''])));
}

/** The template with each `{name}` replaced by `value(name)`; a parameter without a value stays `{name}`. */
export function fillTemplate(template: string, value: (name: string) => string | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (whole, name: string) => value(name) ?? whole);
}
