/**
 * The numbers the toolkit aims at, checked against a run's medians. A miss is
 * reported (MISS in the summary), never a failing exit: on a shared machine a
 * miss may be the neighbours' doing.
 */
import type { SectionName, SectionResult, TargetCheck, Unit } from './report.ts';

export interface Target {
  readonly section: SectionName;
  readonly measurement: string;
  readonly label: string;
  readonly comparison: '>=' | '<=';
  readonly threshold: number;
  readonly unit: Unit;
}

export const TARGETS: readonly Target[] = [
  {
    section: 'relay',
    measurement: 'relay-1-instance',
    label: 'relay, one instance',
    comparison: '>=',
    threshold: 40_000,
    unit: 'events/s',
  },
  {
    section: 'produce',
    measurement: 'typed-vs-fastest-raw',
    label: 'typed publish / fastest raw client',
    comparison: '>=',
    threshold: 0.95,
    unit: 'ratio',
  },
  {
    section: 'consume',
    measurement: 'typed-vs-fair-baseline',
    label: 'typed consume (no-op) / fair baseline',
    comparison: '>=',
    threshold: 0.9,
    unit: 'ratio',
  },
  {
    section: 'consume',
    measurement: 'typed-one-row',
    label: 'handler writing one row per event (per-event or batch form)',
    comparison: '>=',
    threshold: 20_000,
    unit: 'events/s',
  },
  {
    section: 'latency',
    measurement: 'commit-to-handler-p99',
    label: 'commit → handler p99 at 1,000 events/s',
    comparison: '<=',
    threshold: 50,
    unit: 'ms',
  },
  {
    section: 'memory',
    measurement: 'consumer-peak-rss',
    label: 'consumer peak RSS draining the backlog',
    comparison: '<=',
    threshold: 200,
    unit: 'MB',
  },
];

/** Each target of a section that ran, against its measurement's median. */
export function checkTargets(sections: readonly SectionResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of TARGETS) {
    const section = sections.find((s) => s.name === target.section);
    if (!section) continue;
    const actual = section.measurements.find((m) => m.id === target.measurement)?.median;
    const pass =
      actual !== undefined &&
      Number.isFinite(actual) &&
      (target.comparison === '>=' ? actual >= target.threshold : actual <= target.threshold);
    checks.push({ ...target, ...(actual !== undefined ? { actual } : {}), pass });
  }
  return checks;
}
