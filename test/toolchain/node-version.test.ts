/**
 * npm scripts run on the Node the project pins (the `node` dev dependency,
 * node_modules/.bin/node), not on whatever Node runs npm itself: npm puts
 * node_modules/.bin first on a script's PATH, and every script's `node` (and
 * every `#!/usr/bin/env node` tool such as vitest) resolves there.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const pinnedBin = path.join(root, 'node_modules', '.bin', 'node');

/** The `node` package's version as package-lock.json pins it. */
const lockedVersion: string = (
  JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  }
).packages['node_modules/node']?.version as string;

/** The first executable `name` along `PATH`, as a shell would find it. */
function firstOnPath(name: string, pathValue: string): string | undefined {
  for (const dir of pathValue.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** PATH without any node_modules/.bin: what a shell has before npm adds its own. */
const machinePath = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`) && !dir.includes('node-gyp-bin'))
  .join(path.delimiter);

/** The version of the `node` package npm installed, and the range package.json asks for. */
const installedVersion: string = (
  JSON.parse(readFileSync(path.join(root, 'node_modules', 'node', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const devDependencyRange: string | undefined = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  }
).devDependencies?.node;

describe('the pinned Node', () => {
  it('is pinned: package-lock.json names a Node 24 `node` package', () => {
    expect(lockedVersion).toMatch(/^24\.\d+\.\d+$/);
  });

  it('runs this test run: the version package-lock.json pins, from node_modules/.bin/node', () => {
    expect(process.version).toBe(`v${lockedVersion}`);
    expect(realpathSync(process.execPath)).toBe(realpathSync(pinnedBin));
  });

  it('is the first `node` on the PATH npm gives a script, even when the shell’s PATH has none of it', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'env'], {
      cwd: root,
      env: { HOME: process.env.HOME, PATH: machinePath },
    });
    const scriptPath = /^PATH=(.*)$/m.exec(stdout)?.[1];
    if (!scriptPath) throw new Error(`npm run env printed no PATH:\n${stdout}`);
    expect(scriptPath.split(path.delimiter)[0]).toBe(path.join(root, 'node_modules', '.bin'));
    const node = firstOnPath('node', scriptPath);
    expect(node).toBe(pinnedBin);
    const version = await run(node!, ['--version']);
    expect(version.stdout.trim()).toBe(`v${lockedVersion}`);
  });

  it('is what npm runs a command on from the repo, while npm itself runs on the machine’s Node', async () => {
    // The machine's Node: what a shell finds without node_modules/.bin (v20 at /usr/bin/node here).
    const machineNode = firstOnPath('node', machinePath) ?? '/usr/bin/node';
    let machineVersion: string | undefined;
    try {
      machineVersion = (await run(machineNode, ['--version'])).stdout.trim();
    } catch {
      machineVersion = undefined; // no Node on the machine: nothing to tell the pinned one from
    }
    // npm (on the machine's Node) runs a command from the repo the way it runs a script.
    const { stdout } = await run(
      'npm',
      [
        'exec',
        '--offline',
        '--call',
        'node -p "JSON.stringify({ version: process.version, execPath: process.execPath, npmNode: process.env.npm_node_execpath })"',
      ],
      { cwd: root, env: { HOME: process.env.HOME, PATH: machinePath } },
    );
    const ran = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      version: string;
      execPath: string;
      npmNode?: string;
    };
    // The devDependency asks for the major that is installed (and locked).
    expect(devDependencyRange?.replace(/^[\^~]/, '').split('.')[0]).toBe(installedVersion.split('.')[0]);
    expect(installedVersion).toBe(lockedVersion);
    expect(ran.version).toBe(`v${installedVersion}`);
    // The path tells the pinned binary from any other, whatever their versions.
    expect(realpathSync(ran.execPath)).toBe(realpathSync(pinnedBin));
    // Where the machine's Node is another version (v20 here), the versions tell them apart too. A
    // machine whose own Node is the pinned version itself leaves that to the path check above.
    if (machineVersion !== undefined && machineVersion !== `v${installedVersion}`) {
      expect(ran.version).not.toBe(machineVersion);
      // npm itself ran on the machine's Node, so the script's Node came from the pin, not from npm.
      expect(ran.npmNode, 'npm_node_execpath').toBeDefined();
      expect((await run(ran.npmNode!, ['--version'])).stdout.trim()).toBe(machineVersion);
    }
  });
});
