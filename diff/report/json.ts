import { blocks, type Finding } from '../findings.ts';
import type { ReportHeader } from './text.ts';

/** The machine-readable report: the header, the verdict and every finding as it is. */
export function jsonReport(findings: readonly Finding[], header: ReportHeader): string {
  return `${JSON.stringify({ ...header, safe: !findings.some(blocks), findings }, null, 2)}\n`;
}
