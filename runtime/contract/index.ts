export type * from './definitions.ts';
export type * from './events.ts';
export type { TopicSpec } from '../topics/topic-spec.ts';
