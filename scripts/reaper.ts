/**
 * `reaper.ts <program> [args...]`: runs a program that cannot watch `npm start`'s launcher itself (the
 * Temporal CLI is a Go binary) and stops it when the launcher is gone. On SIGTERM, SIGINT or SIGHUP, or
 * when its stdin pipe from the launcher closes, it sends the program SIGTERM, then SIGKILL after a grace
 * period; it exits with the program's exit code. The program shares the reaper's process group, so the
 * launcher's final sweep of that group reaches it even if the reaper itself was killed.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { whenLauncherGone } from './launcher-watchdog';
import { createLogger } from '../telemetry/logger';

/** The reaper's lines go to the program's log (they share stdout): JSON, component 'reaper'. */
const log = createLogger('reaper');

const GRACE_MS = 8000;

function main(): void {
  const [program, ...args] = process.argv.slice(2);
  if (!program) {
    log.error('usage: reaper.ts <program> [args...]');
    process.exit(2);
  }
  const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let stopping = false;
  const stop = (why: string) => {
    if (stopping || child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    log.warn({ program, childPid: child.pid, why }, `${why}: stopping ${program} (pid ${child.pid})`);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
  };
  child.once('error', (err) => {
    log.error({ program, err }, `cannot run ${program}: ${err.message}`);
    process.exit(127);
  });
  child.once('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  whenLauncherGone(() => stop('the launcher is gone'));
}

main();
