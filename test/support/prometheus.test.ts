import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleSum, samplesOf } from './prometheus.ts';

describe('parsePrometheusText', () => {
  it('reads what prom-client exposes: labels, escapes, histograms, no samples for an untouched counter', async () => {
    const registry = new Registry();
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'requests',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    new Counter({ name: 'never_total', help: 'never incremented', labelNames: ['x'], registers: [registry] });
    const duration = new Histogram({
      name: 'took_seconds',
      help: 'took',
      buckets: [0.1, 1],
      registers: [registry],
    });
    requests.inc({ route: '/users/:id', status: '200' }, 2);
    requests.inc({ route: 'say "hi"\\\n', status: '500' });
    duration.observe(0.5);

    const text = await registry.metrics();
    expect(text).toContain('# TYPE never_total counter'); // the name is there ...
    const samples = parsePrometheusText(text);
    expect(samplesOf(samples, 'never_total')).toEqual([]); // ... but no sample

    expect(sampleSum(samples, 'http_requests_total', { route: '/users/:id', status: '200' })).toBe(2);
    expect(samplesOf(samples, 'http_requests_total', { status: '500' })).toEqual([
      { name: 'http_requests_total', labels: { route: 'say "hi"\\\n', status: '500' }, value: 1 },
    ]);
    expect(sampleSum(samples, 'http_requests_total')).toBe(3);
    expect(sampleSum(samples, 'http_requests_total', { status: '404' })).toBe(0);
    expect(sampleSum(samples, 'took_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(sampleSum(samples, 'took_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sampleSum(samples, 'took_seconds_count')).toBe(1);
  });

  it('reads timestamps, special values and labels without quotes trouble; refuses a malformed line', () => {
    expect(parsePrometheusText('a{b="c"} +Inf 1700000000000\nb NaN\nc -3.5e2\n')).toEqual([
      { name: 'a', labels: { b: 'c' }, value: Number.POSITIVE_INFINITY },
      { name: 'b', labels: {}, value: Number.NaN },
      { name: 'c', labels: {}, value: -350 },
    ]);
    // prom-client writes an empty summary's mean as `Nan`; Prometheus (Go's ParseFloat) reads any case.
    expect(parsePrometheusText('lag_mean Nan\nx inf\ny -INF\n').map((s) => s.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(() => parsePrometheusText('a{b=c} 1')).toThrow(/malformed label in line: a\{b=c\} 1/);
    expect(() => parsePrometheusText('a{b="c"} many')).toThrow(/not a sample value "many"/);
  });
});
