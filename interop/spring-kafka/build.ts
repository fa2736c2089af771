/**
 * Builds the Spring Kafka interop program (this folder's pom.xml) once per version of its sources,
 * into ~/.cache/contract-events/interop/spring-kafka-<hash of pom.xml and src/> (outside the clone),
 * and runs it. Needs `java` (17+) and `mvn` on the PATH: without them it fails saying so, it never
 * skips. The first build on a cold Maven cache downloads Spring Kafka and its dependencies (about
 * 30 MB); later runs reuse the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const INTEROP_DIR = import.meta.dirname;
const MAIN_CLASS = 'contractevents.interop.SpringDeadLetters';
const JAR = 'spring-kafka-interop.jar';

export interface SpringInterop {
  /** Where the jar and its lib/ folder are. */
  readonly dir: string;
  /** How long this call's build took; undefined when an earlier build was reused. */
  readonly buildMs?: number;
  /** Runs the program; resolves with its exit code and output (JSON lines on stdout). */
  run(args: readonly string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Runs `command args` and returns what it printed; fails naming the tool when it is missing. */
function requireTool(command: string, args: string[], hint: string): string {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `the Spring Kafka interop program needs \`${command}\` on the PATH (${hint}): ${
        probe.error?.message ?? probe.stderr.trim()
      }`,
    );
  }
  return `${probe.stdout}${probe.stderr}`;
}

/** `java -version` prints `version "17.0.15"` (or `"1.8.0_392"` for Java 8) on stderr. */
function requireJava17(): void {
  const printed = requireTool('java', ['-version'], 'a Java 17+ JDK');
  const match = /version "(\d+)(?:\.(\d+))?/.exec(printed);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : Number.NaN;
  if (!(major >= 17)) {
    throw new Error(
      `the Spring Kafka interop program needs Java 17 or newer; \`java -version\` says: ${printed.trim()}`,
    );
  }
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  return files.sort();
}

/** A hash of what the build reads: pom.xml and every file under src/. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [
    path.join(INTEROP_DIR, 'pom.xml'),
    ...(await sourceFiles(path.join(INTEROP_DIR, 'src'))),
  ]) {
    hash
      .update(path.relative(INTEROP_DIR, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish in ${options.timeoutMs} ms\n${stderr.slice(-2000)}`,
        ),
      );
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The built program, building it first when this version of the sources has no build yet. */
export async function ensureSpringInterop(
  options: { log?: (line: string) => void; buildTimeoutMs?: number } = {},
): Promise<SpringInterop> {
  requireJava17();
  requireTool('mvn', ['-v'], 'Apache Maven 3.8+');
  const log = options.log ?? (() => {});
  const dir = path.join(
    os.homedir(),
    '.cache',
    'contract-events',
    'interop',
    `spring-kafka-${await sourceHash()}`,
  );
  let buildMs: number | undefined;
  if (!existsSync(path.join(dir, JAR)) || !existsSync(path.join(dir, 'lib'))) {
    const staging = `${dir}.building-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.dirname(dir), { recursive: true });
    log(`building the Spring Kafka interop program (mvn -q -B package) into ${dir}`);
    const started = Date.now();
    const result = await runProcess('mvn', ['-q', '-B', 'package', `-Dinterop.out=${staging}`], {
      cwd: INTEROP_DIR,
      timeoutMs: options.buildTimeoutMs ?? 600_000,
    });
    if (result.code !== 0) {
      await rm(staging, { recursive: true, force: true });
      throw new Error(
        `mvn package of ${INTEROP_DIR} failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`,
      );
    }
    buildMs = Date.now() - started;
    // Another process may have finished the same build meanwhile: either copy is complete.
    try {
      await rename(staging, dir);
    } catch (error) {
      if (!existsSync(path.join(dir, JAR))) throw error;
      await rm(staging, { recursive: true, force: true });
    }
    log(`built in ${(buildMs / 1000).toFixed(1)} s`);
    // Builds of earlier sources are of no further use.
    for (const entry of await readdir(path.dirname(dir))) {
      if (/^spring-kafka-[0-9a-f]{16}$/.test(entry) && entry !== path.basename(dir)) {
        await rm(path.join(path.dirname(dir), entry), { recursive: true, force: true });
      }
    }
  }
  const classpath = [path.join(dir, JAR), path.join(dir, 'lib', '*')].join(path.delimiter);
  return {
    dir,
    ...(buildMs !== undefined ? { buildMs } : {}),
    run: (args, timeoutMs = 120_000) =>
      runProcess('java', ['-cp', classpath, MAIN_CLASS, ...args], { timeoutMs }),
  };
}
