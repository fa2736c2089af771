import path from 'node:path';
import type { Mode } from '../config.ts';
import type { ContextModel } from './catalog.ts';
import { type Json, opt, str } from './scope.ts';

/**
 * Document → bounded context. Strict mode names the context after the file
 * (this project's convention: `chat/user.yaml` is `user`); lenient mode after
 * the document itself (`info.title`, else the last segment of its `id`), so
 * two files both called `asyncapi.yaml` are two contexts.
 */
export function documentToContext(
  file: string,
  json: Json,
  root: string,
  mode: Mode,
): Omit<ContextModel, 'location'> {
  const basename = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  const system = path.relative(root, path.dirname(file)).split(path.sep).join('/');
  const info = (json.info ?? {}) as Json;
  const id = str(json.id);
  const name =
    mode === 'strict'
      ? basename
      : kebab(str(info.title) ?? '') ||
        kebab(id?.split(/[:/]/).filter(Boolean).at(-1) ?? '') ||
        kebab(basename);
  return {
    name: name || 'context',
    system,
    source: id ?? `/${[system, name].filter(Boolean).join('/')}`,
    title: str(info.title) ?? name,
    version: str(info.version) ?? '0.0.0',
    ...opt('description', str(info.description)),
  };
}

/** `Streetlights Kafka API` → `streetlights-kafka-api`; `OrderService` → `order-service`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-');
}
