import type { JsonSchema } from './catalog.ts';

/**
 * A stable structural key of a schema: equal for schemas that say the same
 * (keys sorted; parser bookkeeping `x-parser-*` left out), whether they are one
 * object or copies from different documents. A cycle is written as the
 * distance back to the schema it returns to, so recursive schemas have keys too.
 */
export function schemaKey(schema: JsonSchema, ignore: (key: string) => boolean = isParserKey): string {
  const stack: unknown[] = [];
  const write = (value: unknown): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    const back = stack.lastIndexOf(value);
    if (back >= 0) return `{"$cycle":${stack.length - back}}`;
    stack.push(value);
    const text = Array.isArray(value)
      ? `[${value.map(write).join(',')}]`
      : `{${Object.keys(value)
          .filter((k) => !ignore(k))
          .sort()
          .map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k])}`)
          .join(',')}}`;
    stack.pop();
    return text;
  };
  return write(schema);
}

function isParserKey(key: string): boolean {
  return key.startsWith('x-parser-');
}
