/**
 * SARIF 2.1.0 for code-scanning tools: one run, the rule catalogue as the
 * tool's rules, one result per finding at its head location (else its base
 * location), blocking findings as errors, overridden ones suppressed with
 * their reason.
 */
import { blocks, type Finding, type Place } from '../findings.ts';
import { RULES } from '../rules.ts';
import type { ReportHeader } from './text.ts';

export function sarifReport(findings: readonly Finding[], header: ReportHeader): string {
  const ruleIds = Object.keys(RULES) as (keyof typeof RULES)[];
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'contracts:diff',
            informationUri: 'https://github.com/contract-events/contract-events',
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: RULES[id].title },
              help: { text: RULES[id].fix },
              defaultConfiguration: { level: level(RULES[id].severity) },
            })),
          },
        },
        properties: header,
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: blocks(f) ? 'error' : level(f.severity),
          message: { text: `${f.message}. Fix: ${f.fix}` },
          locations: [f.head ?? f.base].filter((p): p is Place => p !== undefined).map(location),
          ...(f.head && f.base
            ? {
                relatedLocations: [{ id: 1, ...location(f.base), message: { text: 'at the base revision' } }],
              }
            : {}),
          properties: { producers: f.producers, consumerGroups: f.consumerGroups, subject: f.subject },
          ...(f.overriddenBy
            ? { suppressions: [{ kind: 'inSource', justification: f.overriddenBy.reason }] }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function level(severity: string): 'error' | 'warning' | 'note' {
  return severity === 'breaking' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** A physical location; the JSON pointer is carried as the logical location's name. */
function location(place: Place) {
  return {
    physicalLocation: { artifactLocation: { uri: place.file } },
    logicalLocations: [{ name: place.pointer, kind: 'member' }],
  };
}
