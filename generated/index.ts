// generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.
// The SDK entry point.

export * from './types.ts';
export * from './events.ts';
export * from './topics.ts';
export * from './producers.ts';
export * from './outbox.ts';
export * from './consumers.ts';
export * from './catalog.ts';
export * from './examples.ts';
