import { RULES, type RuleId, type Severity } from './rules.ts';

/** A place in a contract: the file (relative to the repository root) and the JSON pointer. */
export interface Place {
  readonly file: string;
  readonly pointer: string;
}

/** What a finding is about. */
export interface Subject {
  readonly kind: 'event' | 'topic' | 'consumer-group' | 'override';
  readonly name: string;
}

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly subject: Subject;
  readonly message: string;
  /** Where the thing is written at the base revision, when it exists there. */
  readonly base?: Place;
  /** Where it is written in the working tree, when it exists there. */
  readonly head?: Place;
  /** Contexts that publish to the topic concerned. */
  readonly producers: readonly string[];
  /** Consumer groups that read what changed. */
  readonly consumerGroups: readonly string[];
  readonly fix: string;
  /** The override that lets this breaking finding pass, when the head contract adds one. */
  readonly overriddenBy?: { readonly reason: string; readonly at: Place };
}

/** A finding with the rule's severity and fix unless given. */
export function finding(
  rule: RuleId,
  fields: Omit<Finding, 'rule' | 'severity' | 'fix'> & { severity?: Severity; fix?: string },
): Finding {
  return {
    rule,
    severity: fields.severity ?? RULES[rule].severity,
    fix: fields.fix ?? RULES[rule].fix,
    ...fields,
  };
}

/** True when the finding fails the gate: breaking and not overridden. */
export function blocks(f: Finding): boolean {
  return f.severity === 'breaking' && f.overriddenBy === undefined;
}

/** Findings in a stable order: blocking first, then by rule and subject. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) =>
    blocks(f) ? 0 : f.severity === 'breaking' ? 1 : f.severity === 'warning' ? 2 : 3;
  return [...findings].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.rule.localeCompare(b.rule) ||
      a.subject.name.localeCompare(b.subject.name) ||
      a.message.localeCompare(b.message),
  );
}
