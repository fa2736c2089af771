/**
 * Remote (http/https) `$ref`s are never fetched: this machine (and many CI
 * runners) cannot reach them, and a contract build must not depend on
 * someone else's server. `remoteRefs` in contract-events.config.json maps a
 * URL or URL prefix to a local copy; everything that follows references (the
 * `$ref` pre-check, RawFiles, `locate`, the parser's resolver) reads that copy.
 */
import { readFile } from 'node:fs/promises';
import type { Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { CONFIG_FILE, type GeneratorConfig, localFor } from '../config.ts';
import { type Diagnostic, pointer } from '../diagnostics.ts';
import { isAvsc, withNamedTypes } from './avsc-names.ts';
import type { RawFiles } from './raw-files.ts';

export interface RemoteMapping {
  /** The URL or URL prefix as written in the config (its key under `remoteRefs`). */
  readonly entry: string;
  /** The absolute local file the URL maps to. */
  readonly local: string;
}

export interface RemoteRefs {
  /** The config entry mapping `url`, with the local file it names; undefined when none does. */
  lookup(url: string): RemoteMapping | undefined;
  /** The error for a mapping whose local file does not exist, placed at its config entry. */
  missingLocal(mapping: RemoteMapping, ref: string, where: { file: string; pointer: string }): Diagnostic;
  /** The config file's name as diagnostics show it, or undefined without one. */
  readonly configFile: string | undefined;
}

export function remoteRefs(config: GeneratorConfig, display: (absPath: string) => string): RemoteRefs {
  const configFile = config.file === undefined ? undefined : display(config.file);
  return {
    configFile,
    lookup(url) {
      const local = localFor(config, url);
      if (local === undefined) return undefined;
      const bare = url.split('#')[0] ?? url;
      const entry = config.remoteRefs.find((e) =>
        e.url.endsWith('/') ? bare.startsWith(e.url) : bare === e.url,
      );
      return { entry: entry?.url ?? bare, local };
    },
    missingLocal(mapping, ref, where) {
      return {
        code: 'io',
        severity: 'error',
        file: configFile ?? CONFIG_FILE,
        pointer: pointer(['remoteRefs', mapping.entry]),
        message: `remoteRefs maps "${ref.split('#')[0]}" to ${display(mapping.local)}, which does not exist (referenced at ${where.file} ${where.pointer})`,
      };
    },
  };
}

/** The error for a remote `$ref` no config entry maps, placed at the `$ref`. */
export function unmappedRemoteRef(
  ref: string,
  url: string,
  where: { file: string; pointer: string },
  remote: RemoteRefs | undefined,
): Diagnostic {
  const prefix = url.slice(0, url.lastIndexOf('/') + 1);
  const config = remote?.configFile ?? `${CONFIG_FILE} (beside package.json)`;
  return {
    code: 'unresolved-ref',
    severity: 'error',
    ...where,
    message: `$ref "${ref}" is remote (${url}) and remote references are never fetched: save a copy and map it in ${config}, e.g. "remoteRefs": { "${prefix}": "vendor/${prefix.replace(/^https?:\/\//i, '')}" }`,
  };
}

type Resolver = NonNullable<
  NonNullable<NonNullable<ConstructorParameters<typeof Parser>[0]>['__unstable']>['resolver']
>['resolvers'] extends (infer R)[] | undefined
  ? R
  : never;

/**
 * The parser's resolvers. http and https: read the mapped local copy, never
 * the network. A URL nothing maps resolves to an empty object and is recorded
 * in `unmapped`, so the caller reports it (the `$ref` check normally has
 * already refused such a document).
 */
export function localResolvers(raw: RawFiles, unmapped: Set<string>): Resolver[] {
  const read = async (uri: { toString(): string }): Promise<string> => {
    const url = uri.toString();
    const local = raw.localFor(url);
    if (local === undefined) {
      unmapped.add(url);
      return '{}';
    }
    // A failed read must not fall through to the parser's own resolver, which would fetch.
    return readFile(local, 'utf8').catch(() => {
      unmapped.add(url);
      return '{}';
    });
  };
  return [
    { schema: 'https', order: 1, read },
    { schema: 'http', order: 1, read },
    {
      // A referenced AsyncAPI 2.x document is read in its 3.x shape (a 3.x document may
      // reference a channel of someone else's 2.x document), and .avsc files answer
      // for the names of the types they define (see avsc-names.ts). Any other file:
      // undefined, so the parser's own file resolver reads it.
      schema: 'file',
      order: 1,
      read: async (uri) => {
        const file = uri.href();
        const converted = raw.converted(file);
        if (converted) return JSON.stringify(converted.value);
        if (isAvsc(file)) return JSON.stringify(withNamedTypes(parseYaml(await readFile(file, 'utf8'))));
        return undefined;
      },
    },
  ];
}
