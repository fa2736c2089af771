/**
 * The shape of a benchmark run's results (`bench/results/<timestamp>.json`)
 * and how measurements are built. bench/harness/markdown.ts renders the same
 * report as the Markdown summary.
 */
import { type Summary, summarize } from './stats.ts';

export const SECTION_NAMES = ['generator', 'produce', 'relay', 'latency', 'consume', 'memory'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export type Unit = 'ms' | 'µs/event' | 'events/s' | 'MB' | 'ratio';

export interface Measurement extends Summary {
  /** Stable id, unique in its section (`typed-kafkajs`, `cold-ours-asyncapi`, …). */
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly samples: readonly number[];
}

export interface TargetCheck {
  readonly section: SectionName;
  /** The measurement it reads. */
  readonly measurement: string;
  readonly label: string;
  readonly comparison: '>=' | '<=';
  readonly threshold: number;
  readonly unit: Unit;
  /** The measurement's median; absent when the section did not produce it. */
  readonly actual?: number;
  readonly pass: boolean;
}

export interface SectionResult {
  readonly name: SectionName;
  readonly durationMs: number;
  /** Sizes the section ran with (events, runs, batch, …). */
  readonly sizes: Readonly<Record<string, number | string>>;
  readonly measurements: readonly Measurement[];
  readonly notes: readonly string[];
  /** Set when the section failed; its measurements are what it got before. */
  readonly error?: string;
}

export interface Environment {
  readonly cores: number;
  readonly cpuModel: string;
  readonly totalMemoryMb: number;
  readonly node: string;
  readonly kafkajs: string;
  readonly platformaticKafka: string;
  readonly gitCommit: string;
  /** True when the working tree had uncommitted changes. */
  readonly gitDirty: boolean;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  readonly kafkaBrokers: readonly string[];
  readonly database: string;
}

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The exact command, as typed (`npm run bench -- …`). */
  readonly command: string;
  readonly quick: boolean;
  readonly environment: Environment;
  readonly sections: readonly SectionResult[];
  readonly targets: readonly TargetCheck[];
}

export function measurement(id: string, label: string, unit: Unit, samples: readonly number[]): Measurement {
  return { id, label, unit, samples: [...samples], ...summarize(samples) };
}

/** Collects a section's measurements and notes while it runs. */
export class SectionRecorder {
  readonly measurements: Measurement[] = [];
  readonly notes: string[] = [];
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  add(id: string, label: string, unit: Unit, samples: readonly number[]): Measurement {
    const m = measurement(id, label, unit, samples);
    this.measurements.push(m);
    this.#log(`  ${label}: ${formatValue(m.median, unit)} (${m.runs} run${m.runs === 1 ? '' : 's'})`);
    return m;
  }

  note(text: string): void {
    this.notes.push(text);
    this.#log(`  note: ${text}`);
  }

  find(id: string): Measurement | undefined {
    return this.measurements.find((m) => m.id === id);
  }
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : Math.round(value).toString()} ms`;
    case 'µs/event':
      return `${value.toFixed(2)} µs/event`;
    case 'events/s':
      return `${Math.round(value).toLocaleString('en-US')} events/s`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'ratio':
      return `${value.toFixed(2)}×`;
  }
}
