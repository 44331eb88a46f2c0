/**
 * What Linux's /proc says about a process: whether a pid still names the process that was recorded (pids
 * are reused), its process group, command line and environment. Without /proc (macOS) only liveness is
 * known, so a recorded pid is trusted as long as it exists.
 */
import { readFileSync } from 'node:fs';

/** One process, identified across pid reuse: its pid and, where /proc exists, its start time. */
export interface ProcessRef {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat); absent without /proc. */
  startTicks?: number;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A reference to a running process, with its start time where /proc tells it. */
export function processRef(pid: number): ProcessRef {
  const ticks = statFields(pid)?.[19];
  return ticks === undefined ? { pid } : { pid, startTicks: Number(ticks) };
}

/** True while the recorded process runs: same pid, same start time (when known), not a zombie. */
export function isRunning(ref: ProcessRef): boolean {
  const fields = statFields(ref.pid);
  if (fields)
    return fields[0] !== 'Z' && (ref.startTicks === undefined || Number(fields[19]) === ref.startTicks);
  if (ref.startTicks !== undefined) return false; // recorded with /proc, now absent from it: gone
  try {
    process.kill(ref.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process group of a pid, or undefined when it is gone or /proc is missing. */
export function processGroupOf(pid: number): number | undefined {
  const pgrp = statFields(pid)?.[2];
  return pgrp === undefined ? undefined : Number(pgrp);
}

/** The command line of a pid, shortened for a message; undefined when it cannot be read. */
export function commandLine(pid: number, maxLength = 100): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .join(' ')
      // The launcher's own children run node with tsx's loader: the script says more than the loader.
      .replace(/ --(?:import|loader) \S*\/tsx\/dist\/loader\.mjs/, '');
    if (!text) return undefined;
    return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
  } catch {
    return undefined;
  }
}

/** One variable of a process's initial environment (readable for this user's processes only). */
export function environmentOf(pid: number, name: string): string | undefined {
  try {
    const prefix = `${name}=`;
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((entry) => entry.startsWith(prefix))
      ?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
