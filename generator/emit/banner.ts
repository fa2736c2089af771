/** First line of every generated file; the CLI only ever overwrites or removes files that carry it. */
export const BANNER =
  'generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.';
