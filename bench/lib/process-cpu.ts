import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds (user + system) of the live processes below each of `roots` (box-sim, the API, the worker:
 * tsx may start a child), and of this process's other children (the Temporal dev server), from /proc.
 */
export function childCpuSeconds(roots: Record<string, number>): Record<string, number> {
  const tick = 100; // USER_HZ on Linux
  const procs = new Map<number, { ppid: number; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command (which may hold spaces): state(3) ppid(4) ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(entry), {
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / tick,
    });
  }
  const below = (pid: number, root: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops++)
      if (p === root) return true;
    return false;
  };
  const cpu: Record<string, number> = {};
  for (const [pid, { seconds }] of procs) {
    const kind =
      Object.keys(roots).find((k) => below(pid, roots[k]!)) ??
      (pid !== process.pid && below(pid, process.pid) ? 'others' : undefined);
    if (kind) cpu[kind] = (cpu[kind] ?? 0) + seconds;
  }
  return cpu;
}
