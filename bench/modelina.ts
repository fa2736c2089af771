/**
 * Modelina (`@asyncapi/modelina`, the AsyncAPI Initiative's model generator)
 * on a set of AsyncAPI documents, for bench/generate.bench.ts: its
 * `TypeScriptGenerator` with the AsyncAPI input processor, each document read
 * from its file (`file://…`, so relative `$ref`s resolve), as a user would run
 * it. It produces TypeScript models (classes for the payload schemas) only.
 *
 * `node bench/modelina.ts <file|dir>...` runs it once in a fresh process and
 * prints the result as JSON (the benchmark's cold measurement).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

export interface ModelinaRun {
  readonly documents: number;
  readonly models: number;
  /** Documents Modelina refused, with the first line of its error. */
  readonly refused: readonly { readonly file: string; readonly reason: string }[];
}

/** AsyncAPI documents under each input: YAML/JSON files with a top-level `asyncapi` key, sorted. */
export function asyncApiDocuments(inputs: readonly string[]): string[] {
  const files = inputs.flatMap((input) =>
    statSync(input).isDirectory()
      ? readdirSync(input, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
          .map((e) => path.join(e.parentPath, e.name))
      : [input],
  );
  return files
    .filter((file) => {
      try {
        const value: unknown = parse(readFileSync(file, 'utf8'));
        return typeof value === 'object' && value !== null && 'asyncapi' in value;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Generates TypeScript models for each document, one after the other, in this process. */
export async function runModelina(files: readonly string[]): Promise<ModelinaRun> {
  const { TypeScriptGenerator } = await import('@asyncapi/modelina');
  const generator = new TypeScriptGenerator();
  let models = 0;
  const refused: { file: string; reason: string }[] = [];
  for (const file of files) {
    try {
      const output = await generator.generate(pathToFileURL(path.resolve(file)).href);
      models += output.length;
    } catch (error) {
      refused.push({
        file,
        reason: String((error as Error).message)
          .split('\n')[0]!
          .slice(0, 200),
      });
    }
  }
  return { documents: files.length, models, refused };
}

if (import.meta.main) {
  const result = await runModelina(asyncApiDocuments(process.argv.slice(2)));
  console.log(JSON.stringify(result));
}
