/**
 * The launcher's own output: everything it prints also goes to <data>/logs/dev-stack.log, and a terminal
 * that goes away (the reader of `npm start | cat` died: EPIPE; the terminal was closed: EIO) stops only
 * the terminal copy. Without this, the first console.log after the reader died threw from the 'error'
 * event and killed the launcher half-way through its shutdown.
 */
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The launcher's log, and why the terminal stopped receiving output (if it did). */
export interface LauncherOutput {
  logFile: string;
  /** The error code that cut stdout off (EPIPE, EIO), or undefined while it works. */
  stdoutLost(): string | undefined;
}

/** Copies this process's stdout and stderr into `logFile` from now on; see the module comment. */
export function teeOutputToLog(logFile: string): LauncherOutput {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const lost = new Map<NodeJS.WriteStream, string>();
  const toLog = (text: string | Uint8Array) => {
    try {
      if (typeof text === 'string') writeSync(fd, text);
      else writeSync(fd, text);
    } catch {
      // a full disk must not stop the shutdown either
    }
  };
  toLog(`\n--- npm start, pid ${process.pid}, ${new Date().toISOString()} ---\n`);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const name = stream === process.stdout ? 'stdout' : 'stderr';
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (lost.has(stream)) return;
      lost.set(stream, err.code ?? err.message);
      toLog(`[${name} is gone (${lost.get(stream)}): what went there continues in this log only]\n`);
    });
    const patched = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      toLog(chunk);
      if (lost.has(stream)) {
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return write(chunk, ...rest);
    };
    stream.write = patched;
  }
  return { logFile, stdoutLost: () => lost.get(process.stdout) };
}
