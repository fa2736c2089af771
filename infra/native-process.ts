/**
 * Process plumbing shared by the services this project runs natively from
 * Maven Central (infra/kafka/native.ts, infra/registry/native.ts): running a
 * command, telling a live process from a dead or recycled pid, a lock file
 * around start and stop, waiting for a signal to take effect, reading a log's
 * tail. Nothing here prints.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export type Log = (line: string) => void;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command to completion; rejects with its output when it fails, times out or is missing. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const err = error as NodeJS.ErrnoException & { killed?: boolean };
          const why =
            err.code === 'ENOENT'
              ? `${command} was not found on PATH`
              : err.killed
                ? `timed out after ${options.timeoutMs} ms`
                : `exit code ${String(err.code)}`;
          reject(new Error(`${command} ${args.join(' ')}: ${why}\n${stdout}${stderr}`.trim()));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** Alive and not a zombie (a zombie answers kill 0 until its parent reaps it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): kill 0 is all there is
  }
}

/** A process's command line joined by spaces (/proc, else `ps`), or null when it cannot be read. */
export async function commandLineOf(pid: number): Promise<string | null> {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return (await run('ps', ['-o', 'command=', '-p', String(pid)], { timeoutMs: 5000 })).stdout;
    } catch {
      return null;
    }
  }
}

/** The first live process whose arguments satisfy `matches`, found through /proc (Linux); null elsewhere. */
export function findProcess(matches: (argv: readonly string[]) => boolean): number | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (matches(argv) && isProcessAlive(Number(entry))) return Number(entry);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return null;
}

/** The pid a pid file holds, or null when there is none or it holds no pid. */
export function readPidFile(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Runs `work` holding a lock file, so two callers (a CLI and a test run) do not
 * race; a lock whose holder died is taken over. Waits at most `waitMs` for it.
 */
export async function withLockFile<T>(lock: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await fsp.open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await fsp.readFile(lock, 'utf8').catch(() => '')).trim());
      if (!Number.isInteger(holder) || holder <= 0 || !isProcessAlive(holder)) {
        await fsp.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${lock} is held by process ${holder}, which is still running; waited too long for it`,
        );
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    await fsp.rm(lock, { force: true });
  }
}

/** The last `lines` lines of a text file, or `(no file)`. */
export function tailFile(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '(no file)';
  }
}

/** Does anything accept TCP connections on host:port? */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends `signal` and waits up to `timeoutMs` for the process to be gone; true when it is. */
export async function signalAndWait(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(200);
  }
  return !isProcessAlive(pid);
}

/** Removes `<dir>.partial-<pid>-…` folders left by fetches whose process died half-way. */
export async function removeAbandonedPartials(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.partial-`;
  for (const name of await fsp.readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const owner = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(owner) || !isProcessAlive(owner)) {
      await fsp.rm(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

/** The major version `java -version` reports (8 for 1.8), NaN when unreadable; throws when it cannot run. */
export async function javaMajorVersion(java: string): Promise<{ major: number; banner: string }> {
  const { stdout, stderr } = await run(java, ['-version'], { timeoutMs: 30_000 });
  const output = stderr + stdout;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : Number.NaN;
  return { major, banner: output.split('\n')[0] ?? '' };
}

export interface StopResult {
  readonly wasRunning: boolean;
  readonly pid: number | null;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  readonly killed: boolean;
}

export interface StopTarget {
  /** How log lines name the server (`Kafka`, `the registry`). */
  readonly name: string;
  readonly pidFile: string;
  /** When the pid file names no live process: the server found some other way (a search of /proc). */
  readonly find: () => number | null;
  /** True when `pid` is this server, not a process that reused its pid. */
  readonly isOurs: (pid: number) => Promise<boolean>;
  readonly stopTimeoutMs: number;
}

/**
 * Stops a server this project started: SIGTERM, then SIGKILL after `stopTimeoutMs`; the pid file
 * is removed. A no-op when none runs; a pid that is no longer ours is only forgotten.
 */
export async function stopServer(target: StopTarget, log: Log): Promise<StopResult> {
  const recorded = readPidFile(target.pidFile);
  const pid = recorded !== null && isProcessAlive(recorded) ? recorded : (target.find() ?? recorded);
  if (pid === null) return { wasRunning: false, pid: null, killed: false };
  if (!isProcessAlive(pid) || !(await target.isOurs(pid))) {
    await fsp.rm(target.pidFile, { force: true });
    return { wasRunning: false, pid, killed: false };
  }
  log(`Stopping ${target.name} (pid ${pid}) ...`);
  let killed = false;
  if (!(await signalAndWait(pid, 'SIGTERM', target.stopTimeoutMs))) {
    log(
      `${target.name} (pid ${pid}) did not stop within ${target.stopTimeoutMs / 1000} s of SIGTERM: sending SIGKILL.`,
    );
    killed = true;
    if (!(await signalAndWait(pid, 'SIGKILL', 10_000)))
      throw new Error(`${target.name} (pid ${pid}) survived SIGKILL`);
  }
  await fsp.rm(target.pidFile, { force: true });
  return { wasRunning: true, pid, killed };
}

/** Does not leave a half-started server behind: stops it and removes its pid file. */
export async function abandonStart(pid: number, pidFile: string): Promise<void> {
  if (isProcessAlive(pid) && !(await signalAndWait(pid, 'SIGTERM', 10_000))) {
    await signalAndWait(pid, 'SIGKILL', 5000);
  }
  await fsp.rm(pidFile, { force: true });
}
