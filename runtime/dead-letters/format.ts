/** Plain-text tables and blocks for the dead-letter CLI (`--json` prints the objects instead). */
import type { ActionReport, StoredDeadLetter, TopicSummary } from './dead-letters.ts';
import { stackHead } from './view.ts';

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

export function formatList(summaries: readonly TopicSummary[]): string {
  const out: string[] = [];
  for (const s of summaries) {
    const of = s.deadLetterFor ? `dead letters of ${s.deadLetterFor}; ` : '';
    if (!s.exists) {
      out.push(`${s.topic}  (${of}not on the broker: npm run topics:apply creates it)`);
      continue;
    }
    out.push(
      `${s.topic}  (${of}${s.partitions.length} partition(s); ${s.records} record(s): ${s.replayed} replayed, ${s.discarded} discarded, ${s.pending} replay(s) unfinished)`,
    );
    if (s.rows.length === 0) {
      out.push('  (empty)');
      continue;
    }
    out.push(
      indent(
        table(
          ['REASON', 'EXCEPTION', 'GROUP', 'RECORDS', 'REPLAYED', 'DISCARDED', 'UNFINISHED'],
          s.rows.map((r) => [r.reason, r.exception, r.group, r.records, r.replayed, r.discarded, r.pending]),
        ),
      ),
    );
  }
  return out.join('\n');
}

export function formatShow(letters: readonly StoredDeadLetter[]): string {
  return letters.map(formatOne).join('\n\n');
}

function formatOne({ view, ledger }: StoredDeadLetter): string {
  const p = view.provenance;
  const lines: [string, string][] = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined) lines.push([label, value]);
  };
  add('event', [view.eventType ?? '(no ce_type)', view.eventId ?? '(no ce_id)'].join('  '));
  add('key', view.key ?? '(null)');
  add('original topic', p.originalTopic);
  add('original partition', p.originalPartition === undefined ? undefined : String(p.originalPartition));
  add('original offset', p.originalOffset);
  add(
    'original time',
    p.originalTimestamp === undefined
      ? undefined
      : `${new Date(Number(p.originalTimestamp)).toISOString()}${p.originalTimestampType ? ` (${p.originalTimestampType})` : ''}`,
  );
  add('consumer group', p.originalConsumerGroup);
  add('reason', p.reason ?? '(none: written by a tool that gives no kafka_dlt-reason, e.g. Spring)');
  if (p.earlierReason !== undefined)
    add('earlier reason', `${p.earlierReason} (of an earlier dead-lettering)`);
  add('attempts', p.attempts === undefined ? '(not given)' : String(p.attempts));
  add('exception', p.exceptionFqcn);
  add('cause', p.exceptionCauseFqcn);
  add('message', p.exceptionMessage);
  add(
    'ledger',
    ledger
      ? `${ledger.action} ${ledger.actedAt.toISOString()} by ${ledger.operator}${ledger.reason ? ` (${ledger.reason})` : ''}${
          ledger.replayedTo ? ` → ${ledger.replayedTo}` : ''
        }${ledger.replays > 1 ? `, ${ledger.replays} replays` : ''}`
      : 'not replayed, not discarded',
  );
  const width = Math.max(...lines.map(([l]) => l.length));
  const out = [
    `${view.topic} ${view.position}  written ${view.timestamp}`,
    ...lines.map(([l, v]) => `  ${l.padEnd(width)}  ${v.replace(/\n/g, `\n  ${' '.repeat(width)}  `)}`),
  ];
  const stack = stackHead(p.exceptionStacktrace);
  if (stack !== undefined) out.push('stacktrace (head)', indent(stack, '    '));
  out.push('headers', ...view.headers.map((h) => `    ${h.key}: ${oneLine(h.value)}`));
  out.push('payload');
  switch (view.value.kind) {
    case 'json':
      out.push(indent(JSON.stringify(view.value.json, null, 2), '    '));
      break;
    case 'text':
      out.push(`    (not JSON) ${view.value.text}`);
      break;
    case 'hex':
      out.push(`    (not UTF-8) hex:${view.value.hex}`);
      break;
    case 'null':
      out.push('    (null)');
  }
  return out.join('\n');
}

/** A header value on one line: the first line, cut at 160 characters, saying how much was left out. */
function oneLine(value: string): string {
  const lines = value.split('\n');
  const first = lines[0]!;
  const cut = first.length > 160 ? `${first.slice(0, 160)}…` : first;
  const more =
    lines.length > 1
      ? ` (+${lines.length - 1} line(s))`
      : first.length > 160
        ? ` (${first.length} chars)`
        : '';
  return `${cut}${more}`;
}

const OUTCOME_LABEL: Record<string, string> = {
  replayed: 'replayed',
  'would-replay': 'would replay',
  discarded: 'discarded',
  'would-discard': 'would discard',
  skipped: 'skipped',
  failed: 'FAILED',
};

export function formatAction(report: ActionReport): string {
  const head = `${report.action} ${report.topic}${report.dryRun ? ' (dry run: nothing sent, nothing recorded)' : ''}${
    report.force ? ' (--force)' : ''
  }: ${report.selected} record(s) selected`;
  if (report.items.length === 0) return `${head}.`;
  const rows = report.items.map((i) => [
    i.position,
    i.eventType ?? '',
    i.eventId ?? '',
    i.reason,
    OUTCOME_LABEL[i.outcome] ?? i.outcome,
    [i.replayedTo ? `→ ${i.replayedTo}` : '', i.note ?? ''].filter(Boolean).join('  '),
  ]);
  const counts = Object.entries(report.counts)
    .map(([k, n]) => `${n} ${OUTCOME_LABEL[k] ?? k}`)
    .join(', ');
  return [
    head,
    indent(table(['RECORD', 'TYPE', 'EVENT ID', 'REASON', 'OUTCOME', 'DETAIL'], rows)),
    `${counts}.`,
    ...(report.error ? [`error: ${report.error}`] : []),
  ].join('\n');
}
