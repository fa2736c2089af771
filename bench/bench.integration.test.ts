/**
 * Smoke test of `npm run bench`: every section at its quick sizes, in a fresh
 * process as the script runs it, so the benchmark code cannot rot unnoticed.
 * Checks the results file's shape, not the numbers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useInfrastructure } from '../test/support/context.ts';
import { type BenchReport, SECTION_NAMES } from './harness/report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('runs every section and writes the JSON and Markdown results', { timeout: 120_000 }, () => {
    const infra = useInfrastructure();
    execFileSync(process.execPath, ['bench/bench.ts', '--quick', '--results-dir', resultsDir], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers.join(','), DATABASE_URL: infra.databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const files = readdirSync(resultsDir).sort();
    expect(files.map((f) => path.extname(f))).toEqual(['.json', '.md']);
    const report = JSON.parse(readFileSync(path.join(resultsDir, files[0]!), 'utf8')) as BenchReport;

    expect(report.quick).toBe(true);
    expect(report.command).toContain('--quick');
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.environment.node).toMatch(/^v24\./);
    expect(report.environment.kafkajs).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.environment.platformaticKafka).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.environment.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.sections.map((s) => s.name)).toEqual([...SECTION_NAMES]);
    for (const section of report.sections) {
      expect(section.error, `${section.name} failed`).toBeUndefined();
      expect(section.measurements.length, section.name).toBeGreaterThan(0);
      for (const m of section.measurements) {
        expect(m.runs, `${section.name}/${m.id}`).toBe(m.samples.length);
        expect(Number.isFinite(m.median), `${section.name}/${m.id}`).toBe(true);
        expect(m.min).toBeLessThanOrEqual(m.median);
        expect(m.median).toBeLessThanOrEqual(m.max);
      }
    }
    const measured = (section: string) =>
      report.sections.find((s) => s.name === section)!.measurements.map((m) => m.id);
    expect(measured('produce')).toEqual(
      expect.arrayContaining([
        'typed-kafkajs',
        'raw-kafkajs',
        'typed-platformatic',
        'raw-platformatic',
        'typed-vs-fastest-raw',
      ]),
    );
    expect(measured('relay')).toEqual(
      expect.arrayContaining(['relay-1-instance', 'relay-1-instance-kafkajs', 'relay-2-instances']),
    );
    expect(measured('consume')).toEqual(
      expect.arrayContaining([
        'bare-json-parse',
        'fair-baseline',
        ...['platformatic', 'kafkajs'].flatMap((client) => [
          `typed-noop-${client}`,
          `typed-one-row-${client}`,
          `typed-batch-rows-${client}`,
        ]),
        'typed-one-row',
        'typed-vs-fair-baseline',
      ]),
    );
    expect(measured('latency')).toEqual(
      expect.arrayContaining(['commit-to-handler-p50', 'commit-to-handler-p99']),
    );
    expect(measured('memory')).toEqual(expect.arrayContaining(['relay-peak-rss', 'consumer-peak-rss']));
    expect(measured('generator')).toEqual(
      expect.arrayContaining([
        'cold-ours-asyncapi',
        'warm-modelina-asyncapi',
        'cold-ours-synthetic',
        'warm-ratio-synthetic',
      ]),
    );
    expect(report.targets.map((t) => t.measurement)).toHaveLength(6);
    const markdown = readFileSync(path.join(resultsDir, files[1]!), 'utf8');
    expect(markdown).toContain('## Targets');
    for (const name of SECTION_NAMES) expect(markdown).toContain(`## ${name}`);
  });
});
