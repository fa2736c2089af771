import { isIdentifier, print, stringExpression } from './ts.ts';

/** One emitted file: path relative to the output folder, and its full text. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export const BANNER =
  'generated — do not edit. Source: the AsyncAPI contracts; regenerate with `npm run generate`.';

/**
 * Renders statements (already formatted source, two-space indentation) into a
 * TypeScript file with the banner, laid out the same way every time: imports
 * (and re-exports) together, a blank line between other statements, doc
 * comments at the indentation of what they document, one newline at the end.
 */
export function renderTs(filePath: string, statements: readonly string[], summary: string): GeneratedFile {
  // Imports (and re-exports) stay together as one block; everything else is separated by a blank line.
  const isModuleLine = (s: string) => /^(import|export \*|export \{[^}]*\} from)/.test(s);
  let text = `// ${BANNER}\n// ${summary}`;
  statements.forEach((statement, i) => {
    const previous = statements[i - 1];
    text += previous !== undefined && isModuleLine(previous) && isModuleLine(statement) ? '\n' : '\n\n';
    text += statement;
  });
  return { path: filePath, content: normalise(alignDocComments(text)) };
}

/**
 * Moves every block comment that starts a line to the indentation of the code
 * line after it, its later lines by the same amount (as the TypeScript
 * formatter does), so an emitter may write a doc comment at the start of a
 * line inside an object literal.
 */
export function alignDocComments(text: string): string {
  const lines = text.split('\n');
  const indentOf = (line: string) => line.length - line.trimStart().length;
  for (let start = 0; start < lines.length; start++) {
    if (!lines[start]!.trimStart().startsWith('/*')) continue;
    let end = start;
    while (end < lines.length && !lines[end]!.includes('*/')) end++;
    const next = lines[end + 1];
    if (next === undefined || next.trim() === '' || /^\s*(\/\*|[}\])])/.test(next)) {
      start = end;
      continue;
    }
    const delta = indentOf(next) - indentOf(lines[start]!);
    for (let i = start; i <= end && delta !== 0; i++) {
      const line = lines[i]!;
      lines[i] = delta > 0 ? `${' '.repeat(delta)}${line}` : line.slice(Math.min(-delta, indentOf(line)));
    }
    start = end;
  }
  return lines.join('\n');
}

function normalise(text: string): string {
  return `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** An import statement, names sorted, wrapped one name a line when it would be long. */
export function importFrom(names: readonly string[], from: string, typeOnly = false): string {
  const sorted = [...new Set(names)].sort();
  const head = `import ${typeOnly ? 'type ' : ''}`;
  const oneLine = `${head}{ ${sorted.join(', ')} } from '${from}';`;
  return oneLine.length <= 110
    ? oneLine
    : `${head}{\n${sorted.map((n) => `  ${n},`).join('\n')}\n} from '${from}';`;
}

/** The imports a per-topic module needs: the runtime's types, the topic definitions and the topic unions. */
export function topicModuleImports(
  runtimeTypes: readonly string[],
  runtime: string,
  definitions: readonly string[],
  unions: readonly string[],
): string[] {
  return [
    importFrom(runtimeTypes, runtime, true),
    ...(definitions.length ? [importFrom(definitions, './topics.ts')] : []),
    ...(unions.length ? [importFrom(unions, './types.ts', true)] : []),
  ];
}

/** A TypeScript string literal in single quotes; any characters (line separators, quotes, backslashes) escaped by the printer. */
export function q(value: string): string {
  return print(stringExpression(value));
}

/** An object key or property name as source: bare when it is an identifier, quoted otherwise (`'com.example.A'`). */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : q(name);
}

/** An object or array literal as TypeScript source, keys in the order given. */
export function literal(value: unknown, indent = ''): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return q(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    const inline = `[${value.map((v) => literal(v)).join(', ')}]`;
    if (flat && inline.length <= 80 && !inline.includes('\n')) return inline;
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
  }
  return 'undefined';
}
