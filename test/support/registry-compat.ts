/**
 * Asks a real schema registry for its JSON Schema compatibility verdict, to set
 * beside our own engine's: a Confluent-compatible API, by default the native
 * Apicurio Registry of infra/registry/native.ts (`npm run registry:up`), or any
 * registry whose Confluent API base REGISTRY_URL names (for Apicurio that is
 * `http://host:port/apis/ccompat/v7`, for Confluent `http://host:8081`).
 *
 * `registryVerdict` registers the versions under a fresh subject, sets the
 * level, asks the compatibility endpoint, and deletes the subject again.
 *
 * What Apicurio's ccompat API does differently from Confluent's (3.3.3):
 * - the compatibility endpoint ignores `verbose=true` and answers only
 *   `{"is_compatible": …}`; the reasons are fetched from Apicurio's own API
 *   (a dry-run version create under /apis/registry/v3, whose 409 lists them);
 * - it ignores the version in `/compatibility/subjects/{s}/versions/{v}` and
 *   applies the subject's rule as configured (so a *_TRANSITIVE level checks
 *   every version there too);
 * - it answers `is_compatible: true` for a subject that does not exist
 *   (Confluent: 404), so the versions must be registered first;
 * - `schemaType: "JSON"` content must look like a JSON Schema to it: a root
 *   without `$schema` that is not an object schema (`{"type":"string"}`) is
 *   refused with 42201 "Given schema is not from type: JSON"; add `$schema`;
 * - its verdicts come from its own JSON Schema diff rules, not Confluent's
 *   (see infra/registry/README.md for the ones seen to differ).
 */
import { randomBytes } from 'node:crypto';
import { registryConfig, registryUrl } from '../../infra/registry/native.ts';

export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export interface RegistryVerdict {
  readonly compatible: boolean;
  /** Why not, as the registry words it (empty when compatible, or when it gives no reasons). */
  readonly messages: readonly string[];
  /** The throwaway subject the verdict was asked under. */
  readonly subject: string;
}

export interface RegistryVerdictOptions {
  /** The Confluent API base; default REGISTRY_URL, else the native registry's `/apis/ccompat/v7`. */
  readonly baseUrl?: string;
  /** Keep the subject afterwards (to look at it); by default it is deleted. */
  readonly keepSubject?: boolean;
  readonly timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const CCOMPAT_SUFFIX = '/apis/ccompat/v7';

/** The Confluent-compatible API base the verdicts are asked of. */
export function registryCompatBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.REGISTRY_URL?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  return `${registryUrl(registryConfig({}, env))}${CCOMPAT_SUFFIX}`;
}

/** Does a Confluent API answer `GET /subjects` on this base? */
export async function registryAnswers(baseUrl: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/subjects`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok && Array.isArray(await response.json());
  } catch {
    return false;
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

async function call(
  method: string,
  url: string,
  body: unknown,
  timeoutMs: number,
  contentType = CONTENT_TYPE,
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType, accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text };
}

function expectOk(answer: HttpAnswer, what: string): void {
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${what}: HTTP ${answer.status} ${answer.text}`.trim());
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Apicurio's reasons for an incompatible candidate: a dry-run create of the
 * version through its own API fails with the rule violation's causes. Empty
 * when the registry is not Apicurio (no such API) or gives none.
 */
async function apicurioReasons(
  baseUrl: string,
  subject: string,
  candidate: string,
  timeoutMs: number,
): Promise<string[]> {
  if (!baseUrl.endsWith(CCOMPAT_SUFFIX)) return [];
  const root = baseUrl.slice(0, -CCOMPAT_SUFFIX.length);
  const answer = await call(
    'POST',
    `${root}/apis/registry/v3/groups/default/artifacts/${encodeURIComponent(subject)}/versions?dryRun=true`,
    { content: { content: candidate, contentType: 'application/json' } },
    timeoutMs,
    'application/json',
  ).catch(() => null);
  if (answer === null || !isRecord(answer.body) || !Array.isArray(answer.body.causes)) return [];
  return answer.body.causes.filter(isRecord).map((cause) => {
    const description = typeof cause.description === 'string' ? cause.description : JSON.stringify(cause);
    return typeof cause.context === 'string' ? `${description} at ${cause.context}` : description;
  });
}

/**
 * The registry's verdict on `candidate` as the next version after `versions`
 * (oldest first) at `level`, all as JSON Schema. The versions are registered
 * with the subject at NONE, so a history that breaks the level is still taken
 * as given; the level is set just before the check. *_TRANSITIVE levels ask
 * `/compatibility/subjects/{s}/versions` (all versions, Confluent's semantics),
 * the others `/versions/latest`.
 */
export async function registryVerdict(
  subject: string,
  versions: readonly object[],
  candidate: object,
  level: CompatibilityLevel,
  options: RegistryVerdictOptions = {},
): Promise<RegistryVerdict> {
  if (versions.length === 0) throw new Error('registryVerdict needs at least one registered version');
  const baseUrl = (options.baseUrl ?? registryCompatBaseUrl()).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const name = `${subject}-${randomBytes(6).toString('hex')}`;
  const subjectUrl = `${baseUrl}/subjects/${encodeURIComponent(name)}`;
  const configUrl = `${baseUrl}/config/${encodeURIComponent(name)}`;
  const candidateText = JSON.stringify(candidate);
  try {
    expectOk(await call('PUT', configUrl, { compatibility: 'NONE' }, timeoutMs), `PUT /config/${name} NONE`);
    for (const [index, version] of versions.entries()) {
      const answer = await call(
        'POST',
        `${subjectUrl}/versions`,
        { schemaType: 'JSON', schema: JSON.stringify(version) },
        timeoutMs,
      );
      expectOk(answer, `registering version ${index + 1} of ${versions.length} under ${name}`);
    }
    expectOk(
      await call('PUT', configUrl, { compatibility: level }, timeoutMs),
      `PUT /config/${name} ${level}`,
    );
    const against = level.endsWith('_TRANSITIVE') ? 'versions' : 'versions/latest';
    const answer = await call(
      'POST',
      `${baseUrl}/compatibility/subjects/${encodeURIComponent(name)}/${against}?verbose=true`,
      { schemaType: 'JSON', schema: candidateText },
      timeoutMs,
    );
    expectOk(answer, `POST /compatibility/subjects/${name}/${against}`);
    if (!isRecord(answer.body) || typeof answer.body.is_compatible !== 'boolean') {
      throw new Error(`The compatibility check answered no is_compatible: ${answer.text}`);
    }
    const compatible = answer.body.is_compatible;
    const given = Array.isArray(answer.body.messages)
      ? answer.body.messages.filter((m): m is string => typeof m === 'string')
      : [];
    const messages =
      compatible || given.length > 0 ? given : await apicurioReasons(baseUrl, name, candidateText, timeoutMs);
    return { compatible, messages, subject: name };
  } finally {
    if (!options.keepSubject) {
      // Soft delete, then permanent (Confluent needs both; Apicurio deletes at the first).
      await call('DELETE', subjectUrl, undefined, timeoutMs).catch(() => null);
      await call('DELETE', `${subjectUrl}?permanent=true`, undefined, timeoutMs).catch(() => null);
      await call('DELETE', configUrl, undefined, timeoutMs).catch(() => null);
    }
  }
}
