/**
 * The child side of `npm start`'s ownership of its processes. The launcher gives each child a pipe as
 * stdin and never writes to it; the kernel closes the launcher's end however the launcher ends (Ctrl-C,
 * a crash, SIGKILL), so end-of-file on stdin means "your launcher is gone". A child started any other way
 * (npm run api, a test) is not affected.
 */

import type { Logger } from 'pino';
import { createLogger } from '../telemetry/logger';

/** Set by the launcher in a child's environment when the child's stdin is the launcher's pipe. */
export const LAUNCHER_PIPE_ENV = 'CONNECT_BOX_LAUNCHER_PIPE';

/** Calls `onGone` once when the launcher that started this process is gone; a no-op outside `npm start`. */
export function whenLauncherGone(onGone: () => void): void {
  if (process.env[LAUNCHER_PIPE_ENV] !== 'stdin') return;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  process.stdin.on('end', gone);
  process.stdin.on('close', gone);
  process.stdin.on('error', gone);
  process.stdin.resume();
  // Watching stdin must not keep a process alive whose work is done (the worker ends when its run does).
  (process.stdin as { unref?: () => void }).unref?.();
}

/**
 * When the launcher is gone, logs it (a JSON line of `log`, or of a new logger for the component so
 * named), sends this process SIGTERM, so its own shutdown runs exactly as if the launcher had stopped it
 * (or, before it installed a handler, the default action ends it); exits after `graceMs` if that
 * shutdown hangs.
 */
export function stopWithLauncher(log: Logger | string, graceMs = 10_000): void {
  whenLauncherGone(() => {
    (typeof log === 'string' ? createLogger(log) : log).warn('the npm start launcher is gone: stopping');
    setTimeout(() => process.exit(1), graceMs).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
