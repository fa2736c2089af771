/** The Markdown summary of a benchmark run (`bench/results/<timestamp>.md`). */
import { type BenchReport, formatValue, type Measurement } from './report.ts';

const spread = (m: Measurement) =>
  m.runs === 1
    ? '–'
    : `${formatValue(m.min, m.unit)} – ${formatValue(m.max, m.unit)} (IQR ${formatValue(m.q1, m.unit)} – ${formatValue(m.q3, m.unit)})`;

export function renderMarkdown(report: BenchReport): string {
  const env = report.environment;
  const lines: string[] = [
    `# Benchmark ${report.startedAt}${report.quick ? ' (quick)' : ''}`,
    '',
    `- command: \`${report.command}\``,
    `- machine: ${env.cores} cores (${env.cpuModel}), ${env.totalMemoryMb} MB; load average before ${env.loadAverageBefore.join(' / ')}, after ${env.loadAverageAfter.join(' / ')}`,
    `- Node ${env.node}, kafkajs ${env.kafkajs}, @platformatic/kafka ${env.platformaticKafka}`,
    `- git ${env.gitCommit}${env.gitDirty ? ' (uncommitted changes)' : ''}`,
    `- Kafka ${env.kafkaBrokers.join(',')}, PostgreSQL ${env.database}`,
    `- ${report.startedAt} → ${report.finishedAt}`,
    '',
  ];
  if (report.targets.length > 0) {
    lines.push('## Targets', '', '| target | wanted | median | |', '| --- | --- | --- | --- |');
    for (const t of report.targets) {
      lines.push(
        `| ${t.label} | ${t.comparison} ${formatValue(t.threshold, t.unit)} | ${t.actual === undefined ? 'n/a' : formatValue(t.actual, t.unit)} | ${t.pass ? 'PASS' : 'MISS'} |`,
      );
    }
    lines.push('');
  }
  for (const section of report.sections) {
    lines.push(`## ${section.name} (${(section.durationMs / 1000).toFixed(0)} s)`, '');
    const sizes = Object.entries(section.sizes).map(([k, v]) => `${k} ${v}`);
    if (sizes.length > 0) lines.push(`Sizes: ${sizes.join(', ')}.`, '');
    if (section.error) lines.push(`**Failed:** ${section.error}`, '');
    if (section.measurements.length > 0) {
      lines.push('| measurement | median | spread (min – max, IQR) | runs |', '| --- | --- | --- | --- |');
      for (const m of section.measurements) {
        lines.push(`| ${m.label} | ${formatValue(m.median, m.unit)} | ${spread(m)} | ${m.runs} |`);
      }
      lines.push('');
    }
    for (const note of section.notes) lines.push(`- ${note}`);
    if (section.notes.length > 0) lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
