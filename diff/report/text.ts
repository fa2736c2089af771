import { blocks, type Finding } from '../findings.ts';

export interface ReportHeader {
  readonly base: string;
  readonly head: string;
}

/** The report for people: one block per finding, blocking ones first, then a verdict line. */
export function textReport(findings: readonly Finding[], header: ReportHeader): string {
  const lines = [`contracts:diff ${header.base} → ${header.head}`];
  if (findings.length === 0) lines.push('', 'no contract changes that need attention.');
  for (const f of findings) {
    const status = blocks(f) ? 'BREAKING' : f.overriddenBy ? 'breaking, overridden' : f.severity;
    lines.push('', `${status} [${f.rule}] ${f.message}`);
    if (f.base) lines.push(`  base: ${f.base.file} ${f.base.pointer}`);
    if (f.head) lines.push(`  head: ${f.head.file} ${f.head.pointer}`);
    if (f.producers.length > 0) lines.push(`  producers: ${f.producers.join(', ')}`);
    if (f.consumerGroups.length > 0) lines.push(`  consumer groups: ${f.consumerGroups.join(', ')}`);
    if (f.overriddenBy)
      lines.push(
        `  overridden at ${f.overriddenBy.at.file} ${f.overriddenBy.at.pointer}: ${f.overriddenBy.reason}`,
      );
    else if (f.severity !== 'info') lines.push(`  fix: ${f.fix}`);
  }
  const blocking = findings.filter(blocks).length;
  const overridden = findings.filter((f) => f.overriddenBy).length;
  lines.push(
    '',
    blocking > 0
      ? `contracts:diff: ${blocking} breaking change(s) without an override; not safe to merge.`
      : `contracts:diff: safe (${findings.length} finding(s), ${overridden} breaking change(s) overridden).`,
  );
  return `${lines.join('\n')}\n`;
}
