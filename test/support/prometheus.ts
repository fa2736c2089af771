/**
 * Reads Prometheus' text exposition format (what `/metrics` answers) into
 * samples, so a test asserts a metric's value and labels rather than the
 * presence of its name: prom-client prints the HELP and TYPE lines of every
 * registered metric even when it has no sample at all.
 */

export interface Sample {
  /** Sample name as exposed: `http_requests_total`, `…_bucket`, `…_sum`, `…_count`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * A sample value as Prometheus reads it: Go's ParseFloat, so `NaN` and `Inf` in any case
 * (prom-client writes an empty summary's mean as `Nan`).
 */
function parseValue(raw: string, line: string): number {
  if (/^\+?inf$/i.test(raw)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(raw)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(raw)) return Number.NaN;
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new Error(`not a sample value "${raw}" in line: ${line}`);
  return value;
}

/** Every sample of an exposition; comments and blank lines are skipped. Throws on a malformed line, naming it. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`no metric name at the start of line: ${line}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      for (;;) {
        rest = rest.trimStart();
        if (rest.startsWith('}')) {
          rest = rest.slice(1);
          break;
        }
        const label = LABEL_NAME.exec(rest)?.[0];
        if (!label || rest[label.length] !== '=' || rest[label.length + 1] !== '"') {
          throw new Error(`malformed label in line: ${line}`);
        }
        rest = rest.slice(label.length + 2);
        let value = '';
        for (;;) {
          const c = rest[0];
          if (c === undefined) throw new Error(`unterminated label value in line: ${line}`);
          rest = rest.slice(1);
          if (c === '"') break;
          if (c === '\\') {
            const escaped = rest[0];
            rest = rest.slice(1);
            value += escaped === 'n' ? '\n' : (escaped ?? '');
          } else {
            value += c;
          }
        }
        labels[label] = value;
        rest = rest.trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1);
      }
    }
    const [raw = ''] = rest.trim().split(/\s+/); // a timestamp may follow the value
    samples.push({ name, labels, value: parseValue(raw, line) });
  }
  return samples;
}

/** The samples named `name` whose labels include every one of `labels`. */
export function samplesOf(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/**
 * The sum of the matching samples' values (a counter over the labels left
 * open); 0 when none matches, as a counter that never moved reads.
 */
export function sampleSum(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samplesOf(samples, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** GET `url` (a `/metrics` endpoint) and parse the answer; throws unless it is 200. */
export async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 200)}`);
  return parsePrometheusText(body);
}
