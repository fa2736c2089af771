/**
 * kafkajs 2.2.4 (no release since 2023) schedules timers with negative delays,
 * which Node 24 reports as a TimeoutNegativeWarning on every run. The CLIs drop
 * that one warning so their output stays readable; every other warning passes.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const name =
    typeof warning === 'string'
      ? typeof rest[0] === 'string'
        ? rest[0]
        : (rest[0] as { type?: string } | undefined)?.type
      : warning.name;
  if (name === 'TimeoutNegativeWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
