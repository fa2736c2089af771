export type { TopicSpec } from '../topics/topic-spec.ts';
export * from './catalog.ts';
export type * from './definitions.ts';
export type * from './events.ts';
export { NonRetriableError } from './events.ts';
export type * from './headers.ts';
