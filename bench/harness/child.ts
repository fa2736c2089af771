/**
 * A benchmark's child process: a section module forked with a JSON task in
 * argv[2] and an IPC channel; its answers are read one message at a time, and
 * `close` sends `exit` and waits (SIGKILL after a grace period). Also the wall
 * clock that a child and its parent (or two children) compare times on.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/** Milliseconds since the epoch at sub-millisecond resolution: comparable across processes on one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

export interface BenchChild {
  readonly pid: number;
  /** The child's next message; rejects when the child exits first (`what` names the wait). */
  next<T>(what: string): Promise<T>;
  /** Sends `message` and returns the child's answer to it. */
  ask<T>(message: unknown): Promise<T>;
  /** Sends `exit` and waits for the child to end, killing it after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** Forks `module` (a path under bench/sections/) with `task`, and extra Node flags `execArgv`. */
export function forkChild(module: string, task: unknown, execArgv: readonly string[] = []): BenchChild {
  const name = path.basename(module);
  const child: ChildProcess = fork(
    path.join(import.meta.dirname, '..', 'sections', module),
    [JSON.stringify(task)],
    {
      execPath: process.execPath,
      execArgv: [...process.execArgv, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <T>(what: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited with ${code} before ${what}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as T);
      });
    });
  return {
    pid: child.pid!,
    next,
    ask<T>(message: unknown) {
      const reply = next<T>('it answered');
      child.send(message as object);
      return reply;
    },
    async close(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
