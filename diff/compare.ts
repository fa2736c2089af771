/**
 * Two revisions of the contracts in, every classified change out: the Kafka
 * rules, the payload and header rules, then the overrides the head adds.
 */
import { type Finding, sortFindings } from './findings.ts';
import { kafkaFindings } from './kafka/rules.ts';
import { applyOverrides } from './overrides.ts';
import { type PayloadOptions, payloadFindings } from './payload-rules.ts';
import type { Snapshot } from './snapshot.ts';

export function compareSnapshots(base: Snapshot, head: Snapshot, options: PayloadOptions = {}): Finding[] {
  const found = [...kafkaFindings(base, head), ...payloadFindings(base, head, options)];
  return sortFindings(applyOverrides(found, base, head));
}
