/**
 * `contract-events.config.json`, beside the project's `package.json`: how the
 * generator treats each input, and where remote `$ref`s are found locally.
 *
 * ```json
 * {
 *   "inputs": { "asyncapi": { "mode": "strict" } },
 *   "remoteRefs": { "https://schemas.example.com/": "vendor/example-schemas/" },
 *   "topicNames": { "smartylighting/streetlights/measured": "smartylighting.streetlights.measured" }
 * }
 * ```
 *
 * - `inputs`: path (relative to the config file) → `{ mode }`. An input inside
 *   a listed path takes its mode (the longest match wins); any other input is
 *   `lenient`. `--mode` on the command line overrides both.
 * - `remoteRefs`: URL or URL prefix (ending in `/`) → local file or folder,
 *   relative to the config file. Remote references are never fetched.
 * - `topicNames`: channel address → Kafka topic name, for documents (someone
 *   else's) whose addresses Kafka would refuse (`a/b`, spaces) and that are not
 *   yours to edit; your own documents set `bindings.kafka.topic` instead.
 *
 * Without a config file every input is lenient and no remote reference maps.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addressTemplateProblem } from '../runtime/topics/topic-name.ts';
import { type Diagnostic, pointer } from './diagnostics.ts';

export const CONFIG_FILE = 'contract-events.config.json';

/**
 * - `strict`: this project's conventions are rules (partition keys, dead-letter
 *   channels, payload-derived parameters); a missing one is an error.
 * - `lenient`: for documents someone else wrote; each missing convention is a
 *   warning naming the file and pointer, with a default that keeps the SDK working.
 */
export type Mode = 'strict' | 'lenient';

export const MODES: readonly Mode[] = ['strict', 'lenient'];

export interface GeneratorConfig {
  /** Absolute path of the config file, or undefined when there is none. */
  readonly file: string | undefined;
  /** Absolute input path → mode, longest first. */
  readonly inputs: readonly { readonly path: string; readonly mode: Mode }[];
  /** URL or URL prefix → absolute local path, longest first. */
  readonly remoteRefs: readonly { readonly url: string; readonly local: string }[];
  /** Channel address → the Kafka topic it is mapped to. */
  readonly topicNames: Readonly<Record<string, string>>;
  /** The config file's text ('' without one): part of what decides the output. */
  readonly text: string;
}

export const NO_CONFIG: GeneratorConfig = {
  file: undefined,
  inputs: [],
  remoteRefs: [],
  topicNames: {},
  text: '',
};

/**
 * Reads the config beside the nearest `package.json` at or above `cwd`.
 * A config that is present but wrong is an error naming the file and pointer.
 */
export async function loadConfig(
  cwd: string,
): Promise<{ config: GeneratorConfig; diagnostics: Diagnostic[] }> {
  const dir = await projectRoot(cwd);
  if (dir === undefined) return { config: NO_CONFIG, diagnostics: [] };
  const file = path.join(dir, CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { config: NO_CONFIG, diagnostics: [] };
  return parseConfig(text, file, path.relative(cwd, file) || file);
}

/** Parses and checks a config file's text; `display` is the name diagnostics show. */
export function parseConfig(
  text: string,
  file: string,
  display: string,
): { config: GeneratorConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (at: (string | number)[], message: string) =>
    diagnostics.push({
      code: 'invalid-value',
      severity: 'error',
      file: display,
      pointer: pointer(at),
      message,
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail([], `${CONFIG_FILE} is not JSON: ${(error as Error).message}`);
    return { config: { ...NO_CONFIG, file, text }, diagnostics };
  }
  const dir = path.dirname(file);
  const inputs: { path: string; mode: Mode }[] = [];
  const remoteRefs: { url: string; local: string }[] = [];
  if (!isObject(value)) {
    fail([], `${CONFIG_FILE} must hold an object with "inputs" and/or "remoteRefs"`);
  } else {
    for (const key of Object.keys(value)) {
      if (!['inputs', 'remoteRefs', 'topicNames', '$schema'].includes(key))
        fail([key], `unknown setting "${key}"; the settings are "inputs", "remoteRefs" and "topicNames"`);
    }
    const rawInputs = value.inputs ?? {};
    if (!isObject(rawInputs))
      fail(['inputs'], '"inputs" must map a path to { "mode": "strict" | "lenient" }');
    else {
      for (const [input, setting] of Object.entries(rawInputs)) {
        const mode = isObject(setting) ? setting.mode : undefined;
        if (typeof mode !== 'string' || !MODES.includes(mode as Mode)) {
          fail(['inputs', input, 'mode'], `mode must be "strict" or "lenient", not ${JSON.stringify(mode)}`);
          continue;
        }
        inputs.push({ path: path.resolve(dir, input), mode: mode as Mode });
      }
    }
    const rawRefs = value.remoteRefs ?? {};
    if (!isObject(rawRefs))
      fail(['remoteRefs'], '"remoteRefs" must map a URL (or URL prefix) to a local path');
    else {
      for (const [url, local] of Object.entries(rawRefs)) {
        if (!/^https?:\/\//i.test(url)) {
          fail(['remoteRefs', url], `"${url}" is not an http(s) URL`);
          continue;
        }
        if (typeof local !== 'string' || local === '') {
          fail(['remoteRefs', url], 'the local path must be a non-empty string');
          continue;
        }
        if (url.endsWith('/') !== (local.endsWith('/') || local.endsWith(path.sep))) {
          fail(
            ['remoteRefs', url],
            'a URL prefix (ending in "/") maps to a folder (ending in "/"), a URL to a file',
          );
          continue;
        }
        const resolved = path.resolve(dir, local);
        remoteRefs.push({ url, local: local.endsWith('/') ? `${resolved}${path.sep}` : resolved });
      }
    }
  }
  const topicNames: Record<string, string> = {};
  const rawTopics = isObject(value) ? (value.topicNames ?? {}) : {};
  if (!isObject(rawTopics))
    fail(['topicNames'], '"topicNames" must map a channel address to a Kafka topic name');
  else {
    for (const [address, topic] of Object.entries(rawTopics)) {
      // A mapped name may keep the channel's `{parameters}`.
      const problem = typeof topic === 'string' ? addressTemplateProblem(topic) : 'it is not a string';
      if (problem !== undefined)
        fail(['topicNames', address], `"${String(topic)}" cannot be a Kafka topic: ${problem}`);
      else topicNames[address] = topic as string;
    }
  }
  inputs.sort((a, b) => b.path.length - a.path.length);
  remoteRefs.sort((a, b) => b.url.length - a.url.length);
  return { config: { file, inputs, remoteRefs, topicNames, text }, diagnostics };
}

/** The mode of an input: the flag, else the longest configured path containing it, else lenient. */
export function modeFor(config: GeneratorConfig, input: string, flag?: Mode): Mode {
  if (flag !== undefined) return flag;
  const absolute = path.resolve(input);
  const match = config.inputs.find(
    (entry) => absolute === entry.path || absolute.startsWith(`${entry.path}${path.sep}`),
  );
  return match?.mode ?? 'lenient';
}

/** The local file a remote URL maps to (fragment kept off), or undefined when the config maps none. */
export function localFor(config: GeneratorConfig, url: string): string | undefined {
  const bare = url.split('#')[0] ?? url;
  for (const entry of config.remoteRefs) {
    if (entry.url.endsWith('/') ? bare.startsWith(entry.url) : bare === entry.url) {
      return entry.url.endsWith('/') ? path.join(entry.local, bare.slice(entry.url.length)) : entry.local;
    }
  }
  return undefined;
}

async function projectRoot(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const found = await readFile(path.join(dir, 'package.json')).then(
      () => true,
      () => false,
    );
    if (found) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
