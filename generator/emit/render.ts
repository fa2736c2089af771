import { BANNER } from './banner.ts';
import { importDeclaration, isModuleStatement, printStatement, type Statement } from './ts-code.ts';

export { BANNER };

/** One emitted file: path relative to the output folder, and its full text. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Prints statements into a TypeScript file with the banner and a one-line
 * summary, laid out the same way every time: imports (and re-exports)
 * together, a blank line between other statements, one newline at the end.
 */
export function renderTs(filePath: string, statements: readonly Statement[], summary: string): GeneratedFile {
  let text = `// ${BANNER}\n// ${summary}`;
  statements.forEach((statement, i) => {
    const previous = statements[i - 1];
    const together = previous !== undefined && isModuleStatement(previous) && isModuleStatement(statement);
    text += `${together ? '\n' : '\n\n'}${printStatement(statement)}`;
  });
  return { path: filePath, content: `${text.trimEnd()}\n` };
}

/** The imports a per-topic module needs: the runtime's types, the topic definitions and the topic unions. */
export function topicModuleImports(
  runtimeTypes: readonly string[],
  runtime: string,
  definitions: readonly string[],
  unions: readonly string[],
): Statement[] {
  return [
    importDeclaration(runtimeTypes, runtime, { typeOnly: true }),
    ...(definitions.length ? [importDeclaration(definitions, './topics.ts')] : []),
    ...(unions.length ? [importDeclaration(unions, './types.ts', { typeOnly: true })] : []),
  ];
}
